"""The retry policy as a table: delays, Retry-After parsing, and the testing switch."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from palette_tailscale.tailnet import retry
from palette_tailscale.tailnet.retry import RetryPolicy, parse_retry_after

NOW = datetime(2026, 9, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 0.5 ", 0.5),
        ("-4", 0.0),
        ("Tue, 01 Sep 2026 12:00:30 GMT", 30.0),
        ("Tue, 01 Sep 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [
        (1, 1.0, 2.0),
        (2, 2.0, 3.0),
        (3, 4.0, 5.0),
        (5, 16.0, 17.0),
        (6, 30.0, 30.0),
        (9, 30.0, 30.0),
    ],
)
def test_backoff_doubles_with_jitter_and_a_cap(attempt: int, low: float, high: float) -> None:
    policy = RetryPolicy()
    assert policy.backoff(attempt, lambda: 0.0) == low
    assert policy.backoff(attempt, lambda: 1.0) == high


def test_retry_after_replaces_backoff_and_is_capped() -> None:
    policy = RetryPolicy()
    assert policy.delay(4, 2.0, lambda: 0.0) == 2.0
    assert policy.delay(1, 500.0, lambda: 0.0) == 60.0


def test_testing_switch_skips_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(retry.time, "sleep", slept.append)
    retry.default_sleep(5.0)
    assert slept == []
    retry.set_testing(False)
    retry.default_sleep(5.0)
    assert slept == [5.0]
