"""The Dockerfile block: hadolint on every base, shell syntax, method choice, refusals."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from palette_tailscale import __version__
from palette_tailscale.errors import InputError
from palette_tailscale.render.dockerfile import dockerfile_block, install_plan

from ..conftest import require_tool
from .helpers import config, load

SHA = "0" * 63 + "1"
BASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("ubuntu:22.04", "apt", {"os_version": "22.04"}, {}),
    ("ubuntu:24.04", "apt", {"os_version": "24.04"}, {"version": "1.76.6"}),
    ("ubuntu:20.04", "apt", {"os_version": "20.04"}, {}),
    (
        "opensuse/leap:15.6",
        "zypper",
        {"os_distribution": "opensuse-leap", "os_version": "15.6"},
        {},
    ),
    (
        "opensuse/leap:15.6",
        "zypper",
        {"os_distribution": "opensuse-leap", "os_version": "15.6"},
        {"version": "1.76.6"},
    ),
    ("redhat/ubi9:9.4", "rpm", {"os_distribution": "rhel", "os_version": "9"}, {}),
    (
        "redhat/ubi9:9.4",
        "rpm",
        {"os_distribution": "rhel", "os_version": "9"},
        {"version": "1.76.6"},
    ),
    (
        "registry.suse.com/suse/sle-micro/5.5:5.5",
        "static",
        {"os_distribution": "sles", "os_version": "5.5", "arch": "arm64"},
        {"method": "static", "version": "1.76.6", "sha256": {"arm64": SHA}},
    ),
    (
        "ubuntu:22.04",
        "static",
        {},
        {"method": "static", "version": "1.76.6", "sha256": {"amd64": SHA}},
    ),
]


def _block(tmp_path: Path, canvos: dict[str, Any], install: dict[str, Any]) -> str:
    data = config(canvos=canvos)
    data["tailscale"]["install"] = install
    return dockerfile_block(load(data, tmp_path))


def _run_body(block: str) -> str:
    """The shell text of the block's RUN instruction, continuations joined."""
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("RUN "))
    body: list[str] = []
    for line in lines[start:]:
        body.append(line.removeprefix("RUN ").removesuffix(" \\"))
        if not line.endswith("\\"):
            break
    return "\n".join(body)


@pytest.mark.parametrize(("base", "method", "canvos", "install"), BASES)
def test_hadolint_passes_on_each_base(
    tmp_path: Path, base: str, method: str, canvos: dict[str, Any], install: dict[str, Any]
) -> None:
    hadolint = require_tool("hadolint")
    block = _block(tmp_path, canvos, install)
    assert f"install method {method}" in block
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {base}\n{block}")
    result = subprocess.run(
        [hadolint, "--no-color", str(dockerfile)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("shell", ["dash", "bash"])
@pytest.mark.parametrize(("base", "method", "canvos", "install"), BASES)
def test_run_body_is_valid_shell(
    tmp_path: Path,
    shell: str,
    base: str,
    method: str,
    canvos: dict[str, Any],
    install: dict[str, Any],
) -> None:
    sh = require_tool(shell)
    body = _run_body(_block(tmp_path, canvos, install))
    result = subprocess.run([sh, "-n", "-c", body], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("base", "method", "canvos", "install"), BASES)
def test_block_promises(
    tmp_path: Path, base: str, method: str, canvos: dict[str, Any], install: dict[str, Any]
) -> None:
    block = _block(tmp_path, canvos, install)
    lines = block.splitlines()
    assert lines[0] == f"# >>> palette-tailscale {__version__} >>>"
    assert lines[-1] == "# <<< palette-tailscale <<<"
    assert 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]' in lines
    assert "RUN set -eu; \\" in lines
    assert "sudo" not in block
    assert "/usr/local" not in block
    assert "systemctl enable tailscaled" in block
    assert "systemctl start" not in block and "tailscale up" not in block
    assert "rm -rf /var/lib/tailscale /var/cache/tailscale" in block
    assert "tskey" not in block
    # The codename comes from /etc/os-release, never from the config.
    assert not re.search(r"\b(focal|jammy|noble|kinetic)\b", block)


@pytest.mark.parametrize(
    ("method", "pinned", "expected"),
    [
        ("apt", "1.76.6", ["tailscale=1.76.6", "apt-mark hold tailscale"]),
        ("zypper", "1.76.6", ["tailscale=1.76.6", "zypper --non-interactive addlock tailscale"]),
        ("rpm", "1.76.6", ["tailscale-1.76.6", "exclude=tailscale"]),
        ("apt", None, ["# hadolint ignore=DL3008", "--no-install-recommends tailscale;"]),
        ("zypper", None, ["# hadolint ignore=DL3037"]),
        ("rpm", None, ["# hadolint ignore=DL3041"]),
    ],
)
def test_version_pin_and_hold(
    tmp_path: Path, method: str, pinned: str | None, expected: list[str]
) -> None:
    distro = {"apt": "ubuntu", "zypper": "opensuse-leap", "rpm": "rhel"}[method]
    version = {"ubuntu": "22.04", "opensuse-leap": "15.6", "rhel": "9"}[distro]
    install = {"method": method, **({"version": pinned} if pinned else {})}
    block = _block(tmp_path, {"os_distribution": distro, "os_version": version}, install)
    for text in expected:
        assert text in block
    if pinned is None:
        assert "apt-mark hold" not in block and "addlock" not in block and "exclude=" not in block


def test_static_uses_arch_sha_and_track(tmp_path: Path) -> None:
    install = {
        "method": "static",
        "version": "1.76.6",
        "track": "unstable",
        "sha256": {"amd64": "a" * 64, "arm64": SHA},
    }
    block = _block(tmp_path, {"arch": "arm64"}, install)
    assert "https://pkgs.tailscale.com/unstable/tailscale_1.76.6_arm64.tgz" in block
    assert f'echo "{SHA}  ${{tmp}}/tailscale.tgz" | sha256sum -c -;' in block
    assert "a" * 64 not in block
    for target in ("/usr/bin/tailscale", "/usr/sbin/tailscaled", "/etc/default/tailscaled"):
        assert target in block
    assert "/etc/systemd/system/tailscaled.service" in block


def test_auto_checks_the_base_at_build_time(tmp_path: Path) -> None:
    auto = _block(tmp_path, {}, {})
    forced = _block(tmp_path, {}, {"method": "apt"})
    assert 'case "$family" in *" ubuntu "*|*" debian "*) ;;' in auto
    assert 'case "$family" in *" ubuntu "*|*" debian "*) ;;' not in forced
    assert "command -v apt-get" in forced


@pytest.mark.parametrize(
    ("canvos", "install", "line", "message"),
    [
        ({"os_distribution": "sles", "os_version": "5.5"}, {}, 0, "no package repository"),
        (
            {"os_distribution": "sles", "os_version": "5.5"},
            {"method": "apt"},
            0,
            "cannot work on sles",
        ),
        ({}, {"method": "static"}, 0, "needs a pinned tailscale.install.version"),
        ({}, {"method": "static", "version": "1.76.6"}, 0, "sha256.amd64"),
    ],
)
def test_refusals_name_the_config_position(
    tmp_path: Path, canvos: dict[str, Any], install: dict[str, Any], line: int, message: str
) -> None:
    data = config(canvos=canvos)
    data["tailscale"]["install"] = install
    loaded = load(data, tmp_path)
    with pytest.raises(InputError) as info:
        install_plan(loaded)
    assert message in info.value.message
    assert info.value.mark is not None and info.value.mark.path == "palette-tailscale.yaml"
    assert info.value.mark.line > 1
