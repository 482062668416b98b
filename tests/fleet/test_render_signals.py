"""A large `fleet render` stopped from outside: workers end with it, quietly and at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from palette_tailscale.fleet import parallel

HOSTS = 4000
pytestmark = [
    pytest.mark.skipif(not parallel.available(), reason="needs fork"),
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc"),
]


def _start(tmp_path: Path) -> subprocess.Popen[bytes]:
    (tmp_path / "palette-tailscale.yaml").write_text("version: 1\nhosts: {from: hosts.csv}\n")
    rows = "".join(f"edge-{i:05d}\n" for i in range(HOSTS))
    (tmp_path / "hosts.csv").write_text("name\n" + rows)
    env = {k: v for k, v in os.environ.items() if k != "TS_AUTHKEY"}
    command = [sys.executable, "-m", "palette_tailscale", "fleet", "render", "--jobs", "2"]
    return subprocess.Popen(
        [*command, "-o", "out"],
        cwd=tmp_path,
        env={**env, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so the test can see the workers
    )


def _wait_for_workers(process: subprocess.Popen[bytes]) -> None:
    """Read progress until a chunk came back from a worker (more hosts than the first one)."""
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    for seen, _line in enumerate(iter(process.stdout.readline, b"")):
        if seen > parallel.CHUNK:
            return
        assert time.monotonic() < deadline, "fleet render made no progress"
    pytest.fail("fleet render ended before the workers reported")


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (zombies waiting to be reaped do not count)."""
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state not in ("Z", "X"):
            return True
    return False


def _wait_group_gone(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return True
        time.sleep(0.02)
    os.killpg(pgid, signal.SIGKILL)
    return False


def _hosts_written(tmp_path: Path) -> int:
    return sum(1 for p in (tmp_path / "out" / "hosts").iterdir() if not p.name.startswith("."))


@pytest.mark.parametrize(
    ("how", "code"),
    [("kill-9", -signal.SIGKILL), ("term", 143), ("ctrl-c", 130)],
)
def test_stopped_render_ends_its_workers_without_a_traceback(
    tmp_path: Path, how: str, code: int
) -> None:
    process = _start(tmp_path)
    _wait_for_workers(process)
    if how == "kill-9":
        process.send_signal(signal.SIGKILL)
    elif how == "term":
        process.send_signal(signal.SIGTERM)
    else:  # a terminal sends SIGINT to the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
    gone = _wait_group_gone(process.pid, 3.0)
    _, err = process.communicate(timeout=10)
    assert gone, f"workers outlived a {how} of their parent by more than 3 s"
    assert process.returncode == code
    assert b"Traceback" not in err, err.decode()[-2000:]
    if how != "kill-9":
        expected = "terminated" if how == "term" else "interrupted"
        assert err.decode().splitlines()[-1] == f"palette-tailscale: {expected}"
    written = _hosts_written(tmp_path)
    assert written < HOSTS, "the run went on after it was stopped"
    time.sleep(0.3)
    assert _hosts_written(tmp_path) == written
