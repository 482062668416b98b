"""Lenient readers for API answers: unknown fields ignored, missing ones defaulted.

Reference §7: no ``lastSeen``, ``created == ""``, both route spellings, IDs as strings or
numbers. A value of the wrong shape where a record is required is a :class:`BadResponse`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from .errors import BadResponse

_ZERO_YEARS = (1, 1970)  # Go's zero time and the Unix epoch both mean "never"


def as_map(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadResponse(f"unexpected answer for {what}: expected a JSON object")
    return value


_KEY_TEXT = re.compile(r"[\x21-\x7e]{1,512}")  # a key: printable ASCII, tens of characters


def minted_key(value: Any, what: str) -> str:
    """The secret of a key an API just minted; :class:`BadResponse` when the answer has none,
    or something no key looks like (a line break would end up in user-data)."""
    if not isinstance(value, str) or not value:
        raise BadResponse(f"{what}: the answer carries no key")
    if not _KEY_TEXT.fullmatch(value):
        raise BadResponse(
            f"{what}: the answer's key is no key ({len(value)} characters, not all printable "
            "ASCII without spaces)"
        )
    return value


def as_list(value: Any, what: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadResponse(f"unexpected answer for {what}: expected a JSON list")
    return [as_map(item, what) for item in value]


def text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (str, int, float)):
        return str(value)
    return ""


def flag(value: Any, default: bool = False) -> bool:
    return value if isinstance(value, bool) else default


def strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if isinstance(item, (str, int)))


def timestamp(value: Any) -> datetime | None:
    """An RFC 3339 time (any fraction length, ``Z`` or offset); empty or zero time → None."""
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    raw = _trim_fraction(raw)
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if when.year in _ZERO_YEARS and when.month == 1 and when.day == 1:
        return None
    return when


def _trim_fraction(raw: str) -> str:
    # Go writes up to 9 fractional digits; Python 3.10 reads at most 6.
    if "." not in raw:
        return raw
    head, _, rest = raw.partition(".")
    digits = ""
    while rest and rest[0].isdigit():
        digits, rest = digits + rest[0], rest[1:]
    return f"{head}.{(digits + '000000')[:6]}{rest}"


def rfc3339(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
