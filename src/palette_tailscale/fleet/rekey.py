"""Re-mint exactly what needs it: ``fleet provision --rotate --state expired|expiring``.

The hosts are chosen the way ``fleet status`` shows them (:mod:`.keystate`): a host whose
device joined used its key and is never chosen, however old that key is. After the run, every
host whose files now carry a different key than before needs its stick written again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from ..tailnet.base import Backend
from . import artifacts
from .keyhistory import KeyHistory, read_histories
from .keystate import DEFAULT_EXPIRING, status_keys, with_states
from .model import FleetHost
from .provision import HostOutcome
from .status import classify


def hosts_in_states(
    hosts: tuple[FleetHost, ...],
    backend: Backend,
    out_dir: Path,
    now: datetime,
    wanted: Collection[str],
    *,
    expiring: timedelta = DEFAULT_EXPIRING,
) -> tuple[FleetHost, ...]:
    """The hosts whose current key is in one of the ``wanted`` states (journal and devices)."""
    found = read_histories(out_dir) or {}
    status = classify(hosts, backend.list_devices(), now)
    chosen = set(with_states(status_keys(status, found, expiring=expiring), wanted))
    return tuple(h for h in hosts if h.name in chosen)


def sticks_to_reflash(
    before: Mapping[str, KeyHistory], outcomes: Iterable[HostOutcome]
) -> list[str]:
    """Hosts that had a key written before and whose files now carry another one."""
    names = []
    for outcome in outcomes:
        history = before.get(outcome.name)
        previous = history.current if history else None
        if previous is not None and outcome.key_id and outcome.key_id != previous.key_id:
            names.append(outcome.name)
    return names


def iso_path(out_dir: Path, name: str) -> Path:
    return artifacts.paths(out_dir, name)[artifacts.ISO]
