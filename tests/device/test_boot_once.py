"""Never hold the boot, one enrollment per boot, no key left behind, no ancient CLI, no retry
storm on a refused key: the device script's guarantees beyond logging in (issue 9).

Each scenario runs under dash and bash against the fakes; the user-data copies are laid out
under the fake host's ``oem/`` as Kairos's cdrom datasource and Palette write them.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from palette_tailscale import yamlio

from ..conftest import IN_CI, require_tool
from .conftest import assert_key_never_shown
from .harness import KEY, SCRIPT, Device, expected_up

USED_MARK = "palette-tailscale-removed-the-used-key"


def site_copy(key: str) -> str:
    """A site user-data as the datasource persists it: the key inside a literal block."""
    return (
        "#cloud-config\n"
        "stages:\n"
        "  network.before:\n"
        "  - name: skip-copy-palette-tailscale-authkey\n"
        "    files:\n"
        "    - path: /usr/local/etc/palette-tailscale/authkey\n"
        "      permissions: 0600\n"
        "      content: |\n"
        f"        {key}\n"
        "  - name: other\n"
        f"    commands: [\"echo '{key}' is not here twice\"]\n"
    )


# --- never hold the boot ------------------------------------------------------------------------


def test_with_systemd_the_step_hands_off_and_returns(shell: str, device: Device) -> None:
    device.systemd_dir.mkdir(parents=True)
    run = device.run(shell, env={"PT_UP_TIMEOUT": "7"})
    assert run.rc == 0
    assert run.argvs("tailscale") == []  # nothing enrolled in the step itself
    (call,) = run.argvs("systemd-run")
    assert call[:7] == (
        "--no-block",
        "--unit=palette-tailscale-enroll",
        "--description=palette-tailscale: join the tailnet",
        "--property=Type=oneshot",
        "--property=RemainAfterExit=yes",
        "--property=TimeoutStartSec=50",  # PT_DEADLINE 20 + 30
        "--setenv=PT_DETACHED=1",
    )
    # The environment's overrides travel with it; the script runs by absolute path.
    assert "--setenv=PT_UP_TIMEOUT=7" in call
    assert f"--setenv=PT_AUTH_KEY_FILE={device.key_file}" in call
    assert call[-2:] == ("/bin/sh", str(SCRIPT))
    assert "handed to systemd as palette-tailscale-enroll.service (at most 50s)" in run.log
    assert "journalctl -u palette-tailscale-enroll" in run.log
    assert run.key_exists


def test_the_unit_runs_the_script_by_its_absolute_path(shell: str, device: Device) -> None:
    # Started as `sh enroll.sh` from its folder: systemd starts units in /, so the unit is
    # given the script's absolute path.
    device.systemd_dir.mkdir(parents=True)
    run = device.run(shell, cwd=SCRIPT.parent, script=SCRIPT.name)
    assert run.rc == 0
    (call,) = run.argvs("systemd-run")
    assert call[-2:] == ("/bin/sh", str(SCRIPT))


def test_the_unit_enrolls_without_taking_the_lock_again(shell: str, device: Device) -> None:
    device.systemd_dir.mkdir(parents=True)
    assert device.run(shell).rc == 0  # the step: hands off, holds the lock
    device.reset_calls()
    unit = device.run(shell, env={"PT_DETACHED": "1"})  # what systemd then runs
    assert unit.rc == 0
    assert unit.ups == [expected_up(device)]
    assert unit.argvs("systemd-run") == []
    assert unit.journal == ()  # in the unit, stderr is the journal: no second copy via logger
    assert not unit.key_exists


def test_without_systemd_the_step_enrolls_inline(shell: str, device: Device) -> None:
    run = device.run(shell)
    assert run.rc == 0
    assert run.argvs("systemd-run") == []
    assert run.ups == [expected_up(device)]


def test_systemd_without_systemd_run_enrolls_inline_quietly(shell: str, device: Device) -> None:
    # systemd runs, but there is no systemd-run to hand to: inline, and no failure to report.
    device.systemd_dir.mkdir(parents=True)
    run = device.run(shell, env={"PT_SYSTEMD_RUN": str(device.root / "no-systemd-run")})
    assert run.rc == 0
    assert run.ups == [expected_up(device)]
    assert "systemd-run" not in run.log


def test_a_failing_systemd_run_falls_back_to_inline(shell: str, device: Device) -> None:
    device.systemd_dir.mkdir(parents=True)
    run = device.run(shell, {"systemd_run_fails": True})
    assert run.rc == 0
    assert len(run.argvs("systemd-run")) == 1
    assert "systemd-run failed; enrolling inline instead" in run.log
    assert "systemd-run: Failed to start transient service unit" in run.log
    assert run.ups == [expected_up(device)]


# --- one enrollment per boot --------------------------------------------------------------------


def test_second_copy_in_the_same_boot_does_nothing(shell: str, device: Device) -> None:
    first = device.run(shell)
    assert first.rc == 0 and len(first.ups) == 1
    device.reset_calls()
    device.key(KEY + "\n")  # the site copy writes the key again in network.before
    second = device.run(shell)
    assert second.rc == 0
    assert second.calls == ()  # not even a status call
    assert "another copy of the enrollment step already ran or is running" in second.log
    assert second.key_exists  # left for the next boot's check, never passed to `up`


def test_two_copies_started_together_enroll_once(shell: str, device: Device) -> None:
    scenario = {"up_failures": 1}  # the first `up` fails: the enrolling copy takes a while
    one = device.start(shell, scenario)
    two = device.start(shell, scenario)
    runs = [one.wait(), two.wait()]
    assert sorted(r.rc for r in runs) == [0, 0]
    assert len(runs[-1].ups) == 2  # one copy tried twice; the other never called `up`
    skipped = [r for r in runs if "another copy of the enrollment step" in r.stderr]
    assert len(skipped) == 1


def test_next_boot_runs_again(shell: str, device: Device) -> None:
    assert device.run(shell).rc == 0
    device.new_boot()
    device.reset_calls()
    again = device.run(shell)
    assert again.rc == 0
    assert [argv[0] for argv in again.argvs("tailscale")] == ["version", "status"]


def test_an_unwritable_lock_folder_does_not_stop_the_enrollment(shell: str, device: Device) -> None:
    blocker = device.root / "not-a-dir"
    blocker.write_text("")
    copies = lay_out_copies(device)
    run = device.run(shell, env={"PT_LOCK_DIR": str(blocker / "lock")})
    assert run.rc == 0
    assert "cannot take the once-per-boot lock" in run.log
    assert run.ups == [expected_up(device)]
    # No folder for the key's pattern file: the copies are not looked at, and the log says so.
    assert f"cannot write to {blocker / 'lock'}; copies of the key in" in run.log
    assert all(KEY in path.read_text() for path in copies)
    assert not run.key_exists


# --- no key left behind -------------------------------------------------------------------------


def lay_out_copies(device: Device) -> list[Path]:
    """The key where Kairos and Palette keep user-data: 95_userdata (0644), /oem/userdata."""
    folder = device.oem / "95_userdata"
    folder.mkdir()
    copies = [folder / "userdata", folder / "userdata.yaml", device.oem / "userdata"]
    copies += [device.oem / "site.yml", device.oem / "stylus" / "user-data"]
    copies[-1].parent.mkdir()
    for path in copies:
        path.write_text(site_copy(KEY))
        path.chmod(0o644)
    (device.oem / "notes.bin").write_text(f"binary-ish {KEY}\n")
    return copies


def test_after_login_no_user_data_copy_holds_the_key(shell: str, device: Device) -> None:
    copies = lay_out_copies(device)
    run = device.run(shell)
    assert run.rc == 0
    assert not run.key_exists
    for path in copies:
        text = path.read_text()
        assert KEY not in text
        assert text == site_copy(USED_MARK)  # only the key changed
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        doc = yamlio.load(text, str(path))  # still valid YAML, as yip will read it
        assert doc.root is not None
        assert f"removed the used auth key from {path}" in run.log
    assert "notes.bin holds the used auth key but is not user-data" in run.log
    leftovers = [
        p for p in device.root.rglob("*") if p.is_file() and KEY in p.read_text(errors="replace")
    ]
    assert leftovers == [device.oem / "notes.bin"]
    assert not list(device.lock_dir.glob("key-pattern.*"))  # the pattern file is gone too
    assert_key_never_shown(run)


def test_everything_the_script_creates_is_private(shell: str, device: Device) -> None:
    # umask 000 for the run: only the script's own umask keeps its files from others.
    lay_out_copies(device)
    device.record_grep()
    before = set(device.root.rglob("*"))
    run = device.run(shell, umask=0)
    assert run.rc == 0
    made = {
        path.relative_to(device.root).as_posix(): stat.S_IMODE(path.lstat().st_mode)
        for path in set(device.root.rglob("*")) - before
        if device.fake_dir not in path.parents
    }
    assert made == {
        "log": 0o700,
        "log/palette-tailscale.log": 0o600,
        "run/palette-tailscale": 0o700,
        "run/palette-tailscale/claimed": 0o700,
    }
    # The pattern file holding the key, while grep reads it (it is removed afterwards).
    patterns = [line for line in run.pattern_files if "key-pattern." in line]
    assert patterns
    assert {line.split()[0] for line in patterns} == {"600"}
    assert not list(device.lock_dir.glob("key-pattern.*"))


def test_the_key_never_reaches_a_command_line_while_scrubbing(shell: str, device: Device) -> None:
    lay_out_copies(device)
    run = device.run(shell)
    assert run.rc == 0
    for call in run.calls:
        assert KEY not in " ".join(call.argv)


def test_any_key_a_server_mints_is_found_in_the_copies(shell: str, device: Device) -> None:
    # Every letter (X included), digits, '-' and '_'; the key file padded with blanks and a CRLF
    # as an editor may leave it: only the blanks are dropped before looking for the key.
    key = "tskey-auth-kXYZ_09-AbcXdefGHIJKLMNOPQRSTUVWxyz"
    device.key(f"  {key} \r\n")
    copy = device.oem / "userdata"
    copy.write_text(site_copy(key))
    run = device.run(shell, {"state": "Running"})
    assert run.rc == 0
    assert copy.read_text() == site_copy(USED_MARK)
    assert f"removed the used auth key from {copy}" in run.log


def test_copies_are_scrubbed_when_the_node_was_already_in(shell: str, device: Device) -> None:
    # The key file is written again by the copy at a later boot of a node that is logged in:
    # the script removes it, and any copy of it, without ever passing it.
    copies = lay_out_copies(device)
    run = device.run(shell, {"state": "Running"})
    assert run.rc == 0 and run.ups == []
    assert all(KEY not in p.read_text() for p in copies)
    assert not run.key_exists


def test_a_copy_is_rewritten_whole(shell: str, device: Device) -> None:
    # Blank lines, a key twice on one line and a last line without its newline all survive.
    copy = device.oem / "userdata"
    before = site_copy(KEY) + f"\n\n# {KEY} and {KEY}\n\n  \nlast: line"
    copy.write_text(before)
    run = device.run(shell, {"state": "Running"})
    assert run.rc == 0
    assert copy.read_text() == before.replace(KEY, USED_MARK) + "\n"


@pytest.mark.parametrize("key_text", ["\n", " \t\n", USED_MARK + "\n"])
def test_a_blank_or_used_key_file_matches_no_copy(
    shell: str, device: Device, key_text: str
) -> None:
    # Logged in, and the key file holds nothing or the mark: nothing to look for. (Looking for
    # an empty key matches every line; "replacing" the mark by itself never ends.)
    copies = lay_out_copies(device)
    for path in copies:
        path.write_text(site_copy(USED_MARK))
    device.key(key_text)
    run = device.run(shell, {"state": "Running"})
    assert run.rc == 0
    assert all(path.read_text() == site_copy(USED_MARK) for path in copies)
    assert "removed the used auth key" not in run.log
    assert not run.key_exists


def test_the_units_copy_makes_the_folder_it_needs(shell: str, device: Device) -> None:
    # Run as the transient unit (PT_DETACHED=1 skips the lock its parent took), with the lock
    # folder gone: the key's pattern file still has a place, and the copies are scrubbed.
    copies = lay_out_copies(device)
    lock_dir = device.root / "fresh-run" / "palette-tailscale"
    run = device.run(shell, env={"PT_DETACHED": "1", "PT_LOCK_DIR": str(lock_dir)})
    assert run.rc == 0
    assert all(path.read_text() == site_copy(USED_MARK) for path in copies)


def test_a_copy_that_cannot_be_replaced_is_reported(
    shell: str, device: Device, tmp_path: Path
) -> None:
    """A copy on a read-only mount of its own: the rewrite is refused, its temporary file is
    removed, the log says so, and the other copies are still scrubbed."""
    unshare, mount = require_tool("unshare"), require_tool("mount")
    if os.geteuid() != 0:
        message = "a mount namespace needs root"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    copies = lay_out_copies(device)
    stuck = copies[0]
    wrapper = tmp_path / "with-a-read-only-copy"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"exec {unshare} --mount /bin/sh -c '"
        f"{mount} --bind {stuck} {stuck} && {mount} -o remount,ro,bind {stuck} && "
        f'exec "$0" "$@"\' {shutil.which(shell)} "$@"\n'
    )
    wrapper.chmod(0o755)
    run = device.run(str(wrapper), {"state": "Running"})
    assert run.rc == 0
    assert f"could not remove the used auth key from {stuck}" in run.log
    assert KEY in stuck.read_text()
    assert all(path.read_text() == site_copy(USED_MARK) for path in copies[1:])
    assert not list(stuck.parent.glob("*.palette-tailscale-*"))  # no temporary file left


def test_a_used_key_mark_in_the_key_file_is_no_key(shell: str, device: Device) -> None:
    device.key(USED_MARK + "\n")
    run = device.run(shell)
    assert run.rc == 3
    assert run.ups == []
    assert "was used and removed after an earlier join" in run.log


def test_no_copies_folder_configured(shell: str, device: Device) -> None:
    copies = lay_out_copies(device)
    run = device.run(shell, env={"PT_KEY_COPIES": ""})
    assert run.rc == 0
    assert all(KEY in p.read_text() for p in copies)


# --- old CLIs and refused keys ------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.24.0", "1.2.0", "0.99.1-t123"])
def test_an_old_tailscale_is_refused(shell: str, device: Device, version: str) -> None:
    run = device.run(shell, {"version": f"{version}\n  tailscale commit: abc"})
    assert run.rc == 2
    assert run.ups == []
    assert f"tailscale {'.'.join(version.split('.')[:2])} is older than 1.26" in run.log
    assert run.key_exists


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1234567.1", "tailscale major version is too large: '1234567'"),
        ("1.1234567", "tailscale minor version is too large: '1234567'"),
    ],
)
def test_a_version_too_large_to_compare_is_bad_settings(
    shell: str, device: Device, version: str, message: str
) -> None:
    run = device.run(shell, {"version": version})
    assert run.rc == 2
    assert run.ups == []
    assert message in run.log


@pytest.mark.parametrize("version", ["1.26.0", "1.98.10-ERR-BuildInfo", "2.0.0", "garbage"])
def test_supported_or_unreadable_versions_go_on(shell: str, device: Device, version: str) -> None:
    run = device.run(shell, {"version": version})
    assert run.rc == 0
    assert run.ups == [expected_up(device)]
    assert ("cannot read the version" in run.log) == (version == "garbage")


@pytest.mark.parametrize(
    "message",
    [
        "backend error: handling register with auth key: creating new node: requested tags "
        "[tag:edge] are invalid or not permitted",
        "backend error: authkey expired",
        "backend error: authkey already used",
        "backend error: invalid key: API key does not exist",
        "backend error: this key has expired",
        "backend error: this key has already been used",
        # an API key or OAuth client secret given where an auth key belongs
        "backend error: key cannot be used for node auth: {KeyCapabilityBits(OAUTH_CLIENT)}",
    ],
)
def test_a_refused_login_is_not_retried(shell: str, device: Device, message: str) -> None:
    run = device.run(shell, {"up_failures": -1, "up_output": message})
    assert run.rc == 4
    assert len(run.ups) == 1
    assert "the control server refused this login" in run.log
    assert "not retrying in this boot" in run.log
    assert run.key_exists


def test_a_fast_transient_failure_is_retried(shell: str, device: Device) -> None:
    scenario = {"up_failures": 1, "up_output": "backend error: 502 Bad Gateway"}
    device.fake_clock()
    run = device.run(shell, scenario)
    assert run.rc == 0
    assert len(run.ups) == 2
    assert "tailscale up failed (exit 1)" in run.log
    assert "tailscale up exited 0" not in run.log  # the failed try is not taken for a success


TIMED_OUT = (
    'timeout waiting for Tailscale service to enter a Running state; check health with "tailscale '
    'status"'
)


def test_a_timed_out_up_is_watched_not_repeated(shell: str, device: Device) -> None:
    # tailscaled goes on logging in after `up` stops waiting; a second `up` would race it and
    # could spend the single-use key twice (seen on the real stack: "authkey already used").
    scenario = {
        "up_failures": -1,
        "up_seconds": "timeout",
        "up_output": TIMED_OUT,
        "login_after_failed_up": 3,
    }
    device.fake_clock()
    run = device.run(shell, scenario)
    assert run.rc == 0
    assert len(run.ups) == 1
    assert "watching it until the deadline instead of starting the login again" in run.log
    assert "logged in (BackendState Running)" in run.log
    assert not run.key_exists


def test_a_login_that_never_ends_gives_up_with_the_daemons_words(
    shell: str, device: Device
) -> None:
    health = [
        "You are logged out. The last login error was: fetch control key: Get "
        '"http://127.0.0.1:1/key?v=138": dial tcp 127.0.0.1:1: connect: connection refused'
    ]
    scenario = {
        "up_failures": -1,
        "up_seconds": "timeout",
        "up_output": TIMED_OUT,
        "health": health,
    }
    device.fake_clock()
    run = device.run(shell, scenario, {"PT_DEADLINE": "8", "PT_UP_TIMEOUT": "5"})
    assert run.rc == 1
    assert len(run.ups) == 1
    assert f"tailscaled: {health[0]}" in run.log
    assert run.log.rstrip().endswith(
        "not logged in after 8s; giving up until the next boot (the key file is kept for "
        f"that); tailscaled says: {health[0]}"
    )


def test_environment_is_inherited_not_leaked(device: Device) -> None:
    # The harness itself must not leak a real lock folder: every path is under the fake root.
    env = device.env(os.environ["PATH"])
    for name in ("PT_LOCK_DIR", "PT_SYSTEMD_DIR", "PT_KEY_COPIES"):
        assert env[name].startswith(str(device.root))
