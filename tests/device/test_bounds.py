"""The time bound: a `tailscale up` that hangs cannot hold the boot past the deadline.

These wait on real time, so every shell and variant runs at the same time.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from ..conftest import require_tool
from .harness import Device, Pending, run_in_parallel

SHELLS = ["dash", "bash"]


@pytest.mark.slow
def test_hanging_up_is_cut_at_the_deadline(tmp_path: Path) -> None:
    """With coreutils `timeout`, and with the script's own watchdog (PATH without `timeout`)."""
    require_tool("timeout")
    pending: dict[str, Pending] = {}
    for name in SHELLS:
        shell = require_tool(name)
        for bound in ("timeout", "watchdog"):
            device = Device(tmp_path / f"{name}-{bound}")
            path = device.minimal_path() if bound == "watchdog" else None
            pending[f"{name}-{bound}"] = device.start(
                shell, {"up_hang": True}, {"PT_DEADLINE": "2"}, path=path
            )
    # Pending.wait fails the test if a script is still running 15 s after its deadline.
    for label, job in pending.items():
        run = job.wait()
        assert run.rc == 1, label
        assert len(run.ups) == 1
        assert run.ups[0][3] in ("--timeout=1s", "--timeout=2s")
        assert "tailscale up failed (exit" in run.log
        assert "not logged in after 2s; giving up until the next boot" in run.log
        assert run.key_exists


@pytest.mark.slow
def test_lingering_nostate_logs_in_after_settling(tmp_path: Path) -> None:
    shells = [require_tool(name) for name in SHELLS]
    runs = run_in_parallel(tmp_path, shells, {"nostate_polls": 1000}, {"PT_DEADLINE": "30"})
    for shell, (_, run) in runs.items():
        assert run.rc == 0, shell
        assert len(run.ups) == 1
        states = [line.split("State: ")[1] for line in run.log.splitlines() if "State: " in line]
        assert states == ["NoState"]
        assert "logged in (BackendState Running)" in run.log
        # The script's own timestamps show it waited the 10 s settle time (a lower bound).
        assert stamp(run.log, "BackendState: NoState") + 10 <= stamp(run.log, "try 1:")


def stamp(log: str, text: str) -> int:
    line = next(line for line in log.splitlines() if text in line)
    moment = datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%SZ")
    return int(moment.replace(tzinfo=timezone.utc).timestamp())
