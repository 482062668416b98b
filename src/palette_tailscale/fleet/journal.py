"""The provisioning journal: ``DIR/journal.jsonl``, one JSON record per line, append + fsync.

It records, per host, every step that matters to a resumed run: the intent to mint a key (with
the unique description the key will carry), the minted key's id and expiry, the artifacts written
(their sha256) and every revocation. It never holds a key's secret: that lives only in the host's
``user-data`` and ISO.

A ``kill -9`` can tear the last line; the reader ignores a torn last line (and the writer cuts it
off before appending), so the journal is always the list of records that were fully written.
Only one process writes a journal at a time: it holds the directory's lock (:mod:`.lock`).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from ..errors import InputError, Mark
from ..inputfile import read_limited
from .lock import lock, ready, undo

JOURNAL_NAME: Final = "journal.jsonl"
MAX_JOURNAL: Final = 512 * 1024 * 1024  # some 400,000 hosts provisioned and rotated
VERSION: Final = 1


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every complete record; a torn last line is ignored, a damaged earlier one is an error."""
    if not path.exists():
        return []
    _check_regular(path)
    raw = read_limited(path, limit=MAX_JOURNAL, label=f"the provisioning journal {path}")
    lines = raw.split(b"\n")
    complete, _torn = lines[:-1], lines[-1]
    records: list[dict[str, Any]] = []
    for number, line in enumerate(complete, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError, RecursionError):
            record = None
        if not _well_formed(record):
            raise InputError(
                "damaged provisioning journal record",
                mark=Mark(str(path), number, 1),
                hint="move the journal away to start over; keys it lists stay valid",
            )
        records.append(record)
    return records


# The fields each event carries, and what each field must be (the records fold() replays).
_TEXT, _TIME, _FILES = "text", "time", "files"
_FIELDS: Final = {
    "intent": {"description": _TEXT},
    "intent-cleared": {"description": _TEXT},
    "minted": {"description": _TEXT, "key_id": _TEXT, "expires": _TIME},
    "written": {"key_id": _TEXT, "expires": _TIME, "files": _FILES, "fingerprint": _TEXT},
    "revoked": {"key_id": _TEXT},
    "palette-intent": {"uid": _TEXT, "project": _TEXT},
    "palette-existing": {"uid": _TEXT, "project": _TEXT},
    "palette-registered": {"uid": _TEXT, "project": _TEXT},
}


def _well_formed(record: Any) -> bool:
    """An event and a host, and for a known event each field of the right type (an event this
    version does not know is kept but has no effect, as in :func:`fold`)."""
    if not isinstance(record, dict) or not isinstance(record.get("host"), str):
        return False
    event = record.get("event")
    if not isinstance(event, str):
        return False
    fields = _FIELDS.get(event, {})
    return all(_is(record.get(k), kind) for k, kind in fields.items())


def _is(value: Any, kind: str) -> bool:
    if kind == _FILES:
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )
    if not isinstance(value, str):
        return False
    if kind == _TIME:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
        except ValueError:
            return False
    return True


class Journal:
    """An open journal: holds the lock, appends records durably. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._written = self._synced = 0
        self._made = ready(path.parent)
        self._dir_fd = lock(path.parent)
        self._new = not path.exists()
        try:
            _check_regular(path)
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            os.close(self._dir_fd)
            raise InputError(
                f"cannot open the provisioning journal {path}: {exc.strerror}"
            ) from None
        except BaseException:
            os.close(self._dir_fd)
            raise
        try:
            self.records = read_records(path)  # a damaged journal stops the run untouched
        except BaseException:
            self.close()
            raise
        os.fchmod(self._fd, 0o600)
        self._cut_torn_tail()

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
        os.close(self._fd)
        os.close(self._dir_fd)  # lets the directory go

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is not None and self._new and not self._written:
            # A run that failed before its first record leaves no journal nor folder behind.
            with contextlib.suppress(OSError):
                self.path.unlink()
            self.close()
            undo(self._made)
            return
        self.close()


def _check_regular(path: Path) -> None:
    """The journal is a regular file: a FIFO or a device there would hang or lose records."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise InputError(f"the provisioning journal {path} is {kind}; move it away")


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
