"""Lint both published corpora (../shared/corpus/user-data and user-data-2) and pin every finding.

A change in behaviour shows up here as a diff of (rule, line) per file. Each entry says why the
verdict is right, from the Kairos or yip behaviour it rests on (reference/kairos-cloud-config.md
§11 and the sources the rules cite). The files are read in place, never copied into this
repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from palette_tailscale.lint import lint_paths
from palette_tailscale.lint.engine import lint_file
from tests.conftest import CORPUS, CORPUS_2, require_path

Pins = dict[str, list[tuple[str, int]]]

EXPECTED: Pins = {
    # `sudo tailscale up --authkey=tskey-auth-...` in `network`, unguarded, every boot: each
    # finding is a real property of that one command (sudo, no guard, key at every boot, no
    # --hostname, no --timeout in a oneshot unit without a start timeout, old flag, literal key).
    "antongisli-palette-tailscale__user-data@7299ab3-v1.yaml": [
        ("PT017", 20), ("PT011", 20), ("PT012", 20), ("PT015", 20), ("PT016", 20),
        ("PT019", 20), ("PT013", 20),
    ],
    # The `tailscale up --authkey=tskey...` sits in a file written to /oem: a literal key.
    "antongisli-palette-tailscale__user-data@a1f7f8c.yaml": [("PT013", 30)],
    "canvos__README_aws-cloud-image.user-data.yaml": [],
    # `<WIFI_NETWORK>` stand-ins are left to the reader (PT044 skips them; dash would not).
    "canvos__test-two-node.sh_create_userdata_all-branches.yaml": [],
    # `password: ####` is null (`#` starts a comment).
    "canvos__user-data.template.yaml": [("PT021", 68)],
    # ... and `projectUid: 12345677788` is a number.
    "canvos__user-data.template@08fcc40-2023-04-27.yaml": [("PT021", 11), ("PT021", 68)],
    # `hostname: @HOSTNAME@`: `@` cannot start a plain scalar (an unrendered template).
    "como-technologies-palette-edge-libvirt__templates_user-data.tmpl.yaml": [("PT002", 13)],
    # No header but stages: a stage-directory file for auto (so no PT001). Either way `stylus`
    # does nothing: the collector skips header-less files and yip reads only name and stages.
    "librarium__cloud-init__complete-example.yaml": [("PT041", 8)],
    "librarium__palette-canvos__advanced-workflow_heredoc-body.yaml": [("PT021", 41)],
    # ` stages:` has a stray space: the root mapping starting on line 3 cannot be closed.
    "librarium__palette-canvos__basic-workflow_heredoc-body.yaml": [("PT002", 3)],
    "librarium__prepare-user-data__bind-mounts.yaml": [],
    # `password: <yourPassword>` is a stand-in, not a secret (PT043).
    "librarium__prepare-user-data__external-registry.yaml": [],
    # `zip-code: 95135` is a number.
    "librarium__prepare-user-data__proxy-and-certs.yaml": [("PT021", 10)],
    "librarium__prepare-user-data__site.yaml": [("PT021", 6)],
    "librarium__prepare-user-data__staging.yaml": [],
    # `commands:` is indented deeper than `- name:` (the mapping that starts on line 8).
    "librarium__site-user-data__wifi.yaml": [("PT002", 8)],
    # `name: edge-<your-site-id>` is no host name.
    "sc-speers-labs-palette-edge-poc-kit__edgeforge-k3s.md__full.yaml": [("PT022", 7)],
    "spectrocloud-tutorials__edge-vmware-packer__user-data.yaml": [],
}  # fmt: skip

EXPECTED_2: Pins = {
    # `after-install-chroot:` at column 0 and `content: |` not indented under `- path:`:
    # yaml.v3 cannot parse it, so Kairos reads none of the file.
    "kairos-io-kairos-docs__blog_2023-03-29-home-lab-with-kairos-and-wireguard.md_L161.yaml": [
        ("PT002", 12),
    ],
    # `bundles`, `k3s`, `metallb` are Kairos and bundle configuration, left to the collector.
    "kairos-io-kairos-docs__docs_advanced_bundles.md_L59.yaml": [],
    # `kairos-install.pre.before` is a real stage: kairos-agent runs every stage S, install
    # hooks included, as S.before, S, S.after (agent/pkg/utils/runstage.go).
    "kairos-io-kairos-docs__docs_advanced_multi-disk-dynamic-partitioning.md_L131.yaml": [],
    "kairos-io-kairos-docs__docs_advanced_partition_encryption.md_L34.yaml": [],
    # A header-less drop-in with stages: yip loads it as plain yip YAML, no header needed.
    "kairos-io-kairos-docs__docs_architecture_cloud-init.md_L48.yaml": [],
    # `systemctl: enabled:` is no Systemctl field (yip schema.go: enable): the unit is never
    # enabled. The top-level `name:` is dropped by the cloud-init loader, harmlessly.
    "kairos-io-kairos-docs__docs_examples_boot_assessment_trusted_boot.md_L142.yaml": [
        ("PT003", 24),
    ],
    # Header-less drop-in: the same step in two stages is fine (names are per stage).
    "kairos-io-kairos-docs__docs_examples_hetzner-cloud.md_L96.yaml": [],
    # `name:` inside a files item is no File field (ignored; the step is unnamed); and
    # `systemctl.start` in `network` blocks cos-setup-network (oneshot, no start timeout)
    # until the unit is up: yip runs `systemctl start` without --no-block (systemctl.go).
    "kairos-io-kairos-docs__docs_examples_keylime.md_L46.yaml": [("PT003", 25), ("PT031", 105)],
    # `permissions: "0644"`: a string in yip's uint32 field, a type error, so the cloud-init
    # loader drops every stage of the file (loader_cloudinit.go loads stages "optimistically").
    # `cluster_token: "random_token"` is a stand-in (PT043).
    "kairos-io-kairos-docs__docs_examples_kubeadm-provider.md_L78.yaml": [
        ("PT005", 101), ("PT005", 108),
    ],
    # The header is on line 2: the collector looks at the first ten lines (HasValidHeader).
    # `network_token: "..."` is a stand-in.
    "kairos-io-kairos-docs__docs_installation_p2p.md_L235.yaml": [],
    # `YOUR_TOKEN_GOES_HERE` is a stand-in.
    "kairos-io-kairos-docs__docs_installation_p2p.md_L87.yaml": [],
    # A heredoc fed to /bin/bash: bash syntax inside it is bash's business, not sh's.
    "kairos-io-kairos-docs__docs_installation_trustedboot.mdx_L434.yaml": [],
    # Placeholders (`<string>`, `<bool>`) are Kairos configuration values, not yip's concern;
    # `growpart`, `runcmd`, `write_files` are keys yip's cloud-init loader reads.
    "kairos-io-kairos-docs__docs_reference_configuration.md_L16.yaml": [],
    # `systctl` (typo of sysctl) is ignored by yip; `systemctl.start` in `boot` blocks
    # cos-setup-boot until the unit is up.
    "kairos-io-kairos-docs__docs_reference_configuration.md_L828.yaml": [
        ("PT003", 29), ("PT031", 38),
    ],
    # Header-less drop-in; `packages` needs a newer yip, but a system file is not version-gated.
    "kairos-io-kairos-docs__docs_reference_kairos-factory.mdx_L306.yaml": [],
    # Published "to use in your configuration file" without a header: the collector skips it
    # and yip reads only `stages`, so `kairos:` does nothing; and its network_token is a real
    # generated p2p token, in clear.
    "kairos-io-kairos-docs__docs_reference_kairosctl.md_L67.yaml": [("PT041", 1), ("PT043", 2)],
    # `homedir: "/home/foo` has no closing quote.
    "kairos-io-kairos-docs__docs_reference_stage_modules.md_L226.yaml": [("PT002", 9)],
    "kairos-io-kairos-docs__getting-started_initial-configuration.md_L61.yaml": [],
    "kairos-io-kairos__agent_tests_e2e_config.yaml": [],
    # Configuration without a header and without stages: as user-data the collector skips it.
    "kairos-io-kairos__agent_tests_fixtures_config_config.yaml": [("PT001", 1)],
    # Merge keys resolved as yaml.v3 does: no `<<` "unknown key", and the sentinel files have no
    # content (their mode does not matter to `[ -e ]`). A system file: no header needed.
    "kairos-io-kairos__kairos-init_pkg_bundled_cloudconfigs_00_datasource.yaml": [],
    # `<<: *agent-service` brings path, permissions and content into the files item.
    # `only_service_manager` ships with the yip that implements it (a kairos-init file).
    "kairos-io-kairos__kairos-init_pkg_bundled_cloudconfigs_02_agent.yaml": [],
    "kairos-io-kairos__kairos-init_pkg_bundled_cloudconfigs_02_notify.yaml": [],
    # `permsisions: 0600` (typo) is ignored, so the file gets mode 0000 (File.Permissions is 0
    # when absent). Reported once, where the anchor is written, though three stages merge it.
    "kairos-io-kairos__kairos-init_pkg_bundled_cloudconfigs_08_grub.yaml": [
        ("PT024", 79), ("PT003", 82),
    ],
    "kairos-io-kairos__kairos-init_pkg_bundled_cloudconfigs_31_hosts.yaml": [],
    "kairos-io-kairos__tests_assets_ssh-hardening-install.yaml": [],
    "spectrocloud-CanvOS__README.md_L100.yaml": [],
    "spectrocloud-CanvOS__cloudconfigs_80_canvos_net_naming.yaml": [],
    # Top-level `grub_options` is Kairos configuration (sdk/types/config: GrubOptions).
    "spectrocloud-CanvOS__cloudconfigs_80_stylus_net_naming.yaml": [],
    "spectrocloud-CanvOS__rhel-stig_README.md_L176.yaml": [],
    "spectrocloud-CanvOS__rocky-fips_userdata.stig.yaml": [],
    "spectrocloud-agent-mode__examples_custom-image_files_user-data.yaml": [],
    # `projectUid: 12345677788` is a number; `password: ####` is null.
    "spectrocloud-edgeforge__userdata_.example.yaml": [("PT021", 24), ("PT021", 105)],
    # Every line, the header too, is indented by two spaces (as the file stands; the Markdown
    # list item it comes from hides that indent): the collector wants `#` at column 1.
    "spectrocloud-librarium__docs_docs-content_clusters_edge_local-ui_host-management_edit-user-data.md_L49.yaml": [  # noqa: E501
        ("PT001", 1),
    ],
    # Two steps named "Layout configuration" in rootfs.after: yip then renames every step of
    # the stage to `<name>.<index>` (default.go checkDuplicates), breaking after: references.
    "spectrocloud-pxke-samples__overlay_os_opensuse_system_oem_11_persistency.yaml": [
        ("PT030", 34),
    ],
}  # fmt: skip

# The kind `auto` picks for the files of the second corpus that are not installer user-data.
KINDS_2 = {
    "kairos-io-kairos-docs__docs_architecture_cloud-init.md_L48.yaml": "system",
    "kairos-io-kairos-docs__docs_examples_hetzner-cloud.md_L96.yaml": "system",
    "kairos-io-kairos-docs__docs_reference_kairos-factory.mdx_L306.yaml": "system",
    "kairos-io-kairos-docs__docs_reference_kairosctl.md_L67.yaml": "system",
    "kairos-io-kairos__kairos-init_pkg_bundled_cloudconfigs_00_datasource.yaml": "system",
    "kairos-io-kairos__kairos-init_pkg_bundled_cloudconfigs_02_agent.yaml": "system",
    "kairos-io-kairos__kairos-init_pkg_bundled_cloudconfigs_02_notify.yaml": "system",
    "kairos-io-kairos__kairos-init_pkg_bundled_cloudconfigs_08_grub.yaml": "system",
    "kairos-io-kairos__kairos-init_pkg_bundled_cloudconfigs_31_hosts.yaml": "system",
    "spectrocloud-pxke-samples__overlay_os_opensuse_system_oem_11_persistency.yaml": "system",
}
CORPORA = [(CORPUS, EXPECTED), (CORPUS_2, EXPECTED_2)]
CASES = [(folder, name, pins[name]) for folder, pins in CORPORA for name in sorted(pins)]


@pytest.mark.parametrize(("folder", "pins"), CORPORA, ids=["corpus-1", "corpus-2"])
def test_the_table_covers_the_whole_corpus(folder: Path, pins: Pins) -> None:
    corpus = require_path(folder)
    assert sorted(p.name for p in corpus.glob("*.yaml")) == sorted(pins)


@pytest.mark.parametrize(("folder", "name", "expected"), CASES, ids=[c[1] for c in CASES])
def test_corpus_file(folder: Path, name: str, expected: list[tuple[str, int]]) -> None:
    path = require_path(folder / name)
    assert [(p.rule, p.line) for p in lint_paths([path])] == expected


def test_auto_kinds_of_the_second_corpus() -> None:
    corpus = require_path(CORPUS_2)
    kinds = {p.name: lint_file(p.read_bytes(), p.name).kind for p in corpus.glob("*.yaml")}
    assert {name: kind for name, kind in kinds.items() if kind != "installer"} == KINDS_2


def test_the_invalid_files_point_at_the_broken_block() -> None:
    wifi, basic = (
        require_path(CORPUS / "librarium__site-user-data__wifi.yaml"),
        require_path(CORPUS / "librarium__palette-canvos__basic-workflow_heredoc-body.yaml"),
    )
    (problem,) = lint_paths([wifi])
    assert (problem.line, problem.col) == (8, 8)
    assert problem.message.endswith("; the parser stopped at line 9, column 9")
    (problem,) = lint_paths([basic])
    assert (problem.line, problem.col) == (3, 1)
    assert problem.message.endswith("; the parser stopped at line 10, column 2")


@pytest.mark.parametrize(("folder", "pins"), CORPORA, ids=["corpus-1", "corpus-2"])
def test_the_whole_directory_at_once(folder: Path, pins: Pins) -> None:
    problems = lint_paths([require_path(folder)])
    assert len(problems) == sum(len(v) for v in pins.values())


def test_secrets_of_the_corpus_never_show() -> None:
    path = require_path(CORPUS_2 / "kairos-io-kairos-docs__docs_reference_kairosctl.md_L67.yaml")
    token = path.read_text(encoding="utf-8").split("network_token: ", 1)[1].split()[0]
    assert all(token[:12] not in p.message for p in lint_paths([path]))
