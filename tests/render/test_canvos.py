"""``--canvos``: the block after either marker spelling, merges that keep the user's content,
idempotence, and refusals that leave the checkout untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from palette_tailscale import yamlio
from palette_tailscale.errors import InputError
from palette_tailscale.render.canvos import ConflictError, apply_block, canvos_plan, canvos_writes
from palette_tailscale.render.canvos_userdata import _guess_indent
from palette_tailscale.render.diff import unified
from palette_tailscale.render.output import pending, write_files
from palette_tailscale.render.plan import PLACEHOLDER_TOKEN, Rendered, render_all

from .helpers import AUTH_KEY, TOKEN, config, load

# CanvOS Dockerfile, abridged (reference/canvos-palette.md §2): v4.4+ marker, and up to v4.2.
MARKER_NEW = (
    "########################### Add any other image customizations here #######################"
)
MARKER_OLD = (
    "###########################Add any other image customizations here#######################"
)
DOCKERFILE = """ARG BASE
FROM $BASE
ARG OS_DISTRIBUTION
ARG PROXY_CERT_PATH
ARG HTTP_PROXY
ARG HTTPS_PROXY
ARG NO_PROXY

COPY certs/ /certs/
RUN if [ "${{OS_DISTRIBUTION}}" = "ubuntu" ]; then cp -a /certs/. /usr/local/share/ca-certs/; fi

{marker}

#### Examples ####
### To install the nginx package for Ubuntu ###
#RUN apt-get update && apt-get install nginx -y
RUN echo "systemd.unified_cgroup_hierarchy=1" >> /etc/cos/bootargs.cfg
"""
USER_DATA = """#cloud-config
# The operator's own settings: keep these comments.
stylus:
  site:
    paletteEndpoint: old.example.com  # replaced by the config
    tags:
      city: berlin  # mine
  debug: true
install:
  poweroff: true
  bind_mounts:
    - /opt/data
stages:
  initramfs:
    - name: my-users
      users:
        kairos:
          groups:
            - admin
  network.after:
    - name: my-step
      commands:
        - echo hello
    - name: palette-tailscale-old-step
      commands:
        - echo stale owned step
"""
ARG = "# my build\nARCH=arm64\nMY_FLAG=true\nOS_VERSION=20.04\n"


def _tree(root: Path, marker: str = MARKER_NEW, user_data: bool = True, arg: bool = True) -> Path:
    root.mkdir()
    (root / "Dockerfile").write_text(DOCKERFILE.format(marker=marker))
    (root / "earthly.sh").write_text("#!/bin/sh\n")
    if user_data:
        (root / "user-data").write_text(USER_DATA)
    if arg:
        (root / ".arg").write_text(ARG)
    return root


def _rendered(tmp_path: Path, **sections: object) -> Rendered:
    return render_all(load(config(**sections), tmp_path))


def _apply(rendered: Rendered, root: Path, *, force: bool = True) -> dict[str, bytes]:
    """Apply like the CLI (only what changes), replacing the fixture's own values by default."""
    write_files(pending(canvos_writes(rendered, root, force=force)))
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.suffix != ".bak"}


@pytest.mark.usefixtures("secrets_env")
@pytest.mark.parametrize(
    "marker", [MARKER_NEW, MARKER_OLD, "# Add any other image customizations here"]
)
def test_block_goes_after_either_marker_and_is_idempotent(tmp_path: Path, marker: str) -> None:
    root = _tree(tmp_path / "canvos", marker)
    rendered = _rendered(tmp_path)
    first = _apply(rendered, root)
    dockerfile = first["Dockerfile"].decode()
    block = rendered.files["Dockerfile.tailscale"].decode()
    assert f"{marker}\n{block}\n#### Examples ####" in dockerfile
    assert dockerfile.startswith(DOCKERFILE.format(marker=marker).split(marker)[0])
    assert dockerfile.endswith("/etc/cos/bootargs.cfg\n")
    assert _apply(rendered, root) == first


