"""Secrets are a type, not a string.

A :class:`Secret` holds a value that must never reach a log, an error, a repr or stdout. The
only way to read it is :meth:`Secret.reveal`, called by the code that writes the artifact that
must carry it. :func:`redact` scrubs anything that looks like a Tailscale or Headscale key from
free text (HTTP bodies, error messages) before it is shown.
"""

from __future__ import annotations

import re
from typing import Final

REDACTED: Final = "***"

# tskey-auth-…, tskey-api-…, tskey-client-…, hskey-auth-…, and legacy Headscale "<prefix>.<secret>".
_KEY_RE: Final = re.compile(r"\b(tskey|hskey)-([a-z]+)-[A-Za-z0-9_\-]+(?:\?[^\s\"']*)?")
_BEARER_RE: Final = re.compile(r"(?i)(authorization:\s*(?:bearer|basic)\s+)[^\s\"']+")
_KEY_SHAPE_RE: Final = re.compile(r"\b(tskey|hskey)-[a-z]+-")


def looks_like_key(text: str) -> bool:
    """Whether ``text`` holds something shaped like a Tailscale or Headscale key."""
    return bool(_KEY_SHAPE_RE.search(text))


class Secret:
    """A secret value with a harmless repr; ``source`` says where it came from (never the value)."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str) -> None:
        self._value = value
        self.source = source

    def reveal(self) -> str:
        """Return the secret itself; call only where the value must be written."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret(source={self.source!r}, value={REDACTED!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def redact(text: str, *secrets: Secret | str | None) -> str:
    """Remove key-shaped tokens, authorization headers and the given secret values from text."""
    for secret in secrets:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if value and len(value) >= 4:
            text = text.replace(value, REDACTED)
    text = _KEY_RE.sub(lambda m: f"{m.group(1)}-{m.group(2)}-{REDACTED}", text)
    return _BEARER_RE.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
