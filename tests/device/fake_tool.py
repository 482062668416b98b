"""Fake ``tailscale``, ``systemctl``, ``logger`` and ``hostname`` for the enrollment script.

Each fake is this module run under a tool name. It reads the scenario from
``$FAKE_DIR/scenario.json``, keeps the fake daemon's state in ``$FAKE_DIR/state.json`` and
appends every invocation (tool name and argv) to ``$FAKE_DIR/calls.jsonl``.

Scenario keys (all optional):

``state``            BackendState of a running daemon before any login (default ``NeedsLogin``)
``daemon_up``        whether tailscaled answers at first (default true); ``systemctl start``
                     brings it up
``systemctl_fails``  ``systemctl start`` fails (the daemon stays down)
``nostate_polls``    status calls answering ``NoState`` once the daemon answers
``up_failures``      failing ``up`` calls before one succeeds; ``-1`` = never succeeds
``up_output``        text a failing ``up`` prints on stderr
``up_output_encoding``  how it is encoded (default ``utf-8``)
``up_hang``          ``up`` ignores ``--timeout`` and hangs; ``"ignore_term"``: it also ignores
                     SIGTERM (noting each in ``$FAKE_DIR/up-signals``), only SIGKILL ends it; its
                     pid is in ``$FAKE_DIR/up.pid``
``after_up``         BackendState after a successful ``up`` (default ``Running``)
``after_failed_up``  BackendState after a failing ``up`` (default: unchanged)
``pretty``           ``status --json`` pretty-prints (default false: one line)
``os_hostname``      what ``hostname`` prints (default ``edge-os``)
``version``          what ``tailscale version`` prints (default ``1.98.0`` and a commit line)
``systemd_run_fails``  ``systemd-run`` fails as when the unit name is taken
``login_after_failed_up``  seconds after a failing ``up`` at which the daemon reports
                     ``Running`` by itself (a login it went on with after ``up`` stopped waiting)
``health``           the daemon's Health messages (default ``["not BackendState"]``)
``up_seconds``       seconds of the fake clock (``Device.fake_clock``) a failing ``up`` takes;
                     ``"timeout"``: its whole ``--timeout``
``version_hang``     ``tailscale version`` hangs
``systemd_run_hang``  ``systemd-run`` hangs
``systemctl_output``  what a failing ``systemctl start`` prints
``status_seconds``   seconds of the fake clock each ``status`` call takes (default 0)
``restart_after_failed_up``  after a failing ``up``, tailscaled restarts: that many ``status``
                     calls get no answer, then it answers afresh (the login it had is gone)
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

DIR = Path(os.environ["FAKE_DIR"])


def _note_signal(number: int, frame: object) -> None:
    with (DIR / "up-signals").open("a") as fh:
        fh.write(f"{signal.Signals(number).name}\n")


def scenario() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DIR / "scenario.json").read_text())
    return data


def load_state() -> dict[str, Any]:
    path = DIR / "state.json"
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    sc = scenario()
    return {
        "daemon": sc.get("daemon_up", True),
        "backend": sc.get("state", "NeedsLogin"),
        "ups": 0,
        "nostate_left": sc.get("nostate_polls", 0),
    }


def save_state(state: dict[str, Any]) -> None:
    (DIR / "state.json").write_text(json.dumps(state))


def now() -> float:
    """The fake clock when the test runs the script on one, else the real one."""
    clock = DIR / "clock"
    return int(clock.read_text()) if clock.exists() else time.time()


def advance(seconds: int) -> None:
    """Move the fake clock on, when the test runs the script on one."""
    clock = DIR / "clock"
    if clock.exists():
        clock.write_text(f"{int(clock.read_text()) + seconds}\n")


def record(tool: str, argv: list[str]) -> None:
    with (DIR / "calls.jsonl").open("a") as out:
        out.write(json.dumps({"tool": tool, "argv": argv}) + "\n")


def status(state: dict[str, Any], sc: dict[str, Any]) -> int:
    advance(sc.get("status_seconds", 0))
    if not state["daemon"] or state.get("silent_polls", 0) > 0:
        state["silent_polls"] = max(state.get("silent_polls", 0) - 1, 0)
        print(
            "failed to connect to local tailscaled; it doesn't appear to be running",
            file=sys.stderr,
        )
        return 1
    backend = state["backend"]
    if state["nostate_left"] > 0:
        state["nostate_left"] -= 1
        backend = "NoState"
    done_at = state.get("background_login_at")
    if done_at is not None and now() >= done_at:
        state["backend"] = backend = "Running"
    health = sc.get("health", ["not BackendState"])
    doc = {"Version": "1.98.0", "BackendState": backend, "Health": health}
    doc["Self"] = {"HostName": "edge", "Online": backend == "Running"}
    print(json.dumps(doc, indent=2 if sc.get("pretty") else None))
    return 0


def up(state: dict[str, Any], sc: dict[str, Any], argv: list[str]) -> int:
    if not state["daemon"]:
        print("failed to connect to local tailscaled", file=sys.stderr)
        return 1
    for arg in argv:
        if arg.startswith("--auth-key=file:"):
            key_file = Path(arg.removeprefix("--auth-key=file:"))
            if not key_file.read_text().strip():
                print("auth key file is empty", file=sys.stderr)
                return 1
    if sc.get("up_hang"):
        if sc["up_hang"] == "ignore_term":
            signal.signal(signal.SIGTERM, _note_signal)
        (DIR / "up.pid").write_text(f"{os.getpid()}\n")
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:  # a signal's handler cuts one sleep short
            time.sleep(max(deadline - time.monotonic(), 0))
    state["ups"] += 1
    failures = sc.get("up_failures", 0)
    if failures < 0 or state["ups"] <= failures:
        took = sc.get("up_seconds", 0)
        if took == "timeout":
            flag = next(a for a in argv if a.startswith("--timeout="))
            took = int(flag.removeprefix("--timeout=").removesuffix("s"))
        advance(took)
        output = sc.get("up_output", "backend error: temporary failure") + "\n"
        sys.stderr.flush()
        sys.stderr.buffer.write(output.encode(sc.get("up_output_encoding", "utf-8")))
        state["backend"] = sc.get("after_failed_up", state["backend"])
        if "login_after_failed_up" in sc:
            state["background_login_at"] = now() + sc["login_after_failed_up"]
        state["silent_polls"] = sc.get("restart_after_failed_up", 0)
        return 1
    state["backend"] = sc.get("after_up", "Running")
    state["nostate_left"] = 0  # a logged-in daemon has left NoState
    return 0


def tailscale(argv: list[str]) -> int:
    state, sc = load_state(), scenario()
    if argv[:1] == ["status"]:
        code = status(state, sc)
    elif argv[:1] == ["up"]:
        code = up(state, sc, argv[1:])
    elif argv == ["version"]:
        if sc.get("version_hang"):
            time.sleep(3600)
        print(
            sc.get("version", "1.98.0\n  tailscale commit: 0123456789abcdef\n  go version: go1.26")
        )
        code = 0
    else:
        print(f"fake tailscale: unsupported {argv}", file=sys.stderr)
        code = 2
    save_state(state)
    return code


def systemctl(argv: list[str]) -> int:
    state, sc = load_state(), scenario()
    if "start" in argv and "tailscaled" in argv:
        if sc.get("systemctl_fails"):
            message = "Failed to start tailscaled.service: Unit not found."
            print(sc.get("systemctl_output", message), file=sys.stderr)
            return 5
        state["daemon"] = True
        save_state(state)
    return 0


def main(tool: str) -> int:
    argv = sys.argv[1:]
    record(tool, argv)
    if tool == "tailscale":
        return tailscale(argv)
    if tool == "systemctl":
        return systemctl(argv)
    if tool == "systemd-run":
        if scenario().get("systemd_run_hang"):
            time.sleep(3600)
        if scenario().get("systemd_run_fails"):
            print(
                "Failed to start transient service unit: Unit palette-tailscale-enroll.service "
                "was already loaded or has a fragment file.",
                file=sys.stderr,
            )
            return 1
        print("Running as unit: palette-tailscale-enroll.service")
        return 0
    if tool == "hostname":
        print(scenario().get("os_hostname", "edge-os"))
    return 0
