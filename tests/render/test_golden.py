"""Golden files for every distro, install method and key delivery, plus the built-in example.

Regenerate after an intended change, once the change is committed, with::

    UPDATE_GOLDEN=1 python -m pytest tests/render/test_golden.py

(tests/golden.py: it refuses while other changes are uncommitted, and prints the diff it made).

The built-in example's golden user-data carries the real enrollment script, so what the example
ships is compared whole, byte for byte: a change to the script shows there. The other cases
replace the script by a stand-in, so that such a change does not churn every golden user-data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from palette_tailscale import device
from palette_tailscale.config import load_example
from palette_tailscale.render.plan import Rendered, render_all

from .. import golden
from .helpers import config, load

GOLDEN = Path(__file__).parent / "golden"
SHA_AMD64 = "1f7c2a0ad8d03c6fc5b0ba6b6ac64b1d2e6e2f1b0f2c1c3d4e5f60718293a4b5"
SHA_ARM64 = "2e8d3b1be9e14d7fd6c1cb7c7bd75c2e3f7f3f2c1f3d2d4e5f6071829304b5c6"


def _case(canvos: dict[str, Any], tailscale: dict[str, Any], **other: Any) -> dict[str, Any]:
    data = config(canvos=canvos, tailscale=tailscale, **other)
    return data


CASES: dict[str, dict[str, Any]] = {
    "ubuntu-22.04-apt-site": _case({}, {}),
    "ubuntu-24.04-apt-pinned": _case(
        {"os_version": "24.04", "pe_version": "v4.5.3"},
        {"install": {"version": "1.76.6"}},
        hosts=[{"name": "edge-store-0042", "site": "store-0042", "tags": ["tag:store"]}],
    ),
    "ubuntu-20.04-apt-arm64-none": _case(
        {"os_version": "20.04", "arch": "arm64"},
        {"auth_key_delivery": "none", "ssh": True, "advertise_routes": ["10.0.0.0/24"]},
    ),
    "opensuse-leap-15.6-zypper-site": _case(
        {"os_distribution": "opensuse-leap", "os_version": "15.6"}, {}
    ),
    "opensuse-leap-15.6-zypper-pinned": _case(
        {"os_distribution": "opensuse-leap", "os_version": "15.6"},
        {"install": {"method": "zypper", "version": "1.76.6"}},
    ),
    "rhel-9-rpm-site": _case({"os_distribution": "rhel", "os_version": "9"}, {}),
    "rhel-9-rpm-pinned": _case(
        {"os_distribution": "rhel", "os_version": "9"},
        {"install": {"version": "1.76.6"}},
    ),
    "sles-5.5-static-arm64-pinned": _case(
        {"os_distribution": "sles", "os_version": "5.5", "arch": "arm64"},
        {
            "install": {
                "method": "static",
                "version": "1.76.6",
                "sha256": {"amd64": SHA_AMD64, "arm64": SHA_ARM64},
            },
        },
    ),
    "ubuntu-22.04-static-headscale-extra": _case(
        {"base_image": "quay.io/kairos/ubuntu:22.04-core-amd64-generic-v3.1.3"},
        {
            "install": {"method": "static", "version": "1.76.6", "sha256": {"amd64": SHA_AMD64}},
            "login_server": "https://headscale.example.com",
            "persist_state": False,
        },
        userdata={
            "extra": {
                "stylus": {"debug": True},
                "install": {"poweroff": True},
                "stages": {
                    "initramfs": [{"name": "site-users", "users": {"ops": {"groups": ["admin"]}}}]
                },
            }
        },
    ),
}


@pytest.fixture
def _script_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device, "script_text", lambda: SCRIPT_STAND_IN)


SCRIPT_STAND_IN = "#!/bin/sh\n# the enrollment script (package data device/enroll.sh)\nexit 0\n"


def _check(rendered: Rendered, case: str) -> None:
    folder = GOLDEN / case
    for name, data in rendered.files.items():
        golden.compare(folder / name, data)
    assert sorted(p.name for p in folder.iterdir()) == sorted(rendered.files)


@pytest.mark.usefixtures("secrets_env", "_script_stand_in")
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(tmp_path: Path, case: str) -> None:
    rendered = render_all(load(CASES[case], tmp_path))
    _check(rendered, case)
    again = render_all(load(CASES[case], tmp_path))
    assert again.files == rendered.files  # deterministic


def test_golden_example() -> None:
    """The real script: the example's user-data is what a user ships, compared whole."""
    rendered = render_all(load_example())
    _check(rendered, "example")
    assert rendered.modes["user-data"] == 0o600
    assert len(rendered.placeholders) == 1


def test_the_example_golden_carries_the_real_script_whole() -> None:
    text = (GOLDEN / "example" / "user-data").read_text(encoding="utf-8")
    script = device.script_text()
    assert len(script.splitlines()) > 500
    lines = script.splitlines(keepends=True)
    assert "".join(f"        {line}" if line.strip() else line for line in lines) in text
    assert SCRIPT_STAND_IN.splitlines()[1] not in text
