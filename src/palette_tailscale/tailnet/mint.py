"""Creating a key without ever blindly repeating a request that may have succeeded.

A ``POST …/keys`` whose answer was lost (connection broken after sending, 500/502/504) may have
minted a key. Its secret is gone with the answer, so the key is useless and must not live on:
before trying again we look for it (the backend matches what it sent: Tailscale's description
and creation time, Headscale's exact expiration time) and revoke what we find (reference §7).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from .base import CreatedKey
from .errors import OutcomeUnknown
from .redaction import get_logger

log = get_logger()
ATTEMPTS = 3


def create_key_safely(
    send: Callable[[], CreatedKey],
    find_orphans: Callable[[], Sequence[str]],
    revoke: Callable[[str], None],
    pause: Callable[[int], None],
    *,
    attempts: int = ATTEMPTS,
) -> CreatedKey:
    """``send`` until it answers; after an unknown outcome, revoke orphans, wait, try again."""
    last: OutcomeUnknown | None = None
    for attempt in range(1, attempts + 1):
        if last is not None:
            pause(attempt - 1)
        try:
            return send()
        except OutcomeUnknown as exc:
            last = exc
            log.warning("key creation outcome unknown (%s); looking for a lost key", exc)
            for key_id in find_orphans():
                log.warning("revoking key %s: created by a request whose answer was lost", key_id)
                revoke(key_id)
    assert last is not None
    raise last


class InFlight:
    """Counts creations in progress per match token, so a sibling's key is never revoked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count: Counter[str] = Counter()
        self.issued: set[str] = set()

    @contextmanager
    def track(self, token: str) -> Iterator[None]:
        with self._lock:
            self._count[token] += 1
        try:
            yield
        finally:
            with self._lock:
                self._count[token] -= 1

    def alone(self, token: str) -> bool:
        """True when only the caller is creating a key with this token."""
        with self._lock:
            return self._count[token] <= 1

    def add_issued(self, key_id: str) -> None:
        with self._lock:
            self.issued.add(key_id)

    def was_issued(self, key_id: str) -> bool:
        with self._lock:
            return key_id in self.issued
