"""The crash-and-resume test: `fleet provision` killed with SIGKILL mid-run, then run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from palette_tailscale.fleet import artifacts
from palette_tailscale.fleet.iso import build_iso
from palette_tailscale.fleet.journal import JOURNAL_NAME, fold, read_records
from tests.fakes.tailnet_server import FakeTailnet

HOSTS = 24
CONFIG = """version: 1
tailscale:
  tags: [tag:edge]
hosts: {from: hosts.csv}
"""


def _provision(workdir: Path, fake: FakeTailnet) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TAILSCALE_API_KEY": fake.api_key, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "palette_tailscale", "fleet", "provision"]
    command += ["--base-url", fake.url, "--concurrency", "2", "-o", "out"]
    return subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _written(journal: Path) -> int:
    try:
        return sum(1 for r in read_records(journal) if r["event"] == "written")
    except Exception:  # a half-written line while the run is going on
        return 0


def _kill_mid_run(workdir: Path, fake: FakeTailnet) -> None:
    journal = workdir / "out" / JOURNAL_NAME
    target = _written(journal) + HOSTS // 5  # let this run finish a few hosts, then kill it
    process = _provision(workdir, fake)
    deadline = time.monotonic() + 60
    while _written(journal) < target and process.poll() is None:
        assert time.monotonic() < deadline, "provision made no progress"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL


@pytest.mark.parametrize("kills", [1, 3])
def test_killed_provision_resumes_without_double_keys(tmp_path: Path, kills: int) -> None:
    (tmp_path / "palette-tailscale.yaml").write_text(CONFIG)
    rows = "".join(f"edge-{i:03d}\n" for i in range(HOSTS))
    (tmp_path / "hosts.csv").write_text("name\n" + rows)
    with FakeTailnet(latency=0.02) as fake:
        for _ in range(kills):
            _kill_mid_run(tmp_path, fake)
        written_before = _written(tmp_path / "out" / JOURNAL_NAME)
        assert 0 < written_before < HOSTS
        process = _provision(tmp_path, fake)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
        live = [k for k in fake.state.keys.values() if not k.invalid]
        states = fold(read_records(tmp_path / "out" / JOURNAL_NAME))
    # keys minted == hosts: exactly one live key per host, the one its files carry.
    assert len(live) == HOSTS
    assert sorted(k.description.rsplit(" ", 1)[-1] for k in live) == [
        f"edge-{i:03d}" for i in range(HOSTS)
    ]
    for key in live:
        name = key.description.rsplit(" ", 1)[-1]
        files = artifacts.paths(tmp_path / "out", name)
        user_data = files["user-data"].read_bytes()
        assert key.key.encode() in user_data
        assert files["iso"].read_bytes() == build_iso(user_data)
        current = states[name].current
        assert current is not None and current.key_id == key.id
        assert artifacts.check(tmp_path / "out", name, current.files)[0] == "ok"
    # Every key minted and not carried was revoked; no temporary file is left.
    assert all(k.revoked for k in fake.state.keys.values() if k not in live)
    assert list((tmp_path / "out").glob("hosts/*/.*")) == []
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["hosts", JOURNAL_NAME]
    assert b"tskey-auth" not in out + err
