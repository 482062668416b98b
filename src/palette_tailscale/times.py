"""The one time style of every command, in tables, messages and JSON: ``2026-12-05T10:00:00Z``.

ISO 8601, UTC, to the second. A connected device has no last-seen time of its own: tables say
``now`` and JSON gives the time of the check, both from the same record.
"""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    """The current time, aware, UTC (the one clock the commands read; tests set it)."""
    return datetime.now(timezone.utc)


def utc_text(when: datetime) -> str:
    """``when`` as ``2026-12-05T10:00:00Z`` (a naive time is taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_or_none(when: datetime | None) -> str | None:
    return utc_text(when) if when is not None else None
