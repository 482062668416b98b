"""Bounded concurrency: order kept, errors per item, never more than N at once."""

from __future__ import annotations

import threading
import time

import pytest

from palette_tailscale.errors import InputError
from palette_tailscale.tailnet import run_bulk


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


def test_bugs_are_not_swallowed() -> None:
    def work(_: int) -> None:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        run_bulk(work, [1, 2])


def test_nothing_to_do() -> None:
    assert run_bulk(lambda n: n, []) == []