@pytest.mark.usefixtures("secrets_env")
def test_block_is_replaced_when_the_config_changes(tmp_path: Path) -> None:
    root = _tree(tmp_path / "canvos")
    _apply(_rendered(tmp_path), root)
    pinned = _rendered(tmp_path, tailscale={"install": {"version": "1.76.6"}})
    after = _apply(pinned, root)["Dockerfile"].decode()
    assert after.count("# >>> palette-tailscale") == 1
    assert "tailscale=1.76.6" in after
    assert after == DOCKERFILE.format(marker=MARKER_NEW).replace(
        MARKER_NEW + "\n", MARKER_NEW + "\n" + pinned.files["Dockerfile.tailscale"].decode()
    )


@pytest.mark.usefixtures("secrets_env")
def test_user_data_merge_keeps_the_users_content(tmp_path: Path) -> None:
    root = _tree(tmp_path / "canvos")
    rendered = _rendered(tmp_path, tailscale={"auth_key": {"env": "PT_TEST_AUTH_KEY"}})
    text = _apply(rendered, root)["user-data"].decode()
    assert text.startswith("#cloud-config\n# The operator's own settings: keep these comments.\n")
    assert "city: berlin  # mine" in text
    assert "palette-tailscale-old-step" not in text
    data = yamlio.to_python(yamlio.load(text, "user-data").root)
    assert data["stylus"]["debug"] is True
    assert data["stylus"]["site"]["paletteEndpoint"] == "api.spectrocloud.com"
    assert data["stylus"]["site"]["edgeHostToken"] == TOKEN
    assert data["install"] == {"poweroff": True, "bind_mounts": ["/opt/data", "/var/lib/tailscale"]}
    assert [s["name"] for s in data["stages"]["network.after"]] == [
        "my-step",
        "palette-tailscale-enroll",
    ]
    assert data["stages"]["initramfs"][0]["users"]["kairos"]["groups"] == ["admin"]
    assert "after-install" not in data["stages"]
    assert AUTH_KEY not in text  # the installer user-data never carries the auth key
    assert "    - name: my-step\n" in text  # the user's indentation is kept
    assert (root / "user-data").stat().st_mode & 0o777 == 0o600


@pytest.mark.usefixtures("secrets_env")
def test_owned_steps_are_replaced_in_place_and_dropped_when_gone(tmp_path: Path) -> None:
    root = _tree(tmp_path / "canvos")
    _apply(_rendered(tmp_path), root)
    user = (root / "user-data").read_text()
    run = "        - /bin/sh /usr/local/lib/palette-tailscale/enroll.sh\n"
    assert user.count(run) == 1
    user = user.replace(run, run + "    - name: after-ours\n      commands: [echo]\n")
    # An earlier release wrote the key into the installer user-data: that owned step must go.
    user += (
        "  after-install:\n"
        "    - name: skip-copy-palette-tailscale-authkey\n"
        "      files:\n"
        "        - path: /run/cos/persistent/etc/palette-tailscale/authkey\n"
        "          permissions: 0600\n"
        f"          content: {AUTH_KEY}\n"
    )
    (root / "user-data").write_text(user)
    text = _apply(_rendered(tmp_path), root)["user-data"].decode()
    data = yamlio.to_python(yamlio.load(text, "user-data").root)
    assert [s["name"] for s in data["stages"]["network.after"]] == [
        "my-step",
        "palette-tailscale-enroll",
        "after-ours",
    ]
    assert "after-install" not in data["stages"]
    assert AUTH_KEY not in text


@pytest.mark.usefixtures("secrets_env")
def test_arg_merge_keeps_user_variables(tmp_path: Path) -> None:
    root = _tree(tmp_path / "canvos")
    arg = _apply(_rendered(tmp_path), root)[".arg"].decode()
    lines = arg.splitlines()
    assert lines[:4] == ["# my build", "ARCH=amd64", "MY_FLAG=true", "OS_VERSION=22.04"]
    assert "OS_DISTRIBUTION=ubuntu" in lines and "UPDATE_KERNEL=false" in lines


