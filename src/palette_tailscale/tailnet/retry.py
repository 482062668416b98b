"""What is retried, and how long to wait (reference §1.3).

Retried: 429, 500, 502, 503, 504, and connection errors or timeouts. Never any other 4xx.
Backoff: 1 s, doubling, capped at 30 s, plus up to 1 s of jitter, 5 tries in all; a
``Retry-After`` (seconds or HTTP-date) replaces the backoff, capped at 60 s.

Tests make every wait instant with :func:`set_testing` (like ``stamina.set_testing``); the
computed delays are still passed to the client's ``sleep`` hook so they can be asserted.

Why not stamina: its waits go through tenacity's ``time.sleep`` with no way to inject a clock,
and its test mode turns every wait into zero, so neither the tests nor the benchmarks could see
the delays this policy promises (Retry-After honoured, backoff doubling) nor run the
rate-limit scenarios on a simulated clock. The decisions that matter here are per request and
read best in one loop (``HttpClient.request``): a key-creating POST whose answer was lost is
never repeated, a refreshed OAuth token is not a try, a probe's 500 is an answer, and each wait
is logged before it starts (``-v``, and a notice past two seconds).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})

_testing = False


def set_testing(on: bool) -> None:
    """Make every retry wait instant (the delays are still computed and reported)."""
    global _testing
    _testing = on


def is_testing() -> bool:
    return _testing


def default_sleep(seconds: float) -> None:
    if not _testing and seconds > 0:
        time.sleep(seconds)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    initial: float = 1.0
    multiplier: float = 2.0
    max_delay: float = 30.0
    jitter: float = 1.0
    retry_after_cap: float = 60.0

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Delay after failed try number ``attempt`` (1-based)."""
        base = min(self.max_delay, self.initial * self.multiplier ** (attempt - 1))
        return min(self.max_delay, base + rand() * self.jitter)

    def delay(
        self, attempt: int, retry_after: float | None, rand: Callable[[], float] = random.random
    ) -> float:
        if retry_after is not None:
            # A little jitter spreads workers that were all told the same second.
            return min(self.retry_after_cap, retry_after) + rand() * min(0.25, self.jitter)
        return self.backoff(attempt, rand)


DEFAULT_POLICY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP-date measured from ``now``."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())
