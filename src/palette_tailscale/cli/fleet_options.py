"""Options and helpers shared by the ``fleet`` command modules."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import LoadedConfig
from ..config.models import duration_seconds
from ..errors import shown
from ..fleet import inventory as inventory_mod
from ..fleet.keystate import DEFAULT_EXPIRING
from ..fleet.model import FleetHost
from ..tailnet.base import Backend
from .common import out_option as common_out_option

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_OUT = "fleet"


def out_option(func: F) -> F:
    return common_out_option(
        dest="out_dir",
        file_okay=False,
        path_type=Path,
        default=DEFAULT_OUT,
        show_default=True,
        help="Output directory (hosts/NAME/… and the journal).",
    )(func)


def only_option(func: F) -> F:
    return click.option(
        "--only",
        multiple=True,
        metavar="NAME",
        help="Only this host (repeatable).",
    )(func)


def _duration(ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    try:
        return timedelta(seconds=duration_seconds(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def expiring_option(func: F) -> F:
    return click.option(
        "--expiring",
        metavar="DURATION",
        default=f"{DEFAULT_EXPIRING.days}d",
        show_default=True,
        callback=_duration,
        help="A key expiring within this (30m, 12h, 2d) is 'expiring'.",
    )(func)


def state_option(states: tuple[str, ...], help_text: str) -> Callable[[F], F]:
    return click.option(
        "--state",
        "wanted",
        type=click.Choice(states),
        multiple=True,
        help=help_text,
    )


def open_backend(loaded: LoadedConfig | None, flags: dict[str, Any]) -> Backend:
    """The tailnet backend from config, environment and flags."""
    from ..tailnet import ApiFlags, connect, resolve_settings

    return connect(resolve_settings(loaded, os.environ, ApiFlags(**flags)))


def load_hosts(loaded: LoadedConfig, strict: bool, only: tuple[str, ...]) -> tuple[FleetHost, ...]:
    inventory = inventory_mod.load_inventory(loaded, strict=strict)
    for warning in inventory.warnings:
        click.echo(f"palette-tailscale: warning: {shown(warning)}", err=True)
    return inventory.select(only)
