"""The script as an artifact: checkers, templating safety, packaging, settings, bad values."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from palette_tailscale import device
from palette_tailscale.config import load_example
from palette_tailscale.render import steps

from ..conftest import REPO, require_tool
from .harness import SCRIPT, SETTINGS, Device, expected_up


@pytest.mark.parametrize("dialect", ["sh", "dash", "bash"])
def test_shellcheck_clean(dialect: str) -> None:
    shellcheck = require_tool("shellcheck")
    proc = subprocess.run(
        [shellcheck, "-s", dialect, str(SCRIPT)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("shell", ["sh", "dash", "bash"])
def test_parses(shell: str) -> None:
    proc = subprocess.run(
        [require_tool(shell), "-n", str(SCRIPT)], capture_output=True, text=True, check=False
    )
    assert (proc.returncode, proc.stderr) == (0, "")


def test_no_go_template_markers() -> None:
    # yip renders files[].content through Go text/template (reference/kairos-cloud-config.md §5.4)
    assert "{{" not in SCRIPT.read_text()


def test_shebang_and_mode_independent() -> None:
    # The user-data runs `/bin/sh SCRIPT_PATH`, so the script must not need its execute bit.
    assert SCRIPT.read_text().startswith("#!/bin/sh\n")
    assert f"/bin/sh {device.SCRIPT_PATH}" in steps.enroll_step("")["commands"]


def test_package_ships_the_script() -> None:
    assert device.script_text() == SCRIPT.read_text()


def test_defaults_match_the_package_constants() -> None:
    text = SCRIPT.read_text()
    for default in (
        f"PT_CONFIG={device.CONFIG_PATH}",
        f"PT_HOST_CONFIG={device.HOST_CONFIG_PATH}",
        f"PT_AUTH_KEY_FILE:={device.AUTH_KEY_PATH}",
        f"PT_LOG:={device.LOG_PATH}",
        f"PT_DEADLINE:={device.DEFAULT_DEADLINE}",
    ):
        assert default in text


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_rendered_example_settings_are_understood(shell: str, tmp_path: Path) -> None:
    require_tool(shell)
    config = load_example().config
    dev = Device(tmp_path)
    values = steps.settings(config.tailscale, "edge-store-0001")
    values["PT_LOG"] = str(dev.log)
    values["PT_AUTH_KEY_FILE"] = str(dev.key_file)
    dev.settings(values)
    run = dev.run(shell, env={"PT_DEADLINE": str(config.tailscale.deadline)})
    assert run.rc == 0
    up_args = steps.up_args(config.tailscale)
    assert run.ups == [
        (
            "up",
            f"--auth-key=file:{dev.key_file}",
            "--hostname=edge-store-0001",
            f"--timeout={config.tailscale.up_timeout}s",
            *up_args,
        )
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PT_DEADLINE": "abc"}, "PT_DEADLINE must be a whole number of seconds, got 'abc'"),
        ({"PT_DEADLINE": ""}, None),
        ({"PT_UP_TIMEOUT": "-1"}, "PT_UP_TIMEOUT must be a whole number of seconds, got '-1'"),
        ({"PT_UP_TIMEOUT": "9999999"}, "PT_UP_TIMEOUT is too large: '9999999' seconds"),
        ({"PT_TAILSCALE": "/nonexistent/tailscale"}, "tailscale CLI '/nonexistent/tailscale'"),
    ],
)
@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_bad_values_exit_2(
    shell: str, tmp_path: Path, env: dict[str, str], message: str | None
) -> None:
    require_tool(shell)
    dev = Device(tmp_path)
    run = dev.run(shell, env=env)
    if message is None:  # an empty value means "use the default"
        assert run.rc == 0
        assert "starting (deadline 300s)" in run.log
        return
    assert run.rc == 2
    assert run.argvs("tailscale") == []
    assert message in run.stderr


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_six_digits_is_the_largest_number_of_seconds(shell: str, tmp_path: Path) -> None:
    """999999 s is accepted (the limit keeps sh arithmetic far from overflow); 1000000 is not."""
    require_tool(shell)
    dev = Device(tmp_path)
    run = dev.run(shell, env={"PT_DEADLINE": "999999", "PT_UP_TIMEOUT": "999999"})
    assert run.rc == 0
    assert "starting (deadline 999999s)" in run.log
    (up,) = run.ups  # the try's timeout is capped to the time left: a second may have gone
    timeout = next(arg for arg in up if arg.startswith("--timeout="))
    assert 999990 <= int(timeout.removeprefix("--timeout=").removesuffix("s")) <= 999999
    run = dev.run(shell, env={"PT_DEADLINE": "1000000"})
    assert run.rc == 2
    assert "PT_DEADLINE is too large: '1000000' seconds" in run.stderr


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_leading_zeros_are_decimal(shell: str, tmp_path: Path) -> None:
    require_tool(shell)
    dev = Device(tmp_path)
    run = dev.run(shell, env={"PT_UP_TIMEOUT": "010", "PT_DEADLINE": "0020"})
    assert run.ups == [expected_up(dev, timeout=10)]


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_broken_settings_file_is_reported(shell: str, tmp_path: Path) -> None:
    require_tool(shell)
    dev = Device(tmp_path)
    dev.config.write_text("PT_HOSTNAME='unterminated\n")
    run = dev.run(shell)
    assert run.rc == 2
    assert f"settings file {dev.config} cannot be read or is not valid sh" in run.stderr
    assert run.log == run.stderr  # the log's folder is made before the settings are read
    assert run.argvs("tailscale") == []


# What every setting is when nothing sets it (the table in docs/device.md).
DEFAULTS = {
    "PT_CONFIG": device.CONFIG_PATH,
    "PT_HOST_CONFIG": device.HOST_CONFIG_PATH,
    "PT_TAILSCALE": "tailscale",
    "PT_SYSTEMCTL": "systemctl",
    "PT_RUN_DIR": "/run/cos",
    "PT_HOSTNAME": "",
    "PT_AUTH_KEY_FILE": device.AUTH_KEY_PATH,
    "PT_UP_ARGS": "",
    "PT_DEADLINE": str(device.DEFAULT_DEADLINE),
    "PT_UP_TIMEOUT": "60",
    "PT_LOG": device.LOG_PATH,
    "PT_LOCK_DIR": "/run/palette-tailscale",
    "PT_SYSTEMD_DIR": "/run/systemd/system",
    "PT_SYSTEMD_RUN": "systemd-run",
    "PT_KEY_COPIES": "/oem /run/stylus",
}
# An empty value in a settings file: "an empty number, command or other path means its default";
# an empty hostname, list of flags or of copy folders stays empty.
STAYS_EMPTY = ("PT_HOSTNAME", "PT_UP_ARGS", "PT_KEY_COPIES", "PT_HOST_CONFIG")


def loaded_settings(shell: str, tmp_path: Path, env: dict[str, str]) -> dict[str, str]:
    """Every PT_* setting once the script has read its settings: the script itself, with
    its last line (`main "$@"`) replaced by `load_settings` and a print of the values. Only
    reads: the default paths are on this machine's real file system."""
    text = SCRIPT.read_text()
    assert text.endswith('\nmain "$@"\n')
    probe = tmp_path / "probe.sh"
    probe.write_text(
        text.removesuffix('main "$@"\n')
        + "load_settings\n"
        + r"""for pt_name in $PT_VARS; do eval "printf '%s=%s\n' $pt_name \"\$$pt_name\""; done"""
        + "\n"
    )
    done = subprocess.run(
        [require_tool(shell), str(probe)],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_defaults_when_nothing_sets_them(shell: str, tmp_path: Path) -> None:
    for path in (device.CONFIG_PATH, device.HOST_CONFIG_PATH):
        if Path(path).exists():
            pytest.skip(f"{path} exists on this machine: its settings would be read")
    assert loaded_settings(shell, tmp_path, {}) == DEFAULTS
    doc = (REPO / "docs" / "device.md").read_text()
    for name, value in DEFAULTS.items():
        if value:
            assert f"| `{name}` |" in doc and f"| `{value}` |" in doc, name


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_empty_settings_mean_the_defaults(shell: str, tmp_path: Path) -> None:
    settings = tmp_path / "enroll.env"
    names = [name for name in DEFAULTS if name != "PT_CONFIG"]
    settings.write_text("".join(f"{name}=''\n" for name in names))
    loaded = loaded_settings(shell, tmp_path, {"PT_CONFIG": str(settings)})
    expected = {**DEFAULTS, "PT_CONFIG": str(settings)}
    expected.update({name: "" for name in STAYS_EMPTY})
    assert loaded == expected


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_settings_files_named_without_a_folder_are_read_from_the_current_one(
    shell: str, tmp_path: Path
) -> None:
    # `.` would search PATH for a bare name; the script reads ./NAME.
    require_tool(shell)
    dev = Device(tmp_path)
    dev.settings({"PT_HOSTNAME": "from-host-file"}, host=True)
    env = {"PT_CONFIG": dev.config.name, "PT_HOST_CONFIG": dev.host_config.name}
    run = dev.run(shell, env=env, cwd=dev.config.parent)
    assert run.rc == 0
    assert run.ups == [expected_up(dev, hostname="from-host-file")]


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_a_log_file_named_in_the_settings_gets_its_folder(shell: str, tmp_path: Path) -> None:
    require_tool(shell)
    dev = Device(tmp_path)
    log = tmp_path / "var" / "log" / "pt.log"
    dev.settings({**SETTINGS, "PT_LOG": str(log)})
    run = dev.run(shell, env={"PT_LOG": None})
    assert run.rc == 0
    assert "logged in (BackendState Running)" in log.read_text()
    assert log.read_text() == run.stderr


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_a_settings_file_using_an_unset_variable_is_refused(shell: str, tmp_path: Path) -> None:
    # `set -u`: a misspelt variable in a hand-edited file is an error, not an empty name.
    require_tool(shell)
    dev = Device(tmp_path)
    dev.config.write_text("PT_HOSTNAME=$PT_HOST_NAME\n")
    run = dev.run(shell, {"os_hostname": "edge-os"})
    assert run.rc == 2
    assert f"settings file {dev.config} cannot be read or is not valid sh" in run.stderr
    assert run.argvs("tailscale") == []


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_missing_settings_files_use_defaults(shell: str, tmp_path: Path) -> None:
    require_tool(shell)
    dev = Device(tmp_path)
    dev.config.unlink()
    run = dev.run(shell, {"os_hostname": "edge-os"}, {"PT_DEADLINE": "100"})
    assert run.rc == 0
    assert run.ups == [expected_up(dev, hostname="edge-os", timeout=60)[:4]]


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_cli_paths_from_the_environment(shell: str, tmp_path: Path) -> None:
    require_tool(shell)
    dev = Device(tmp_path)
    other = tmp_path / "opt"
    other.mkdir()
    dev.add_fake(other / "ts", "tailscale")
    dev.add_fake(other / "sc", "systemctl")
    (dev.bin / "tailscale").unlink()
    (dev.bin / "systemctl").unlink()
    env = {"PT_TAILSCALE": str(other / "ts"), "PT_SYSTEMCTL": str(other / "sc")}
    dev.fake_clock()
    run = dev.run(shell, {"daemon_up": False}, env)
    assert run.rc == 0
    assert run.argvs("systemctl") == [("--no-block", "start", "tailscaled")]
    assert run.ups == [expected_up(dev)]


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_unwritable_log_does_not_stop_enrollment(shell: str, tmp_path: Path) -> None:
    require_tool(shell)
    dev = Device(tmp_path)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    run = dev.run(shell, env={"PT_LOG": str(blocker / "palette-tailscale.log")})
    assert run.rc == 0
    assert run.ups == [expected_up(dev)]
    lines = run.stderr.splitlines()
    assert lines
    assert all(" palette-tailscale: " in line for line in lines)
