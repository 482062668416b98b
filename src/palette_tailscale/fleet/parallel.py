"""Rendering a large fleet on every core: chunks of hosts on a pool of forked worker processes.

Rendering is CPU work in Python, so threads would not help. The workers are forked after the
config and the key are in memory, so nothing secret is ever pickled; only hosts go to the
workers and host names come back. Where ``fork`` does not exist, rendering stays in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from ..config import LoadedConfig
from ..secrets import Secret
from ..workers import orphaned, start_worker
from . import artifacts
from .model import FleetHost

CHUNK: Final = 250  # hosts per task: large enough to amortise the hand-over, small for balance

_WORK: dict[str, Any] = {}  # what the forked workers inherit


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def default_jobs(hosts: int) -> int:
    """One process per core for fleets of several chunks; in-process otherwise."""
    return min(os.cpu_count() or 1, max(1, hosts // CHUNK))


def render_chunks(
    loaded: LoadedConfig,
    hosts: tuple[FleetHost, ...],
    out_dir: Path,
    key: Secret | None,
    jobs: int,
) -> Iterator[list[str]]:
    """Render and write every host on ``jobs`` processes; yields each finished chunk's names."""
    chunks = [hosts[i : i + CHUNK] for i in range(0, len(hosts), CHUNK)]
    _WORK.update(loaded=loaded, out_dir=out_dir, key=key)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, initializer=start_worker, initargs=(os.getpid(),)) as pool:
            # Leaving this block early (an error, Ctrl-C, SIGTERM) terminates the workers.
            yield from pool.imap_unordered(_render_chunk, chunks)
    finally:
        _WORK.clear()


def _render_chunk(hosts: tuple[FleetHost, ...]) -> list[str]:
    from .render import render_host

    loaded, out_dir, key = _WORK["loaded"], _WORK["out_dir"], _WORK["key"]
    for host in hosts:
        if orphaned():
            os._exit(1)  # nobody is waiting for these files
        made = artifacts.HostArtifacts.from_user_data(render_host(loaded, host, key))
        artifacts.write(out_dir, host.name, made, secret=key is not None)
    return [host.name for host in hosts]
