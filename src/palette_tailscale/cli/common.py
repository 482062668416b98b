"""Options and helpers shared by the command modules."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..config import DEFAULT_PATH, LoadedConfig, load_example, load_file

F = TypeVar("F", bound=Callable[..., Any])


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
        type=click.Path(dir_okay=False),
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
        click.echo(f"palette-tailscale: warning: {warning}", err=True)
    return loaded


def use_color(stream: Any = None) -> bool:
    """Colour only on a terminal and never when NO_COLOR is set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and bool(getattr(stream, "isatty", lambda: False)())


def format_option(choices: tuple[str, ...], default: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


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
        type=click.Path(dir_okay=False),
        default=None,
        help="File holding the API key (instead of TAILSCALE_API_KEY / HEADSCALE_API_KEY).",
    ),
    click.option(
        "--timeout", type=click.FloatRange(min=0.1), default=None, help="Read timeout in seconds."
    ),
]


def api_flag_options(func: F) -> F:
    """``--provider``, ``--base-url``, ``--tailnet``, ``--api-key-file`` and ``--timeout``."""
    for option in reversed(_API_FLAG_OPTIONS):
        func = option(func)
    return func
