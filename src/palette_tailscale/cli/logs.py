"""What the library logs, on stderr: warnings always, every request with ``-v/--verbose``.

The library logs and never prints (tailnet/http.py logs each request, each retry wait, and a
long wait as a warning). The CLI shows warnings by default and everything under ``-v``. The
tailnet logger scrubs secrets from every record before it reaches this handler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
LOGGER = "palette_tailscale"


class _Stderr(logging.Handler):
    """Writes through click at emit time, so the current stderr (a test's too) is used."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(f"palette-tailscale: {self.format(record)}", err=True)
        except Exception:  # a closed stream must not turn a log line into a crash
            self.handleError(record)


def setup(*, verbose: bool = False) -> None:
    """Warnings on stderr; with ``verbose``, every request and retry too."""
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        logger.addHandler(_Stderr())
    logger.propagate = False
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)


def _on_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    setup(verbose=value)  # every command that talks to an API has the option


def verbose_option(func: F) -> F:
    """``-v/--verbose``: log each API request (method, path, status, time) and retry wait."""
    params = getattr(func, "__click_params__", [])
    if any(p.name == "verbose" for p in params):
        return func  # already there through another group of shared options
    return click.option(
        "-v",
        "--verbose",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_on_verbose,
        help="Log each API request (method, path, status, duration) and retry wait on stderr.",
    )(func)
