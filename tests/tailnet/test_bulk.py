"""Bounded concurrency: order kept, errors per item, never more than N at once."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from palette_tailscale.errors import InputError
from palette_tailscale.tailnet import run_bulk
from palette_tailscale.tailnet.bulk import MAX_CONCURRENCY, Outcome


def test_results_in_input_order_with_errors_per_item() -> None:
    def work(n: int) -> int:
        if n % 3 == 0:
            raise InputError(f"bad {n}")
        return n * 10

    outcomes = run_bulk(work, range(1, 8), concurrency=4)
    assert [o.item for o in outcomes] == list(range(1, 8))
    assert [o.value for o in outcomes if o.ok] == [10, 20, 40, 50, 70]
    assert [str(o.error) for o in outcomes if not o.ok] == ["bad 3", "bad 6"]


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_concurrency_is_bounded(limit: int) -> None:
    lock = threading.Lock()
    running = [0, 0]

    def work(_: int) -> None:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        time.sleep(0.005)
        with lock:
            running[0] -= 1

    run_bulk(work, range(24), concurrency=limit)
    assert 1 <= running[1] <= limit


@pytest.mark.parametrize(("limit", "items"), [(2, 6), (3, 3), (8, 24), (8, 5)])
def test_work_runs_in_parallel_up_to_the_limit(limit: int, items: int) -> None:
    # Each group of workers meets at a barrier: a serial run, or fewer threads than the limit
    # (or than the items, when there are fewer items), never completes the group and breaks it.
    group = min(limit, items)
    barrier = threading.Barrier(group, timeout=30)
    threads: set[str] = set()

    def work(n: int) -> int:
        threads.add(threading.current_thread().name)
        barrier.wait()
        return n

    outcomes = run_bulk(work, range(items), concurrency=limit)
    assert [o.unwrap() for o in outcomes] == list(range(items))
    assert len(threads) == group
    # Named, so a log record or a stack dump says which threads are the bulk workers.
    assert all(name.startswith("tailnet_") for name in threads)


def test_eight_at_once_by_default() -> None:
    threads: set[str] = set()
    lock = threading.Lock()
    barrier = threading.Barrier(8, timeout=30)

    def work(_: int) -> None:
        with lock:
            threads.add(threading.current_thread().name)
        barrier.wait()

    run_bulk(work, range(16))
    assert len(threads) == 8


def test_one_at_a_time_runs_in_the_calling_thread() -> None:
    # No pool for a serial run: Ctrl-C and thread-bound state reach the work directly.
    seen = [n for n in run_bulk(lambda _: threading.current_thread(), range(3), concurrency=1)]
    assert all(o.unwrap() is threading.main_thread() for o in seen)


def test_on_done_sees_every_outcome() -> None:
    seen: list[int] = []
    lock = threading.Lock()

    def done(outcome: Outcome[int, int]) -> None:
        with lock:
            seen.append(outcome.unwrap())

    run_bulk(lambda n: n * 2, range(10), concurrency=3, on_done=done)
    assert sorted(seen) == [n * 2 for n in range(10)]


def test_concurrency_is_capped() -> None:
    threads: set[str] = set()
    lock = threading.Lock()
    assert MAX_CONCURRENCY == 64  # the documented cap, whatever a caller asks for
    barrier = threading.Barrier(MAX_CONCURRENCY, timeout=30)

    def work(_: int) -> None:
        with lock:
            threads.add(threading.current_thread().name)
        barrier.wait()

    run_bulk(work, range(MAX_CONCURRENCY * 2), concurrency=MAX_CONCURRENCY * 4)
    assert len(threads) == MAX_CONCURRENCY


def test_an_outcome_unwraps_to_its_value_or_raises_its_error() -> None:
    error = InputError("bad")
    assert Outcome(1, value=10).unwrap() == 10
    with pytest.raises(InputError) as info:
        Outcome(1, error=error).unwrap()
    assert info.value is error
    with pytest.raises(dataclasses.FrozenInstanceError):
        Outcome(1, value=10).value = 11  # type: ignore[misc]


def test_bugs_are_not_swallowed() -> None:
    def work(_: int) -> None:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        run_bulk(work, [1, 2])


def test_nothing_to_do() -> None:
    assert run_bulk(lambda n: n, []) == []


def test_a_bulk_run_stops_when_the_api_is_gone() -> None:
    # Found by the adversarial pass: `keys revoke` of 3,000 ids with the API down retried each
    # id for its whole budget in turn (hours).
    import threading

    from palette_tailscale.tailnet import ConnectionFailed, NotAttempted
    from palette_tailscale.tailnet.bulk import UNREACHABLE_STOP

    calls = []
    lock = threading.Lock()

    def down(item: int) -> None:
        with lock:
            calls.append(item)
        raise ConnectionFailed("Tailscale API: revoke key: [Errno 111] Connection refused")

    outcomes = run_bulk(down, range(3000), concurrency=4)
    assert len(outcomes) == 3000
    assert len(calls) <= UNREACHABLE_STOP + 4 - 1
    skipped = [o for o in outcomes if isinstance(o.error, NotAttempted)]
    assert len(skipped) == 3000 - len(calls)
    assert str(skipped[0].error).startswith(
        f"not attempted: {UNREACHABLE_STOP} requests in a row could not reach the API (last: "
    )


def test_answers_in_between_keep_a_bulk_run_going() -> None:
    from palette_tailscale.tailnet import ConnectionFailed, NotAttempted

    def flaky(item: int) -> int:
        if item % 4:
            raise ConnectionFailed("refused")
        return item

    outcomes = run_bulk(flaky, range(100), concurrency=1)
    assert sum(1 for o in outcomes if o.ok) == 25
    assert not any(isinstance(o.error, NotAttempted) for o in outcomes)
