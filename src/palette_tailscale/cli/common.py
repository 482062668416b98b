"""Options and helpers shared by the command modules."""

from __future__ import annotations

import math
import os
import shutil
import sys
from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

import click

from ..config import DEFAULT_PATH, Host, LoadedConfig, load_example, load_file
from ..config.models import HostPalette, HostsFrom
from ..errors import shown
from .logs import verbose_option

F = TypeVar("F", bound=Callable[..., Any])


class UserPath(click.Path):
    """A path option or argument; an empty one is refused. ``-c "$CONFIG"`` with the variable
    unset would otherwise mean the default config, and ``-o ""`` the current directory."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in ("", b""):
            self.fail("an empty path", param, ctx)
        return super().convert(value, param, ctx)


def config_options(func: F) -> F:
    """``-c/--config``, ``--example`` and ``--strict``."""
    func = click.option("--strict", is_flag=True, help="Treat unknown config keys as errors.")(func)
    func = click.option(
        "--example", is_flag=True, help="Use the built-in example config instead of a file."
    )(func)
    func = click.option(
        "-c",
        "--config",
        "config_path",
        type=UserPath(dir_okay=False),
        default=None,
        help=f"Config file [default: {DEFAULT_PATH}].",
    )(func)
    return func


def load_config(config_path: str | None, example: bool, strict: bool) -> LoadedConfig:
    if example and config_path:
        raise click.UsageError("give either --config or --example, not both")
    loaded = (
        load_example(strict=strict)
        if example
        else load_file(config_path or DEFAULT_PATH, strict=strict)
    )
    for warning in loaded.warnings:
        click.echo(f"palette-tailscale: warning: {shown(str(warning))}", err=True)
    return loaded


def print_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, emphasis: Collection[int] = ()
) -> None:
    """A table in the one style (``palette_tailscale.table``) on stdout; colour on a terminal."""
    from ..table import render

    color = use_color()
    width = shutil.get_terminal_size().columns if color else None
    click.echo(render(columns, rows, color=color, width=width, emphasis=emphasis), nl=False)


def print_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, indent=2, sort_keys=True))


def inventory_hosts(loaded: LoadedConfig, strict: bool) -> list[Host] | None:
    """The hosts of ``hosts: {from: FILE}``, read and checked; None for an inline list.

    ``render`` and ``build`` read the file too, so a missing or broken inventory is an error
    there as in ``fleet``, and a fleet of one host names it in the installer user-data.
    """
    if not isinstance(loaded.config.hosts, HostsFrom):
        return None
    from ..fleet.inventory import load_inventory

    inventory = load_inventory(loaded, strict=strict)
    for warning in inventory.warnings:
        click.echo(f"palette-tailscale: warning: {shown(warning)}", err=True)
    return [
        Host(
            name=h.name,
            serial=h.serial,
            site=h.site,
            tags=list(h.tags),
            palette=HostPalette(project=h.project, tags=dict(h.palette_tags)),
        )
        for h in inventory.hosts
    ]


def use_color(stream: Any = None) -> bool:
    """Colour only on a terminal and never when NO_COLOR is set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and bool(getattr(stream, "isatty", lambda: False)())


class _AliasedOption(click.Option):
    """An option whose later long names are accepted but left out of ``--help``."""

    def __init__(self, *args: Any, shown: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown = shown

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None:
            return None
        names = ", ".join(self.opts[: self._shown])
        metavar = self.make_metavar(ctx) if not self.is_flag else ""
        return (f"{names} {metavar}".rstrip(), record[1])


def out_option(
    *,
    dest: str = "output",
    file_okay: bool = True,
    dir_okay: bool = True,
    path_type: type | None = None,
    default: Any = None,
    show_default: bool = False,
    help: str,
) -> Callable[[F], F]:
    """``-o/--out`` everywhere (``--output`` still works, unlisted)."""
    return click.option(
        "-o",
        "--out",
        "--output",
        dest,
        cls=_AliasedOption,
        type=UserPath(file_okay=file_okay, dir_okay=dir_okay, path_type=path_type),
        default=default,
        show_default=show_default,
        help=help,
    )


_FORMAT_ALIASES = {"table": "text"}  # the earlier name of text for tables, still accepted


def _format(ctx: click.Context, param: click.Parameter, value: str) -> str:
    return _FORMAT_ALIASES.get(value, value)


def format_option(
    choices: tuple[str, ...] = ("text", "json"), default: str = "text"
) -> Callable[[F], F]:
    """``--format``: the same records as text (tables) or JSON; ``table`` still means text."""
    accepted = (*choices, *(a for a, to in _FORMAT_ALIASES.items() if to in choices))
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(accepted),
        default=default,
        show_default=True,
        metavar=f"[{'|'.join(choices)}]",
        callback=_format,
        help="Output format.",
    )


class Seconds(click.FloatRange):
    """A timeout in seconds: from 0.1 to an hour, and a number (FloatRange lets nan through,
    and an infinite or huge timeout overflows the socket layer)."""

    name = "seconds"

    def __init__(self) -> None:
        super().__init__(min=0.1, max=3600.0)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


TIMEOUT_SECONDS = Seconds()

# How to reach the tailnet API; shared by `keys`, `devices` and `fleet`.
_API_FLAG_OPTIONS = [
    click.option(
        "--provider",
        type=click.Choice(["tailscale", "headscale"]),
        default=None,
        help="API to talk to [default: from config/environment, else tailscale].",
    ),
    click.option("--base-url", default=None, help="API URL (TAILSCALE_BASE_URL / HEADSCALE_URL)."),
    click.option("--tailnet", default=None, help="Tailnet (TAILSCALE_TAILNET) [default: -]."),
    click.option(
        "--api-key-file",
        type=UserPath(dir_okay=False),
        default=None,
        help="File holding the API key (instead of TAILSCALE_API_KEY / HEADSCALE_API_KEY).",
    ),
    click.option("--timeout", type=TIMEOUT_SECONDS, default=None, help="Read timeout in seconds."),
]


def api_flag_options(func: F) -> F:
    """``--provider``, ``--base-url``, ``--tailnet``, ``--api-key-file``, ``--timeout`` and
    ``-v/--verbose``."""
    for option in reversed(_API_FLAG_OPTIONS):
        func = option(func)
    return verbose_option(func)
