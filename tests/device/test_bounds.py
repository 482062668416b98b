"""The time bound: a `tailscale up` that hangs cannot hold the boot past the deadline."""

from __future__ import annotations

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
