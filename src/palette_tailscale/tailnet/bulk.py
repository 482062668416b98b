"""Bounded concurrency for bulk operations (many keys, many deletions).

Threads, because the work is waiting on HTTP; ``DEFAULT_CONCURRENCY`` (8) requests in flight
is enough to hide a round trip of tens of milliseconds without tripping rate limits, and every
429 is still absorbed by the client's retries. Results come back in input order, one
:class:`Outcome` per item, so one failure never hides the others.

When the API goes away, each item would spend the whole retry budget in turn (3,000 keys to
revoke: hours). After :data:`UNREACHABLE_STOP` items in a row could not reach it (connection
failures, 5xx after every retry), the items not started yet are not attempted; their outcome is
:class:`~.errors.NotAttempted`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from ..errors import PaletteTailscaleError
from .errors import ConnectionFailed, NotAttempted, ServerError

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64
UNREACHABLE_STOP = 5  # items in a row that could not reach the API stop a bulk run


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T, R]):
    """The result of one item: ``value`` or ``error``, never both."""

    item: T
    value: R | None = None
    error: PaletteTailscaleError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> R:
        if self.error is not None:
            raise self.error
        return cast(R, self.value)


def run_bulk(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_done: Callable[[Outcome[T, R]], None] | None = None,
) -> list[Outcome[T, R]]:
    """Apply ``func`` to every item with at most ``concurrency`` running at once.

    Expected failures (:class:`PaletteTailscaleError`) become ``Outcome.error``; anything else
    is a bug and propagates. ``on_done`` is called as each item finishes (any order).
    """
    todo: Sequence[T] = list(items)
    if not todo:
        return []
    workers = max(1, min(concurrency, MAX_CONCURRENCY, len(todo)))
    breaker = _Breaker()

    def one(item: T) -> Outcome[T, R]:
        if breaker.stopped is not None:
            outcome: Outcome[T, R] = Outcome(item, error=NotAttempted(breaker.stopped))
        else:
            try:
                outcome = Outcome(item, value=func(item))
            except PaletteTailscaleError as exc:
                outcome = Outcome(item, error=exc)
            breaker.record(outcome.error)
        if on_done is not None:
            on_done(outcome)
        return outcome

    if workers == 1:
        return [one(item) for item in todo]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tailnet") as pool:
        return list(pool.map(one, todo))


class _Breaker:
    """Counts items in a row that found the API unreachable; past the limit, says why."""

    def __init__(self) -> None:
        self.stopped: str | None = None
        self._row = 0
        self._lock = threading.Lock()

    def record(self, error: PaletteTailscaleError | None) -> None:
        with self._lock:
            if not isinstance(error, (ConnectionFailed, ServerError)):
                self._row = 0
                return
            self._row += 1
            if self._row >= UNREACHABLE_STOP and self.stopped is None:
                self.stopped = (
                    f"not attempted: {UNREACHABLE_STOP} requests in a row could not reach the "
                    f"API (last: {error})"
                )
