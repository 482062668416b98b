"""``fleet revoke-unused``: revoke the keys of hosts that never joined.

A host "never joined" when no tailnet device carries its hostname (``missing`` in
:mod:`.status`). Its journal key, if still live, is revoked and the revocation journalled, so
the next ``fleet provision`` mints the host a fresh key (and a fresh ISO).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import InputError
from ..tailnet.base import Backend
from .journal import JOURNAL_NAME, Journal, fold
from .model import FleetHost
from .plan import expired
from .recovery import revoke
from .status import classify


def check_journal(out_dir: Path) -> None:
    """A directory ``fleet provision`` never wrote to has no keys to revoke: likely a typo."""
    if not (out_dir / JOURNAL_NAME).exists():
        raise InputError(
            f"{out_dir}: no provisioning journal here ({JOURNAL_NAME})",
            hint="pass the -o DIR that `fleet provision` wrote to",
        )


@dataclass(frozen=True, slots=True)
class UnusedKey:
    host: str
    key_id: str
    expires: str


def revoke_unused(
    hosts: tuple[FleetHost, ...],
    backend: Backend,
    out_dir: Path,
    now: datetime,
    *,
    apply: bool,
) -> list[UnusedKey]:
    """The live keys of hosts with no device; revoked when ``apply`` (else a dry run)."""
    check_journal(out_dir)
    with Journal(out_dir / JOURNAL_NAME) as journal:
        states = fold(journal.records)
        status = classify(hosts, backend.list_devices(), now)
        missing = {h.name for h in status.hosts if h.state == "missing"}
        unused: list[UnusedKey] = []
        for host in hosts:
            current = states[host.name].current if host.name in states else None
            if host.name in missing and current is not None and not expired(current, now):
                unused.append(UnusedKey(host.name, current.key_id, current.expires))
        if apply:
            for item in unused:
                revoke(journal, backend, item.host, item.key_id, reason="never joined")
    return unused
