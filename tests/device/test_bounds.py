"""The time bound: a `tailscale up` that hangs cannot hold the boot past the deadline."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from ..conftest import require_tool
from .harness import Device


@pytest.mark.slow
@pytest.mark.parametrize("shell", ["dash", "bash"])
@pytest.mark.parametrize("with_timeout", [True, False], ids=["timeout", "watchdog"])
def test_hanging_up_is_cut_at_the_deadline(shell: str, tmp_path: Path, with_timeout: bool) -> None:
    require_tool(shell)
    if with_timeout:
        require_tool("timeout")
    dev = Device(tmp_path)
    path = None if with_timeout else dev.minimal_path()
    # Device.run's subprocess timeout (deadline + 15 s) fails the test if the script hangs.
    run = dev.run(shell, {"up_hang": True}, {"PT_DEADLINE": "2"}, path=path)
    assert run.rc == 1
    assert len(run.ups) == 1
    assert run.ups[0][3] in ("--timeout=1s", "--timeout=2s")
    assert "tailscale up failed (exit" in run.log
    assert "not logged in after 2s; giving up until the next boot" in run.log
    assert run.key_exists


@pytest.mark.slow
def test_lingering_nostate_logs_in_after_settling(tmp_path: Path) -> None:
    # One shell only: the script waits its fixed 10 s settle time before logging in.
    require_tool("dash")
    dev = Device(tmp_path)
    run = dev.run("dash", {"nostate_polls": 1000}, {"PT_DEADLINE": "30"})
    assert run.rc == 0
    assert len(run.ups) == 1
    states = [line.split("BackendState: ")[1] for line in run.log.splitlines() if "State: " in line]
    assert states == ["NoState"]
    assert "logged in (BackendState Running)" in run.log
    # The script's own timestamps show it waited the settle time (a guaranteed lower bound).
    assert stamp(run.log, "BackendState: NoState") + 10 <= stamp(run.log, "try 1:")


def stamp(log: str, text: str) -> int:
    line = next(line for line in log.splitlines() if text in line)
    moment = datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%SZ")
    return int(moment.replace(tzinfo=timezone.utc).timestamp())
