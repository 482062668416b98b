"""The retry policy as a table: delays, Retry-After parsing, and the testing switch."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
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


def test_retry_after_gets_at_most_a_quarter_second_of_jitter() -> None:
    assert RetryPolicy().delay(3, 2.0, lambda: 1.0) == 2.25
    assert RetryPolicy(jitter=0.1).delay(3, 2.0, lambda: 1.0) == 2.1
    assert RetryPolicy().delay(3, None, lambda: 0.0) == 4.0  # no Retry-After: the backoff


def test_a_custom_policy_is_honoured() -> None:
    policy = RetryPolicy(initial=0.5, multiplier=3.0, max_delay=10.0, jitter=0.0)
    assert [policy.backoff(n, lambda: 1.0) for n in (1, 2, 3, 4)] == [0.5, 1.5, 4.5, 10.0]


def test_retry_after_dates_without_a_zone_are_utc() -> None:
    assert parse_retry_after("Tue, 01 Sep 2026 12:00:30 -0000", NOW) == 30.0


def test_retry_after_dates_are_measured_from_the_clock() -> None:
    seconds = parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT")
    assert seconds is not None and seconds > 365 * 24 * 3600


def test_no_sleep_for_a_zero_or_negative_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(retry.time, "sleep", slept.append)
    retry.set_testing(False)
    retry.default_sleep(0.0)
    retry.default_sleep(-1.0)
    assert slept == []
    retry.default_sleep(0.5)  # a fraction of a second is still a wait
    assert slept == [0.5]
    assert retry.is_testing() is False
    retry.set_testing(True)
    assert retry.is_testing() is True


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retried_statuses(status: int) -> None:
    assert status in retry.RETRYABLE_STATUS


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 501, 505])
def test_statuses_never_retried(status: int) -> None:
    assert status not in retry.RETRYABLE_STATUS


def test_the_default_policy_and_no_retry() -> None:
    assert retry.DEFAULT_POLICY.attempts == 5 and retry.NO_RETRY.attempts == 1
    assert [retry.DEFAULT_POLICY.backoff(n, lambda: 0.0) for n in range(1, 7)] == [
        1.0, 2.0, 4.0, 8.0, 16.0, 30.0,
    ]  # fmt: skip
    assert retry.DEFAULT_POLICY.delay(1, 999.0, lambda: 0.0) == 60.0


def test_a_new_process_really_waits() -> None:
    # The testing switch is off unless a test turns it on: production never skips a back-off.
    code = "from palette_tailscale.tailnet import retry; print(retry.is_testing())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False\n"


def test_the_shared_default_policy_cannot_be_changed() -> None:
    # Every client holds DEFAULT_POLICY: one caller changing it would change them all.
    with pytest.raises(dataclasses.FrozenInstanceError):
        retry.DEFAULT_POLICY.attempts = 1  # type: ignore[misc]