@pytest.mark.usefixtures("secrets_env")
def test_fresh_checkout_gets_our_files(tmp_path: Path) -> None:
    root = _tree(tmp_path / "canvos", user_data=False, arg=False)
    rendered = _rendered(tmp_path)
    files = _apply(rendered, root)
    assert files["user-data"] == rendered.files["user-data"]
    assert files[".arg"] == rendered.files[".arg"]
    assert _apply(rendered, root) == files


@pytest.mark.usefixtures("secrets_env")
@pytest.mark.parametrize(
    ("dockerfile", "user_data", "message", "where"),
    [
        ("FROM x\nRUN true\n", None, "no line `# Add any other image customizations here`", None),
        (
            "FROM x\n# >>> palette-tailscale 0.0.1 >>>\nRUN true\n",
            None,
            "has no end line",
            "Dockerfile:2:1",
        ),
        (None, "#cloud-config\nstages: [\n", "invalid YAML", "user-data:3:1"),
        (None, "#cloud-config\na: 1\na: 2\n", "duplicate key", "user-data:3:1"),
        (None, "#cloud-config\nstages:\n  netwrok: []\n", "unknown stage", "user-data:3:3"),
        (None, "- a\n", "not a YAML mapping", "user-data:1:1"),
    ],
)
def test_refusals_write_nothing(
    tmp_path: Path, dockerfile: str | None, user_data: str | None, message: str, where: str | None
) -> None:
    root = _tree(tmp_path / "canvos")
    if dockerfile is not None:
        (root / "Dockerfile").write_text(dockerfile)
    if user_data is not None:
        (root / "user-data").write_text(user_data)
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    with pytest.raises(InputError) as info:
        canvos_writes(_rendered(tmp_path), root)
    assert message in str(info.value)
    if where is not None:
        assert str(info.value.mark).endswith(where)
    assert {p.name: p.read_bytes() for p in root.iterdir()} == before


def test_not_a_checkout(tmp_path: Path) -> None:
    rendered = render_all(
        load(config(tailscale={"auth_key_delivery": "none"}) | {"palette": {}}, tmp_path)
    )
    with pytest.raises(InputError, match="no such directory"):
        canvos_writes(rendered, tmp_path / "missing")
    with pytest.raises(InputError, match="no Dockerfile here"):
        canvos_writes(rendered, tmp_path)


def test_apply_block_handles_a_missing_final_newline() -> None:
    text = apply_block(
        "FROM x\n" + MARKER_NEW, "# >>> palette-tailscale 1 >>>\n# <<< palette-tailscale <<<\n", "D"
    )
    assert (
        text
        == "FROM x\n"
        + MARKER_NEW
        + "\n# >>> palette-tailscale 1 >>>\n# <<< palette-tailscale <<<\n"
    )


@pytest.mark.usefixtures("secrets_env")
def test_empty_stages_in_the_users_file(tmp_path: Path) -> None:
    root = _tree(tmp_path / "canvos")
    (root / "user-data").write_text("#cloud-config\nstages:\n  boot:\n  network.after:\n")
    text = _apply(_rendered(tmp_path), root)["user-data"].decode()
    data = yamlio.to_python(yamlio.load(text, "user-data").root)
    assert data["stages"]["boot"] is None
    assert [s["name"] for s in data["stages"]["network.after"]] == ["palette-tailscale-enroll"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n  b:\n    - c\n", (2, 2)),
        ("a:\n  b:\n  - c\n", (2, 0)),
        ("a:\n    b:\n        - c\n", (4, 4)),
        ("a:\n- b\nc:\n   d: 1\n", (3, 0)),
        ("# only a comment\n", (2, 0)),
    ],
)
def test_guess_indent(text: str, expected: tuple[int, int]) -> None:
    assert _guess_indent(text) == expected


# Never clobber (issue: a real token, projectName: Retail and CUSTOM_TAG=demo were replaced by
# the example's placeholder and defaults with only a NOTICE).
REAL_TOKEN = "7f3c1e9a0b5d4c2e8f6a1b3d5e7c9a0f"
OPERATOR_USER_DATA = f"""#cloud-config
stylus:
  site:
    edgeHostToken: {REAL_TOKEN}
    projectName: Retail
    paletteEndpoint: api.spectrocloud.com
"""


