"""Bounded concurrency for bulk operations (many keys, many deletions).

Threads, because the work is waiting on HTTP; ``DEFAULT_CONCURRENCY`` (8) requests in flight
is enough to hide a round trip of tens of milliseconds without tripping rate limits, and every
429 is still absorbed by the client's retries. Results come back in input order, one
:class:`Outcome` per item, so one failure never hides the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from ..errors import PaletteTailscaleError

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64


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

    def one(item: T) -> Outcome[T, R]:
        try:
            outcome: Outcome[T, R] = Outcome(item, value=func(item))
        except PaletteTailscaleError as exc:
            outcome = Outcome(item, error=exc)
        if on_done is not None:
            on_done(outcome)
        return outcome

    if workers == 1:
        return [one(item) for item in todo]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tailnet") as pool:
        return list(pool.map(one, todo))
