"""Entry point: a click group whose commands are imported only when used (fast ``--help``).

Exit codes are a contract: 0 success, 1 findings or failure, 2 bad usage or bad input,
3 an internal error (a bug: the message says where the trace went); 130 after Ctrl-C and 143
after SIGTERM, once the run has cleaned up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from importlib import import_module
from typing import Any

import click

from .. import __version__
from ..errors import PaletteTailscaleError, error_line, shown
from ..secrets import redact

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("palette_tailscale.cli.init_cmd:init", "Write a commented starter config."),
    "schema": ("palette_tailscale.cli.init_cmd:schema", "Print the JSON schema of the config."),
    "render": (
        "palette_tailscale.cli.render_cmd:render",
        "Render the CanvOS inputs (Dockerfile block, user-data, .arg) from the config.",
    ),
    "lint": ("palette_tailscale.cli.lint_cmd:lint", "Check Kairos/Palette user-data files."),
    "keys": (
        "palette_tailscale.cli.keys_cmd:keys",
        "Create, list and revoke auth keys (Tailscale or Headscale).",
    ),
    "devices": (
        "palette_tailscale.cli.devices_cmd:devices",
        "List, prune, rename and tag tailnet devices.",
    ),
    "fleet": (
        "palette_tailscale.cli.fleet_cmd:fleet",
        "Per-host site ISOs and keys from an inventory; who joined.",
    ),
    "build": (
        "palette_tailscale.cli.build_cmd:build",
        "Apply the render into a CanvOS checkout and run its Earthly build.",
    ),
    "completion": (
        "palette_tailscale.cli.completion_cmd:completion",
        "Print the shell completion script (bash, zsh or fish).",
    ),
    "palette": (
        "palette_tailscale.cli.palette_cmd:palette",
        "Palette registration tokens: list, create, check against the project.",
    ),
}

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs or shows its help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target[0].split(":")
        command = getattr(import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "-V", "--version", prog_name="palette-tailscale")
def cli() -> None:
    """Put Spectro Cloud Palette edge hosts on a Tailscale tailnet from their first boot.

    Renders every CanvOS input from one config (palette-tailscale.yaml), lints Kairos user-data,
    manages auth keys and devices on Tailscale or Headscale, and provisions fleets.

    Exit codes: 0 ok, 1 findings or failure, 2 bad usage or input, 3 internal error.
    """


EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every ``finally`` runs (workers stopped, temp files
    removed, locks released) before the process ends."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers (tests run main() in threads too)
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (tests call this directly)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "_PALETTE_TAILSCALE_COMPLETE" in os.environ:  # a shell asks for completions
        from .completion_cmd import register

        register()
    with _sigterm_raises():
        return _run(args)


def _run(args: list[str]) -> int:
    try:
        result: Any = cli.main(args=args, prog_name="palette-tailscale", standalone_mode=False)
    except PaletteTailscaleError as exc:
        for line in redact(str(exc)).split("\n"):  # several problems: one per line
            click.echo(error_line(line), err=True)
        return exc.exit_code
    except click.exceptions.Abort as exc:
        # click turns Ctrl-C (and so our SIGTERM) inside a command into Abort.
        cause = exc.__cause__
        return _stopped(cause) if isinstance(cause, KeyboardInterrupt) else _aborted()
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if exc.exit_code == 2 else int(exc.exit_code)
    except KeyboardInterrupt as exc:
        return _stopped(exc)
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_FAIL
    except OSError as exc:
        # A path the user gave that the system refuses (a name too long, a loop of symlinks,
        # a file system gone read-only) where no command checked for it: still their input.
        click.echo(error_line(_os_message(exc)), err=True)
        return EXIT_USAGE
    except Exception as exc:  # the last line of defence for the user
        return _internal_error(exc)
    return int(result) if isinstance(result, int) else EXIT_OK


def _os_message(exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    cut = [n if len(n) <= 200 else f"{n[:100]}…{n[-60:]}" for n in names]
    return f"{' -> '.join(cut)}: {reason}" if cut else reason


def _stopped(exc: BaseException | None) -> int:
    if isinstance(exc, Terminated):
        click.echo("palette-tailscale: terminated", err=True)
        return EXIT_TERMINATED
    click.echo("palette-tailscale: interrupted", err=True)
    return EXIT_INTERRUPTED


def _aborted() -> int:
    click.echo("palette-tailscale: aborted", err=True)
    return EXIT_INTERRUPTED


def _quiet_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _internal_error(exc: BaseException) -> int:
    import tempfile  # only on this path: both cost start-up time on every run
    import traceback

    try:
        fd, path = tempfile.mkstemp(prefix="palette-tailscale-crash-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(redact("".join(traceback.format_exception(exc))))
        where = f"the trace is in {path}"
    except OSError as write_error:  # no temporary directory: say so, still in one line
        where = f"the trace could not be saved: {write_error.strerror}"
    name = type(exc).__name__
    click.echo(
        f"palette-tailscale: internal error: {name}: {shown(redact(str(exc)))} "
        f"(this is a bug; {where})",
        err=True,
    )
    return EXIT_INTERNAL
