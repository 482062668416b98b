"""The provisioning journal: ``DIR/journal.jsonl``, one JSON record per line, append + fsync.

It records, per host, every step that matters to a resumed run: the intent to mint a key (with
the unique description the key will carry), the minted key's id and expiry, the artifacts written
(their sha256) and every revocation. It never holds a key's secret: that lives only in the host's
``user-data`` and ISO.

A ``kill -9`` can tear the last line; the reader ignores a torn last line (and the writer cuts it
off before appending), so the journal is always the list of records that were fully written.
Only one process writes a journal at a time (an exclusive ``flock``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ..errors import InputError, Mark

JOURNAL_NAME: Final = "journal.jsonl"
VERSION: Final = 1


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every complete record; a torn last line is ignored, a damaged earlier one is an error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    lines = raw.split(b"\n")
    complete, _torn = lines[:-1], lines[-1]
    records: list[dict[str, Any]] = []
    for number, line in enumerate(complete, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            record = None
        if not isinstance(record, dict) or "event" not in record or "host" not in record:
            raise InputError(
                "damaged provisioning journal record",
                mark=Mark(str(path), number, 1),
                hint="move the journal away to start over; keys it lists stay valid",
            )
        records.append(record)
    return records


class Journal:
    """An open journal: holds the lock, appends records durably. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._written = self._synced = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            raise InputError(
                f"{path} is in use: another `fleet` run is working in {path.parent}"
            ) from None
        os.fchmod(self._fd, 0o600)
        self._cut_torn_tail()
        self.records = read_records(path)

    def _cut_torn_tail(self) -> None:
        size = os.fstat(self._fd).st_size
        if not size:
            return
        data = os.pread(self._fd, size, 0)
        keep = data.rfind(b"\n") + 1
        if keep != size:
            os.ftruncate(self._fd, keep)
            os.fsync(self._fd)

    def append(self, event: str, host: str, *, sync: bool = True, **fields: Any) -> None:
        """Write one record; with ``sync`` (the default) it is durable before this returns.

        Threads appending at the same time share one fsync (group commit): an fsync makes every
        record written before it durable, so a thread whose record is already covered skips it.
        """
        record = {"v": VERSION, "event": event, "host": host, **fields}
        line = json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
        with self._lock:
            os.write(self._fd, line.encode("utf-8"))
            self.records.append(record)
            self._written += 1
            mine = self._written
        if sync:
            self._sync(mine)

    def _sync(self, mine: int) -> None:
        with self._sync_lock:
            if self._synced >= mine:
                return
            with self._lock:
                target = self._written
            os.fsync(self._fd)
            self._synced = target

    def close(self) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class CurrentKey:
    """The key a host's written artifacts carry."""

    key_id: str
    expires: str  # ISO 8601, UTC
    files: dict[str, str]  # artifact name -> sha256
    fingerprint: str


@dataclass(slots=True)
class HostState:
    """What the journal says about one host."""

    current: CurrentKey | None = None
    open_intents: list[str] = field(default_factory=list)  # descriptions not known minted
    unfinished: dict[str, str] = field(default_factory=dict)  # key id -> expiry, never written
    superseded: set[str] = field(default_factory=set)  # replaced by a later key, still live
    revoked: set[str] = field(default_factory=set)

    def orphans(self) -> list[str]:
        """Keys minted for this host that no artifact carries and nobody revoked yet."""
        return sorted((set(self.unfinished) | self.superseded) - self.revoked)


def fold(records: list[dict[str, Any]]) -> dict[str, HostState]:
    """Replay the records into one state per host."""
    states: dict[str, HostState] = {}
    for record in records:
        state = states.setdefault(str(record["host"]), HostState())
        _apply(state, record)
    return states


def _apply(state: HostState, record: dict[str, Any]) -> None:
    event = record["event"]
    if event == "intent":
        state.open_intents.append(str(record["description"]))
    elif event in ("minted", "intent-cleared"):
        with contextlib.suppress(ValueError):
            state.open_intents.remove(str(record["description"]))
        if event == "minted":
            state.unfinished[str(record["key_id"])] = str(record["expires"])
    elif event == "written":
        key_id = str(record["key_id"])
        state.unfinished.pop(key_id, None)
        if state.current is not None and state.current.key_id != key_id:
            state.superseded.add(state.current.key_id)
        state.current = CurrentKey(
            key_id, str(record["expires"]), dict(record["files"]), str(record["fingerprint"])
        )
    elif event == "revoked":
        key_id = str(record["key_id"])
        state.revoked.add(key_id)
        state.unfinished.pop(key_id, None)
        state.superseded.discard(key_id)
        if state.current is not None and state.current.key_id == key_id:
            state.current = None
