"""The script's time on a fake clock: every pause, every `--timeout` and the deadline, exactly.

`date` and `sleep` are fakes here (``Device.fake_clock``): a pause moves the clock on and returns
at once, so a schedule that takes minutes on a device is checked in a second, to the second,
whatever the load of the machine running the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from .conftest import assert_key_never_shown
from .harness import HOSTNAME, Device, Run, expected_up
from .test_boot_once import TIMED_OUT


def run(
    shell: str, device: Device, scenario: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> Run:
    device.fake_clock()
    return device.run(shell, scenario, env)


def timeouts(run: Run) -> list[int]:
    return [int(argv[3].removeprefix("--timeout=").removesuffix("s")) for argv in run.ups]


@pytest.mark.parametrize(
    ("deadline", "pauses"),
    [
        ("3", (1, 2)),
        ("50", (1, 2, 4, 8, 16, 19)),
        ("100", (1, 2, 4, 8, 16, 30, 30, 9)),  # BACKOFF_MAX is 30
    ],
)
def test_backoff_doubles_up_to_its_cap_and_stops_at_the_deadline(
    shell: str, device: Device, deadline: str, pauses: tuple[int, ...]
) -> None:
    run_ = run(shell, device, {"up_failures": -1}, {"PT_DEADLINE": deadline})
    assert run_.rc == 1
    assert run_.sleeps == pauses  # the last pause is cut to the time left
    assert run_.took == int(deadline)
    assert len(run_.ups) == len(pauses)
    assert run_.ups[0][:3] == expected_up(device)[:3]
    assert timeouts(run_) == [min(5, int(deadline) - sum(pauses[:i])) for i in range(len(pauses))]
    assert run_.log.rstrip().endswith(
        f"not logged in after {deadline}s; giving up until the next boot (the key file is kept"
        " for that); tailscaled says: not BackendState"
    )
    assert run_.key_exists
    assert_key_never_shown(run_)


def test_every_try_is_capped_to_the_time_left(shell: str, device: Device) -> None:
    # Each `up` fails only when its --timeout is over (with an error, not a timeout: retried).
    scenario = {"up_failures": -1, "up_seconds": "timeout", "up_output": "backend error: 502"}
    run_ = run(shell, device, scenario, {"PT_DEADLINE": "100", "PT_UP_TIMEOUT": "30"})
    assert run_.rc == 1
    assert timeouts(run_) == [30, 30, 30, 3]  # at 0, 31, 63 and 97 s
    assert run_.sleeps == (1, 2, 4)  # none after the last try: no time left
    assert run_.took == 100
    assert [line.split()[0] for line in run_.log.splitlines() if "try " in line] == [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:31Z",
        "2026-01-01T00:01:03Z",
        "2026-01-01T00:01:37Z",
    ]


def test_a_login_in_flight_is_watched_every_second(shell: str, device: Device) -> None:
    scenario = {
        "up_failures": -1,
        "up_seconds": "timeout",
        "up_output": TIMED_OUT,
        "login_after_failed_up": 4,
    }
    run_ = run(shell, device, scenario)
    assert run_.rc == 0
    assert len(run_.ups) == 1
    # The failed try's backoff, then one look a second until tailscaled reports the login.
    assert run_.sleeps == (1, 1, 1, 1)
    assert run_.took == 5 + 4
    statuses = run_.argvs("tailscale", "status")
    assert len(statuses) == 1 + 1 + 4  # before the try, right after it, then every second


def test_a_login_that_never_ends_is_watched_until_the_deadline(shell: str, device: Device) -> None:
    scenario = {"up_failures": -1, "up_seconds": "timeout", "up_output": TIMED_OUT}
    run_ = run(shell, device, scenario, {"PT_DEADLINE": "20"})
    assert run_.rc == 1
    assert len(run_.ups) == 1
    assert run_.sleeps == (1,) * 15  # up took 5 s; then one look a second
    assert run_.took == 20
    assert run_.log.count("tailscaled: not BackendState") == 1  # said once, not every second


def test_lingering_nostate_logs_in_after_settling(shell: str, device: Device) -> None:
    run_ = run(shell, device, {"nostate_polls": 1000}, {"PT_DEADLINE": "30"})
    assert run_.rc == 0
    assert run_.ups == [expected_up(device)]
    assert run_.sleeps == (1,) * 10  # SETTLE: ten seconds of NoState, polled every second
    states = [line.split("State: ")[1] for line in run_.log.splitlines() if "State: " in line]
    assert states == ["NoState"]
    (try_line,) = [line for line in run_.log.splitlines() if "try 1:" in line]
    assert try_line.startswith("2026-01-01T00:00:10Z ")
    assert "logged in (BackendState Running)" in run_.log


def test_a_daemon_that_never_answers_is_polled_every_second(shell: str, device: Device) -> None:
    scenario = {"daemon_up": False, "systemctl_fails": True}
    run_ = run(shell, device, scenario, {"PT_DEADLINE": "6"})
    assert run_.rc == 1
    assert run_.sleeps == (1,) * 6
    assert run_.took == 6
    assert run_.argvs("systemctl") == [("--no-block", "start", "tailscaled")]  # once
    assert len(run_.argvs("tailscale", "status")) == 6
    assert run_.ups == []


LOGGED_IN = {
    "Running": "logged in (BackendState Running)",
    "Starting": "logged in, connecting (BackendState Starting)",
    "NeedsMachineAuth": "logged in, waiting for approval in the admin console",
    "Stopped": "logged in but stopped by 'tailscale down'; leaving it as it is",
}


@pytest.mark.parametrize("state", list(LOGGED_IN))
@pytest.mark.parametrize("up_ok", [True, False], ids=["up-ok", "up-failed"])
def test_a_state_after_the_try_that_means_logged_in_ends_at_once(
    shell: str, device: Device, state: str, up_ok: bool
) -> None:
    # `up` may fail and still have logged in (approval pending, or it timed out just then).
    scenario = {"up_failures": 0 if up_ok else -1, "after_up": state, "after_failed_up": state}
    run_ = run(shell, device, scenario)
    assert run_.rc == 0
    assert [argv[0] for argv in run_.argvs("tailscale")] == ["version", "status", "up", "status"]
    assert run_.sleeps == ()  # the fresh status right after the try says it: no second look
    assert "BackendState is" not in run_.log
    assert "BackendState: NeedsLogin" in run_.log
    assert not run_.key_exists
    assert f"--hostname={HOSTNAME}" in run_.ups[0]
    assert LOGGED_IN[state] in run_.log  # what the state means, said once
    assert sum(message in run_.log for message in LOGGED_IN.values()) == 1
    assert f"deleted the auth key file {device.key_file}" in run_.log


@pytest.mark.parametrize(
    ("state", "ups", "pauses"),
    [
        ("NeedsLogin", 3, (1, 2, 1)),  # tried again with backoff
        ("Unknown", 1, (1, 1, 1, 1)),  # a state the script does not know: looked at each second
    ],
)
def test_a_successful_up_that_is_not_logged_in_is_looked_at_again(
    shell: str, device: Device, state: str, ups: int, pauses: tuple[int, ...]
) -> None:
    run_ = run(shell, device, {"after_up": state}, {"PT_DEADLINE": "4"})
    assert run_.rc == 1
    assert run_.log.count(f"tailscale up exited 0 but BackendState is '{state}'") == ups
    assert len(run_.ups) == ups
    assert run_.sleeps == pauses
    assert run_.took == 4


def test_every_call_is_bounded(shell: str, device: Device) -> None:
    # `timeout -k 1 N`: 10 s for a status, systemctl or version call, PT_UP_TIMEOUT + 1 for
    # `up` (its own --timeout ends it first); the probe of `timeout` itself takes 5.
    device.record_timeouts()
    run_ = run(shell, device, {"daemon_up": False})
    assert run_.rc == 0
    assert run_.bounds() == [
        ("5", "true"),
        ("10", "tailscale version"),
        ("10", "tailscale status"),
        ("10", "systemctl --no-block"),
        ("10", "tailscale status"),
        ("6", "tailscale up"),
        ("10", "tailscale status"),
    ]


def test_every_bound_is_capped_to_the_time_left(shell: str, device: Device) -> None:
    device.record_timeouts()
    device.systemd_dir.mkdir(parents=True)
    scenario = {"systemd_run_fails": True, "up_failures": -1}
    run_ = run(shell, device, scenario, {"PT_DEADLINE": "4"})
    assert run_.rc == 1
    assert run_.sleeps == (1, 2, 1)
    assert run_.bounds() == [
        ("5", "true"),
        ("4", "systemd-run --no-block"),  # the deadline covers the hand-off
        ("4", "tailscale version"),  # and the version check
        ("4", "tailscale status"),
        ("5", "tailscale up"),  # --timeout=4s, and one second more
        ("4", "tailscale status"),
        ("3", "tailscale status"),  # after the first pause
        ("4", "tailscale up"),
        ("3", "tailscale status"),
        ("1", "tailscale status"),  # after the second
        ("2", "tailscale up"),
        ("1", "tailscale status"),
    ]


def test_nothing_is_called_once_the_time_is_up(shell: str, device: Device) -> None:
    # The try takes every second left, so the look at the backend after it must not happen:
    # `timeout 0` means no limit at all, and a status call that hangs would then hang the boot.
    device.record_timeouts()
    scenario = {"up_failures": -1, "up_seconds": "timeout", "up_output": "backend error: 502"}
    run_ = run(shell, device, scenario, {"PT_DEADLINE": "4", "PT_UP_TIMEOUT": "30"})
    assert run_.rc == 1
    assert run_.took == 4
    assert run_.sleeps == ()
    assert run_.bounds() == [
        ("5", "true"),
        ("4", "tailscale version"),
        ("4", "tailscale status"),
        ("5", "tailscale up"),  # --timeout=4s, and one second more
    ]


@pytest.mark.parametrize("took", [3, 4])
def test_the_daemon_is_started_only_with_time_left(shell: str, device: Device, took: int) -> None:
    # The daemon is down and the look at it takes `took` of the 4 seconds: with one second
    # left, systemctl gets that second; with none, it is not called (`timeout 0` is no limit).
    device.record_timeouts()
    scenario = {"daemon_up": False, "status_seconds": took}
    run_ = run(shell, device, scenario, {"PT_DEADLINE": "4"})
    assert run_.rc == 1
    assert run_.took == 4
    bounds = [("5", "true"), ("4", "tailscale version"), ("4", "tailscale status")]
    if took == 3:
        bounds.append(("1", "systemctl --no-block"))
        assert "starting tailscaled: systemctl --no-block start tailscaled" in run_.log
    else:
        assert "starting tailscaled" not in run_.log  # nothing started, nothing said
    assert run_.bounds() == bounds


def test_no_login_is_tried_once_the_time_is_up(shell: str, device: Device) -> None:
    # The look at the backend takes every second left: no `up` follows (`--timeout=0s` would
    # wait for ever, cut only by the outer bound).
    device.record_timeouts()
    run_ = run(shell, device, {"status_seconds": 4}, {"PT_DEADLINE": "4"})
    assert run_.rc == 1
    assert run_.took == 4
    assert run_.ups == []
    assert run_.bounds() == [("5", "true"), ("4", "tailscale version"), ("4", "tailscale status")]


def test_a_key_file_that_cannot_be_deleted_is_reported(shell: str, device: Device) -> None:
    # Logged in already, and the key's path is a folder with something in it: `rm -f` fails
    # (even for root), and the log says so instead of claiming the key is gone.
    device.key(None)
    device.key_file.mkdir()
    (device.key_file / "keep").write_text("x")
    run_ = run(shell, device, {"state": "Running"})
    assert run_.rc == 0
    assert run_.ups == []
    assert f"could not delete the auth key file {device.key_file}" in run_.log
    assert "deleted the auth key file" not in run_.log


def test_the_hand_off_is_bounded_and_needs_time_left(shell: str, device: Device) -> None:
    device.record_timeouts()
    device.systemd_dir.mkdir(parents=True)
    run_ = run(shell, device, {})
    assert run_.rc == 0
    assert run_.bounds() == [("5", "true"), ("10", "systemd-run --no-block")]
    # No time at all: no hand-off (`timeout 0` would be no limit), nothing else either.
    device.reset_calls()
    device.new_boot()
    run_ = run(shell, device, {}, {"PT_DEADLINE": "0"})
    assert run_.rc == 1
    assert run_.argvs("systemd-run") == []
    assert run_.bounds() == [("5", "true")]


@pytest.mark.parametrize(
    ("deadline", "bounds"),
    [
        ("0", [("5", "true")]),  # no time: no version check (`timeout 0` would be no limit)
        ("1", [("5", "true"), ("1", "tailscale version"), ("1", "tailscale status")]),
    ],
)
def test_the_version_check_needs_time_left(
    shell: str, device: Device, deadline: str, bounds: list[tuple[str, str]]
) -> None:
    device.record_timeouts()
    run_ = run(shell, device, {"daemon_up": False}, {"PT_DEADLINE": deadline})
    assert run_.rc == 1
    assert run_.bounds()[: len(bounds)] == bounds
    if deadline == "0":
        assert run_.bounds() == bounds
    # Only the script's own lines reach stderr: no shell error (`set -u` on a variable that
    # the give-up path reads before any look at the backend set it).
    assert all(" palette-tailscale: " in line for line in run_.stderr.splitlines())
    assert "not logged in after" in run_.log


def test_a_daemon_that_restarts_after_a_timed_out_try_is_logged_in_again(
    shell: str, device: Device
) -> None:
    # The try timed out, so the script watched the login tailscaled had under way; then the
    # daemon stopped answering (restarted), and that login is gone: log in again.
    scenario = {
        "up_failures": 1,
        "up_seconds": "timeout",
        "up_output": TIMED_OUT,
        "restart_after_failed_up": 2,
    }
    run_ = run(shell, device, scenario, {"PT_DEADLINE": "60"})
    assert run_.rc == 0
    assert len(run_.ups) == 2
    assert "tailscaled goes on logging in by itself" in run_.log
    assert "BackendState: no answer from tailscaled" in run_.log
