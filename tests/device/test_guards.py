"""The ``if:`` guards our user-data steps carry, run by a real POSIX shell as yip runs them
(``sh -c``), with the absolute paths moved under a temporary root."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from palette_tailscale import device
from palette_tailscale.kairos import INSTALLED_GUARD, KEY_GUARD

from ..conftest import REPO, require_tool

# tailscaled.state as the real tailscaled 1.98 writes it (values are base64), before and after
# its first login (seen in tests/e2e).
FRESH = '{\n  "_machinekey": "cHJpdmtleTo4ODNm"\n}'
JOINED = (
    '{\n  "_current-profile": "cHJvZmlsZS01MDE4",\n  "_machinekey": "cHJpdmtleTo4ODNm",\n'
    '  "_profiles": "eyI1MDE4Ijp7fX0=",\n  "profile-5018": "e30="\n}'
)


def holds(guard: str, root: Path, shell: str) -> bool:
    moved = guard.replace("/run/cos", f"{root}/run/cos").replace(
        "/var/lib/tailscale", f"{root}/var/lib/tailscale"
    )
    return subprocess.run([shell, "-c", moved], check=False).returncode == 0


@pytest.mark.parametrize("shell", ["dash", "bash"])
@pytest.mark.parametrize(
    ("mode", "state", "installed", "key"),
    [
        ("active_mode", None, True, True),
        ("passive_mode", None, True, True),
        ("active_mode", "", True, True),
        ("active_mode", "{}", True, True),  # what tailscaled writes when it starts
        ("active_mode", FRESH, True, True),  # a machine key, no login yet
        ("active_mode", JOINED, True, False),  # logged in: the key is never written again
        ("passive_mode", JOINED, True, False),
        ("live_mode", None, False, False),
        ("recovery_mode", None, False, False),
        ("autoreset_mode", None, False, False),
    ],
)
def test_guards(
    tmp_path: Path, shell: str, mode: str, state: str | None, installed: bool, key: bool
) -> None:
    sh = require_tool(shell)
    (tmp_path / "run" / "cos").mkdir(parents=True)
    (tmp_path / "run" / "cos" / mode).write_text("")
    (tmp_path / "var" / "lib" / "tailscale").mkdir(parents=True)
    if state is not None:
        (tmp_path / "var" / "lib" / "tailscale" / "tailscaled.state").write_text(state)
    assert holds(INSTALLED_GUARD, tmp_path, sh) is installed
    assert holds(KEY_GUARD, tmp_path, sh) is key


def test_the_script_and_the_config_agree_on_the_oldest_tailscale() -> None:
    script = (REPO / "src" / "palette_tailscale" / "device" / "enroll.sh").read_text()
    major = re.search(r"^MIN_MAJOR=(\d+)$", script, re.M)
    minor = re.search(r"^MIN_MINOR=(\d+)$", script, re.M)
    assert major and minor
    assert (int(major.group(1)), int(minor.group(1))) == device.MIN_TAILSCALE == (1, 26)
