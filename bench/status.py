"""Benchmark: ``fleet status`` of 10,000 hosts against both local fake APIs, 20 ms per request.

Each fake (the tailnet's, Palette's) runs in its own process and answers every request after
``--latency`` seconds. The fleet: 10,000 hosts; on the tailnet 95 % of them (a tenth offline)
and 20 strangers carrying the fleet's tag; in Palette 97 % of them (pre-registered hosts without
health, unhealthy ones, hosts in clusters) and 20 unexpected edge hosts. Palette lists 50 edge
hosts a page (its maximum): 201 pages.

Figures, each the best of ``--runs`` runs:

1. the command itself, in-process (``main(["fleet", "status", "--format", …])``, output to a
   buffer), with and without the Palette view: wall time, CPU time of the process, and the share
   of the wall time during which at least one request was on the wire (every request timed at
   the transport);
2. the same command as a user runs it (a new ``python -m palette_tailscale`` process, start-up
   included).

Usage: ``python bench/status.py [--hosts 10000] [--latency 0.02] [--runs 3]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # tests.fakes: the local API servers

CONFIG = """version: 1
palette:
  project: Default
tailscale:
  tags: [tag:edge]
hosts: {from: hosts.csv}
"""
STRANGERS = 20


def host_name(i: int) -> str:
    return f"edge-{i:05d}"


def _serve_tailnet(count: int, latency: float, conn: Connection) -> None:
    from tests.fakes.tailnet_server import FakeTailnet

    now = datetime.now(timezone.utc)
    with FakeTailnet(latency=latency) as fake:
        for i in range(count):
            if i % 20 == 7:
                continue  # 5 % never joined
            online = i % 10 != 3
            seen = None if online else now - timedelta(hours=i % 48)
            fake.state.add_device(host_name(i), online=online, tags=["tag:edge"], last_seen=seen)
        for i in range(STRANGERS):
            fake.state.add_device(f"stranger-{i}", online=True, tags=["tag:edge"])
        conn.send((fake.url, fake.api_key))
        conn.recv()


def _serve_palette(count: int, latency: float, conn: Connection) -> None:
    from tests.fakes.palette_server import FakePalette

    beat = datetime.now(timezone.utc) - timedelta(minutes=1)
    with FakePalette(latency=latency) as fake:
        project = fake.default_project
        for i in range(count):
            if i % 33 == 5:
                continue  # 3 % not registered
            fields: dict[str, Any] = {"health": "healthy", "state": "ready", "modified": beat}
            if i % 25 == 0:
                fields = {}  # pre-registered, never booted
            elif i % 17 == 0:
                fields.update(health="unhealthy")
            if i % 4 == 0 and fields:
                fields.update(state="in-use", clusters=[f"store-{i // 4:04d}"])
            fake.state.add_edge_host(host_name(i), project, **fields)
        for i in range(STRANGERS):
            fake.state.add_edge_host(f"unknown-{i}", project, health="healthy", modified=beat)
        conn.send((fake.url, fake.api_key))
        conn.recv()


@contextlib.contextmanager
def server(target: Callable[..., None], count: int, latency: float) -> Iterator[tuple[str, str]]:
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=target, args=(count, latency, child))
    process.start()
    try:
        yield parent.recv()
    finally:
        parent.send("done")
        process.join()


class Wire:
    """Times every request at the transport: the union of in-flight intervals."""

    def __init__(self) -> None:
        import httpx

        self.intervals: list[tuple[float, float]] = []
        self.lock = threading.Lock()
        original = httpx.HTTPTransport.handle_request
        wire = self

        def timed(transport: Any, request: Any) -> Any:
            start = time.perf_counter()
            response = original(transport, request)
            response.read()  # the body is part of the wait
            with wire.lock:
                wire.intervals.append((start, time.perf_counter()))
            return response

        httpx.HTTPTransport.handle_request = timed  # type: ignore[method-assign]

    def reset(self) -> None:
        with self.lock:
            self.intervals.clear()

    def busy(self) -> float:
        """Seconds during which at least one request was on the wire."""
        total, end = 0.0, float("-inf")
        for start, stop in sorted(self.intervals):
            if stop <= end:
                continue
            total += stop - max(start, end)
            end = stop
        return total


def in_process(workdir: Path, wire: Wire, palette: bool) -> tuple[float, float, float, int]:
    from palette_tailscale.cli.main import main

    key = os.environ.pop("PALETTE_API_KEY", None)
    if palette and key is None:
        raise SystemExit("PALETTE_API_KEY is not set")
    if palette:
        os.environ["PALETTE_API_KEY"] = key or ""
    wire.reset()
    buffer = io.StringIO()
    cwd = Path.cwd()
    os.chdir(workdir)
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        with contextlib.redirect_stdout(buffer):
            code = main(["fleet", "status", "--format", "json", "--exit-zero"])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        os.chdir(cwd)
        if key is not None:
            os.environ["PALETTE_API_KEY"] = key
    assert code == 0, code
    assert ('"palette"' in buffer.getvalue()) == palette
    return wall, cpu, wire.busy(), len(wire.intervals)


def listing_alone(url: str, key: str) -> tuple[float, float, int, float]:
    """Palette's edge host listing by itself, and one page's time when read alone."""
    from palette_tailscale.palette import PaletteSettings, connect_palette
    from palette_tailscale.secrets import Secret

    client = connect_palette(PaletteSettings(base_url=url, api_key=Secret(key, "bench")))
    cpu, wall = time.process_time(), time.perf_counter()
    hosts = client.list_edge_hosts(None)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    start = time.perf_counter()
    for _ in range(10):
        client._page(None)
    one = (time.perf_counter() - start) / 10
    client.close()
    return wall, cpu, len(hosts), one


def as_a_user(workdir: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "palette_tailscale", "fleet", "status", "--exit-zero"],
        cwd=workdir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-status-"))
    (workdir / "palette-tailscale.yaml").write_text(CONFIG)
    rows = "".join(f"{host_name(i)}\n" for i in range(args.hosts))
    (workdir / "hosts.csv").write_text("name\n" + rows)
    wire = Wire()
    with (
        server(_serve_tailnet, args.hosts, args.latency) as tailnet,
        server(_serve_palette, args.hosts, args.latency) as palette,
    ):
        os.environ.update(
            TAILSCALE_BASE_URL=tailnet[0],
            TAILSCALE_API_KEY=tailnet[1],
            PALETTE_BASE_URL=palette[0],
            PALETTE_API_KEY=palette[1],
            NO_COLOR="1",
        )
        print(
            f"fleet status, {args.hosts} hosts, both fake APIs in their own processes, "
            f"{args.latency * 1000:.0f} ms per request; best of {args.runs}"
        )
        for label, with_palette in (("tailnet only", False), ("tailnet + Palette", True)):
            best = min(in_process(workdir, wire, with_palette) for _ in range(args.runs))
            wall, cpu, busy, requests = best
            print(
                f"  {label:<18} in-process: {wall:5.2f} s wall, {cpu:5.2f} s CPU, "
                f"{requests:3d} requests; waiting on the network {busy:5.2f} s = "
                f"{busy / wall:4.0%} of the wall time"
            )
        from palette_tailscale.palette.client import DEFAULT_CONCURRENCY, PAGE

        wall, cpu, count, one = min(listing_alone(*palette) for _ in range(args.runs))
        pages = -(-count // PAGE)
        ideal = one + (pages - 1) * one / DEFAULT_CONCURRENCY
        print(
            f"  Palette listing alone: {count} edge hosts, {pages} pages, {wall:5.2f} s wall, "
            f"{cpu:5.2f} s CPU; one page alone takes {one * 1000:.0f} ms, so "
            f"{DEFAULT_CONCURRENCY} at a time could take {ideal:5.2f} s ({wall / ideal:.2f}x)"
        )
        user = min(as_a_user(workdir) for _ in range(args.runs))
        print(f"  tailnet + Palette  as a user (new process, start-up included): {user:5.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
