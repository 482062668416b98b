"""`fleet provision` stopped by SIGTERM or Ctrl-C: it ends promptly and the journal resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from palette_tailscale.fleet.journal import JOURNAL_NAME, fold, read_records
from tests.fakes.tailnet_server import FakeTailnet

HOSTS = 120
CONFIG = "version: 1\ntailscale:\n  tags: [tag:edge]\nhosts: {from: hosts.csv}\n"


def _start(workdir: Path, fake: FakeTailnet) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TAILSCALE_API_KEY": fake.api_key, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "palette_tailscale", "fleet", "provision"]
    command += ["--base-url", fake.url, "--concurrency", "2", "-o", "out"]
    return subprocess.Popen(
        command,
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _written(journal: Path) -> int:
    try:
        return sum(1 for r in read_records(journal) if r["event"] == "written")
    except Exception:  # a line being written
        return 0


@pytest.mark.parametrize(("how", "code"), [("term", 143), ("ctrl-c", 130)])
def test_a_stopped_provision_ends_and_resumes(tmp_path: Path, how: str, code: int) -> None:
    (tmp_path / "palette-tailscale.yaml").write_text(CONFIG)
    rows = "".join(f"edge-{i:03d}\n" for i in range(HOSTS))
    (tmp_path / "hosts.csv").write_text("name\n" + rows)
    journal = tmp_path / "out" / JOURNAL_NAME
    with FakeTailnet(latency=0.03) as fake:
        process = _start(tmp_path, fake)
        deadline = time.monotonic() + 60
        while _written(journal) < 5:
            assert time.monotonic() < deadline and process.poll() is None, "no progress"
            time.sleep(0.01)
        if how == "term":
            process.send_signal(signal.SIGTERM)
        else:
            os.killpg(process.pid, signal.SIGINT)
        # The hosts in flight finish their request (each takes the fake's 30 ms here).
        _, err = process.communicate(timeout=30)
        assert process.returncode == code, err.decode()
        assert b"Traceback" not in err
        done = _written(journal)
        assert done < HOSTS, "the run went on after it was stopped"
        again = _start(tmp_path, fake)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err.decode()
        live = [k for k in fake.state.keys.values() if not k.invalid]
    assert out.decode().splitlines()[-1].startswith(f"{HOSTS} hosts: {HOSTS - done} minted")
    states = fold(read_records(journal))
    assert sorted(s.current.key_id for s in states.values() if s.current) == sorted(
        k.id for k in live
    )
    assert len(live) == HOSTS