def _operator_tree(root: Path) -> Path:
    _tree(root, user_data=False, arg=False)
    (root / "user-data").write_text(OPERATOR_USER_DATA)
    (root / "user-data").chmod(0o600)
    (root / ".arg").write_text('CUSTOM_TAG="demo"\nOS_DISTRIBUTION=ubuntu\n')
    return root


def _placeholder_render(tmp_path: Path) -> Rendered:
    return render_all(load(config(), tmp_path), allow_placeholders=True)


def test_conflicting_values_stop_the_apply_and_name_every_one(tmp_path: Path) -> None:
    root = _operator_tree(tmp_path / "canvos")
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    with pytest.raises(ConflictError) as info:
        canvos_writes(_placeholder_render(tmp_path), root)
    found = {
        (f.path.name, c.where, c.theirs, c.ours) for f in info.value.conflicts for c in f.conflicts
    }
    assert found == {
        ("user-data", "stylus.site.projectName", "Retail", "Default"),
        (".arg", "CUSTOM_TAG", "demo", "palette-tailscale"),
    }
    assert info.value.exit_code == 2
    assert {p.name: p.read_bytes() for p in root.iterdir()} == before


def test_the_conflict_diff_shows_only_the_conflicts(tmp_path: Path) -> None:
    plan = canvos_plan(_placeholder_render(tmp_path), _operator_tree(tmp_path / "canvos"))
    arg = next(f for f in plan.conflicts if f.path.name == ".arg")
    changed = [
        line
        for line in unified(".arg", arg.theirs, arg.forced).splitlines()
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == ['-CUSTOM_TAG="demo"', "+CUSTOM_TAG=palette-tailscale"]


def test_force_replaces_but_a_placeholder_never_replaces_a_real_value(tmp_path: Path) -> None:
    root = _operator_tree(tmp_path / "canvos")
    rendered = _placeholder_render(tmp_path)
    plan = canvos_plan(rendered, root, force=True)
    assert plan.kept == [f"{root / 'user-data'}: stylus.site.edgeHostToken"]
    _apply(rendered, root, force=True)
    site = yamlio.to_python(yamlio.load((root / "user-data").read_text(), "u").root)["stylus"]
    assert site["site"]["edgeHostToken"] == REAL_TOKEN
    assert site["site"]["projectName"] == "Default"
    assert "CUSTOM_TAG=palette-tailscale" in (root / ".arg").read_text().splitlines()


def test_a_placeholder_of_an_earlier_render_is_not_a_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "canvos", user_data=False, arg=False)
    _apply(_placeholder_render(tmp_path), root, force=False)
    monkeypatch.setenv("PT_TEST_TOKEN", TOKEN)
    assert PLACEHOLDER_TOKEN in (root / "user-data").read_text()
    _apply(_rendered(tmp_path), root, force=False)  # the real token replaces it: no conflict
    assert TOKEN in (root / "user-data").read_text()
    assert PLACEHOLDER_TOKEN not in (root / "user-data").read_text()


def test_previous_files_are_kept_as_bak_with_their_mode(tmp_path: Path) -> None:
    root = _operator_tree(tmp_path / "canvos")
    (root / ".arg").chmod(0o640)
    originals = {name: (root / name).read_bytes() for name in ("Dockerfile", "user-data", ".arg")}
    rendered = _placeholder_render(tmp_path)
    kept = write_files(pending(canvos_writes(rendered, root, force=True)))
    assert sorted(k.path.name for k in kept) == [".arg.bak", "Dockerfile.bak", "user-data.bak"]
    for name, data in originals.items():
        assert (root / f"{name}.bak").read_bytes() == data
    assert (root / "user-data.bak").stat().st_mode & 0o777 == 0o600
    assert (root / ".arg.bak").stat().st_mode & 0o777 == 0o640
    # A run that changes nothing keeps the backups of the run that did.
    assert write_files(pending(canvos_writes(rendered, root, force=True))) == []
    assert (root / "user-data.bak").read_bytes() == originals["user-data"]
