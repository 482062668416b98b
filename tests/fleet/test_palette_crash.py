"""`fleet provision --palette` killed with SIGKILL while registering hosts, then run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from palette_tailscale.fleet.journal import JOURNAL_NAME, read_records
from tests.fakes.palette_server import FakePalette
from tests.fakes.tailnet_server import FakeTailnet

HOSTS = 16
CONFIG = """version: 1
palette:
  project: Default
tailscale:
  tags: [tag:edge]
hosts: {from: hosts.csv}
"""


def _provision(
    workdir: Path, palette: FakePalette, tailnet: FakeTailnet
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "TAILSCALE_API_KEY": tailnet.api_key,
        "TAILSCALE_BASE_URL": tailnet.url,
        "PALETTE_API_KEY": palette.api_key,
        "PALETTE_BASE_URL": palette.url,
    }
    command = [sys.executable, "-m", "palette_tailscale", "fleet", "provision", "--palette"]
    return subprocess.Popen(
        [*command, "--concurrency", "1", "-o", "out"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _registered(journal: Path) -> int:
    try:
        return sum(1 for r in read_records(journal) if r["event"] == "palette-registered")
    except Exception:  # a half-written line while the run is going on
        return 0


def test_killed_registration_resumes_without_posting_twice(tmp_path: Path) -> None:
    (tmp_path / "palette-tailscale.yaml").write_text(CONFIG)
    rows = "".join(f"edge-{i:03d}\n" for i in range(HOSTS))
    (tmp_path / "hosts.csv").write_text("name\n" + rows)
    journal = tmp_path / "out" / JOURNAL_NAME
    with FakePalette(latency=0.03) as palette, FakeTailnet() as tailnet:
        process = _provision(tmp_path, palette, tailnet)
        deadline = time.monotonic() + 60
        while _registered(journal) < HOSTS // 4 and process.poll() is None:
            assert time.monotonic() < deadline, "provision made no progress"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL
        before = _registered(journal)
        assert 0 < before < HOSTS
        process = _provision(tmp_path, palette, tailnet)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
        posts = [
            (r.json or {}).get("metadata", {}).get("uid")
            for r in palette.requests
            if r.method == "POST" and r.path == "/v1/edgehosts"
        ]
        hosts = sorted(palette.state.edge_hosts)
    names = [f"edge-{i:03d}" for i in range(HOSTS)]
    assert hosts == names and sorted(posts) == names  # one POST per host, none twice
    text = out.decode()
    assert "existing" not in text  # every edge host is known as this tool's own
    summary = f"Palette: {HOSTS} hosts: {HOSTS - before} registered, {before} kept"
    assert text.splitlines()[-1] == summary
    last = {
        r["host"]: r["event"] for r in read_records(journal) if r["event"].startswith("palette")
    }
    assert set(last.values()) == {"palette-registered"} and sorted(last) == names
