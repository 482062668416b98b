"""Each host's keys as the journal tells them: every key written into its files, and revocations.

A replay of ``DIR/journal.jsonl`` (:mod:`.journal`) that keeps what the field commands need:
per host, the keys written (id, expiry, the sha256 of each file) in order, so the last one is
what the host's files carry now and an older medium can be matched by its digest, and the set
of keys revoked. Never a key's secret: the journal holds none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import InputError
from .journal import JOURNAL_NAME, read_records


@dataclass(frozen=True, slots=True)
class WrittenKey:
    """A key the journal recorded as written into the host's files."""

    key_id: str
    expires: datetime
    files: Mapping[str, str]  # artifact name (user-data, meta-data, iso) -> sha256


@dataclass(slots=True)
class KeyHistory:
    """Every key written for one host, oldest first, and which were revoked."""

    written: list[WrittenKey] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)

    @property
    def current(self) -> WrittenKey | None:
        """The key the host's files carry now (it may have been revoked since)."""
        return self.written[-1] if self.written else None

    def by_digest(self, name: str, digest: str) -> WrittenKey | None:
        """The newest written key whose artifact ``name`` had this sha256."""
        for written in reversed(self.written):
            if written.files.get(name) == digest:
                return written
        return None


def histories(records: Iterable[Mapping[str, Any]]) -> dict[str, KeyHistory]:
    """Replay journal records (``journal.read_records``) into one key history per host."""
    found: dict[str, KeyHistory] = {}
    for record in records:
        event = record.get("event")
        if event not in ("written", "revoked"):
            continue
        history = found.setdefault(str(record["host"]), KeyHistory())
        key_id = str(record.get("key_id", ""))
        if event == "revoked":
            history.revoked.add(key_id)
            continue
        files = record.get("files")
        history.written.append(
            WrittenKey(
                key_id,
                parse_time(record.get("expires"), f"journal: {record['host']}: key {key_id}"),
                {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {},
            )
        )
    return found


def read_histories(out_dir: Path) -> dict[str, KeyHistory] | None:
    """The key histories of ``DIR/journal.jsonl``; None when the directory has no journal.

    Read without the journal's lock: a run writing it meanwhile only adds records (a torn last
    line is ignored).
    """
    path = out_dir / JOURNAL_NAME
    if not path.is_file():
        return None
    try:
        return histories(read_records(path))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def parse_time(value: object, what: str) -> datetime:
    """An ISO 8601 timestamp (``Z`` or an offset) as an aware UTC datetime."""
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{what}: {value!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)
