"""Palette settings for the commands that write hosts' inputs or read the fleet's state.

``render``, ``fleet render``, ``fleet provision`` and ``build`` check the configured
registration token before they write anything, whenever a Palette API key is available
(``--palette-api-key-file``, ``PALETTE_API_KEY``, or ``palette.api_key`` resolving to a value);
``fleet status`` adds Palette's view then. Without a key they behave as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

import click

from ..config import LoadedConfig
from ..palette import (
    PaletteClient,
    PaletteFlags,
    check_token,
    connect_palette,
    resolve_palette_settings,
)
from .common import UserPath
from .logs import verbose_option

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = [
    click.option(
        "--palette-url",
        default=None,
        metavar="URL",
        help="Palette API URL (PALETTE_BASE_URL) [default: https:// + palette.endpoint].",
    ),
    click.option(
        "--palette-api-key-file",
        type=UserPath(dir_okay=False),
        default=None,
        help="File holding the Palette API key (instead of PALETTE_API_KEY).",
    ),
]

_NO_CHECK = click.option(
    "--no-token-check",
    is_flag=True,
    help="Do not ask Palette whether the registration token is valid (offline use).",
)


def palette_options(func: F) -> F:
    """``--palette-url``, ``--palette-api-key-file`` and ``-v/--verbose``."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return verbose_option(func)


def token_check_options(func: F) -> F:
    """:func:`palette_options` plus ``--no-token-check``."""
    return palette_options(_NO_CHECK(func))


def palette_flags(url: str | None, key_file: str | None) -> PaletteFlags:
    return PaletteFlags(base_url=url, api_key_file=key_file)


def open_palette(
    loaded: LoadedConfig | None, flags: PaletteFlags, *, required: bool
) -> PaletteClient | None:
    """A client, or None when no API key is available and none is ``required`` (tests replace
    this)."""
    settings = resolve_palette_settings(loaded, os.environ, flags, key_optional=not required)
    if settings.api_key is None and not required:
        return None
    return connect_palette(settings)


def gate_token(loaded: LoadedConfig, flags: PaletteFlags, *, skip: bool = False) -> None:
    """Stop (exit 2, nothing written) when Palette says the configured token cannot register.

    Nothing is asked when ``skip``, when the config has no token, when its reference gives no
    value (a placeholder is rendered and said), or when no API key is available.
    """
    source = loaded.config.palette.registration_token
    if skip or source is None:
        return
    where = ("palette", "registration_token")
    unset = "\0unset"
    token = loaded.secret(source, where, placeholder=unset)
    if token.reveal() == unset:
        return
    client = open_palette(loaded, flags, required=False)
    if client is None:
        return
    try:
        verdict = check_token(client, token, datetime.now(timezone.utc))
    finally:
        client.close()
    click.echo(f"palette-tailscale: {verdict.describe()}", err=True)
