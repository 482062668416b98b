"""The time bound: a command that hangs cannot hold the boot past the deadline.

These wait on real time, so every shell and variant runs at the same time. ``Pending.wait``
fails a run still going DEADLINE_SLACK seconds past its PT_DEADLINE (the schedule within the
deadline is checked to the second on a fake clock in test_clock.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import require_tool
from .harness import DEADLINE_SLACK, Device, Pending

SHELLS = ["dash", "bash"]


def start_each_bound(
    tmp_path: Path, scenario: dict[str, object], env: dict[str, str], label: str = ""
) -> dict[str, Pending]:
    """The scenario under dash and bash, each with coreutils `timeout` and with the script's own
    watchdog (a PATH without `timeout`), all started at once."""
    require_tool("timeout")
    pending: dict[str, Pending] = {}
    for name in SHELLS:
        shell = require_tool(name)
        for bound in ("timeout", "watchdog"):
            key = f"{name}-{bound}{label}"
            device = Device(tmp_path / key)
            path = device.minimal_path() if bound == "watchdog" else None
            pending[key] = device.start(shell, scenario, env, path=path)
    return pending


@pytest.mark.slow
def test_hanging_up_is_cut_at_the_deadline(tmp_path: Path) -> None:
    """With coreutils `timeout`, and with the script's own watchdog (PATH without `timeout`)."""
    pending = start_each_bound(tmp_path, {"up_hang": True}, {"PT_DEADLINE": "2"})
    # Pending.wait fails the test if a script is still running DEADLINE_SLACK s after its deadline.
    for label, job in pending.items():
        run = job.wait()
        assert run.rc == 1, label
        assert len(run.ups) == 1
        assert run.ups[0][3] in ("--timeout=1s", "--timeout=2s")
        assert "tailscale up failed (exit" in run.log
        assert "not logged in after 2s; giving up until the next boot" in run.log
        assert run.key_exists


@pytest.mark.slow
def test_the_deadline_covers_the_hand_off_and_the_version_check(tmp_path: Path) -> None:
    """A `systemd-run` or a `tailscale version` that hangs is cut at the deadline too."""
    require_tool("timeout")
    assert DEADLINE_SLACK < 10  # each of these calls may take 10 s when time is left
    pending: dict[str, Pending] = {}
    for name in SHELLS:
        shell = require_tool(name)
        for hang in ("systemd_run_hang", "version_hang"):
            for bound in ("timeout", "watchdog"):
                device = Device(tmp_path / f"{name}-{hang}-{bound}")
                path = device.minimal_path() if bound == "watchdog" else None
                if hang == "systemd_run_hang":
                    device.systemd_dir.mkdir(parents=True)
                pending[f"{name}-{hang}-{bound}"] = device.start(
                    shell, {hang: True}, {"PT_DEADLINE": "2"}, path=path
                )
    for label, job in pending.items():
        run = job.wait()
        assert run.rc == 1, label
        assert run.ups == [], label
        assert "not logged in after 2s; giving up until the next boot" in run.log, label
        if "systemd_run" in label:
            assert "systemd-run failed; enrolling inline instead" in run.log, label
        else:
            assert "cannot read the version of 'tailscale'; going on" in run.log, label
        assert run.key_exists


def _gone(pid: int) -> bool:
    """Whether ``pid`` has ended (a zombie waiting for its parent has ended too)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.slow
def test_a_command_that_ignores_term_is_killed(tmp_path: Path) -> None:
    """Each bound asks first (SIGTERM), then kills (SIGKILL): `timeout -k 1` and the watchdog."""
    pending = start_each_bound(tmp_path, {"up_hang": "ignore_term"}, {"PT_DEADLINE": "2"})
    for label, job in pending.items():
        run = job.wait()  # fails if the script waited on the command past the deadline
        assert run.rc == 1, label
        assert len(run.ups) == 1, label
        assert (job.device.fake_dir / "up-signals").read_text() == "SIGTERM\n", label
        pid = int((job.device.fake_dir / "up.pid").read_text())
        assert _gone(pid), label


@pytest.mark.slow
def test_a_try_cut_by_its_bound_is_watched_not_repeated(tmp_path: Path) -> None:
    """However the bound ends a hung `up` (timeout: 124, TERM: 143, KILL: 137), tailscaled may
    still be logging in: the script watches it and never starts a second login."""
    codes = {"timeout-True": 124, "watchdog-True": 143}
    codes |= {"timeout-ignore_term": 137, "watchdog-ignore_term": 137}
    env = {"PT_DEADLINE": "5", "PT_UP_TIMEOUT": "1"}
    pending: dict[str, Pending] = {}
    for hang in (True, "ignore_term"):
        pending |= start_each_bound(tmp_path, {"up_hang": hang}, env, label=f"-{hang}")
    for label, job in pending.items():
        code = codes[label.split("-", 1)[1]]
        run = job.wait()
        assert run.rc == 1, label
        assert len(run.ups) == 1, label
        assert f"tailscale up failed (exit {code})" in run.log, label
        assert "tailscaled goes on logging in by itself; watching it until the deadline" in run.log
