"""Lint the published user-data corpus (../shared/corpus/user-data) and pin every finding.

A change in behaviour shows up here as a diff of (rule, line) per file. The files are read in
place, never copied into this repository.
"""

from __future__ import annotations

import pytest

from palette_tailscale.lint import lint_paths
from tests.conftest import CORPUS, require_path

EXPECTED: dict[str, list[tuple[str, int]]] = {
    # `sudo tailscale up --authkey=tskey-auth-...` in `network`, unguarded, every boot.
    "antongisli-palette-tailscale__user-data@7299ab3-v1.yaml": [
        ("PT017", 20), ("PT011", 20), ("PT012", 20), ("PT015", 20), ("PT016", 20),
        ("PT019", 20), ("PT013", 20),
    ],
    # The `tailscale up --authkey=tskey...` sits in a file written to /oem: a literal key.
    "antongisli-palette-tailscale__user-data@a1f7f8c.yaml": [("PT013", 30)],
    "canvos__README_aws-cloud-image.user-data.yaml": [],
    "canvos__test-two-node.sh_create_userdata_all-branches.yaml": [],
    # `password: ####` is null.
    "canvos__user-data.template.yaml": [("PT021", 68)],
    # ... and `projectUid: 12345677788` is a number.
    "canvos__user-data.template@08fcc40-2023-04-27.yaml": [("PT021", 11), ("PT021", 68)],
    # `hostname: @HOSTNAME@`: `@` cannot start a plain scalar (an unrendered template).
    "como-technologies-palette-edge-libvirt__templates_user-data.tmpl.yaml": [("PT002", 13)],
    "librarium__cloud-init__complete-example.yaml": [("PT001", 1)],
    "librarium__palette-canvos__advanced-workflow_heredoc-body.yaml": [("PT021", 41)],
    # ` stages:` has a stray space: the root mapping starting on line 3 cannot be closed.
    "librarium__palette-canvos__basic-workflow_heredoc-body.yaml": [("PT002", 3)],
    "librarium__prepare-user-data__bind-mounts.yaml": [],
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


def test_the_table_covers_the_whole_corpus() -> None:
    corpus = require_path(CORPUS)
    assert sorted(p.name for p in corpus.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str) -> None:
    path = require_path(CORPUS / name)
    assert [(p.rule, p.line) for p in lint_paths([path])] == EXPECTED[name]


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


def test_the_whole_directory_at_once() -> None:
    problems = lint_paths([require_path(CORPUS)])
    assert len(problems) == sum(len(v) for v in EXPECTED.values())
