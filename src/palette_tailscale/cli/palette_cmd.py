"""``palette-tailscale palette``: the Palette side (registration tokens, for now)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import click

from ..atomic import prepare
from ..config import LoadedConfig
from ..config.models import duration_seconds
from ..config.secretref import MAX_SECRET_BYTES
from ..errors import InputError, PaletteTailscaleError
from ..inputfile import read_limited
from ..palette import (
    PaletteClient,
    PaletteFlags,
    Token,
    check_token,
    connect_palette,
    resolve_palette_settings,
)
from ..secrets import Secret
from ..tailnet.settings import check_credential
from ..times import utc_text
from .common import TIMEOUT_SECONDS, UserPath, format_option, out_option, print_json, print_table
from .keys_cmd import load_optional_config
from .logs import verbose_option

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = [
    click.option(
        "-c",
        "--config",
        "config_path",
        type=UserPath(dir_okay=False),
        default=None,
        help="Config file for the palette section [default: palette-tailscale.yaml if present].",
    ),
    click.option("--base-url", default=None, help="Palette API URL (PALETTE_BASE_URL)."),
    click.option(
        "--api-key-file",
        type=UserPath(dir_okay=False),
        default=None,
        help="File holding the Palette API key (instead of PALETTE_API_KEY).",
    ),
    click.option("--project", default=None, help="Project name [default: palette.project]."),
    click.option("--project-uid", default=None, help="Project UID [default: palette.project_uid]."),
    click.option("--timeout", type=TIMEOUT_SECONDS, default=None, help="Read timeout in seconds."),
]


def palette_api_options(func: F) -> F:
    for option in reversed(_OPTIONS):
        func = option(func)
    func = verbose_option(func)
    return func


@contextlib.contextmanager
def opened(options: dict[str, Any]) -> Iterator[tuple[PaletteClient, LoadedConfig | None]]:
    loaded = load_optional_config(options.pop("config_path"))
    flags = PaletteFlags(
        **{k: options.pop(k) for k in ("base_url", "api_key_file", "project", "project_uid")},
        timeout=options.pop("timeout"),
    )
    client = connect_palette(resolve_palette_settings(loaded, os.environ, flags))
    try:
        yield client, loaded
    finally:
        client.close()


@click.group()
def palette() -> None:
    """The Palette side: registration tokens of the tenant, checked against the project.

    Credentials: PALETTE_API_KEY, palette.api_key in the config, or --api-key-file. The API is
    https:// + palette.endpoint unless PALETTE_BASE_URL or --base-url says otherwise.
    """


@palette.group()
def tokens() -> None:
    """List, create and check edge host registration tokens."""


def _time(value: datetime | None) -> str:
    return utc_text(value) if value else "-"


def _state(token: Token, now: datetime) -> str:
    if not token.active:
        return "inactive"
    return "expired" if token.expired(now) else "active"


def _token_json(token: Token, now: datetime) -> dict[str, Any]:
    project = token.project
    return {
        "uid": token.uid,
        "name": token.name,
        "state": _state(token, now),
        "expires": _time(token.expiry) if token.expiry else None,
        "project": {"uid": project.uid, "name": project.name} if project else None,
    }


@tokens.command("list")
@palette_api_options
@format_option()
def list_(fmt: str, **options: Any) -> int:
    """List the tenant's registration tokens (never their values)."""
    now = datetime.now(timezone.utc)
    with opened(options) as (client, _):
        found = sorted(client.list_tokens(), key=lambda t: (t.name, t.uid))
    if fmt == "json":
        print_json([_token_json(t, now) for t in found])
        return 0
    rows = [
        [t.name, t.uid, t.project.name if t.project else "-", _state(t, now), _time(t.expiry)]
        for t in found
    ]
    print_table(["NAME", "UID", "PROJECT", "STATE", "EXPIRES"], rows)
    return 0


@tokens.command("create")
@palette_api_options
@click.argument("name")
@click.option("--expiry", default="30d", show_default=True, help="Lifetime, e.g. 12h or 90d.")
@out_option(dir_okay=False, help="Write the token to FILE (mode 0600) instead of stdout.")
def create(name: str, expiry: str, output: str | None, **options: Any) -> int:
    """Create a registration token whose default project is the configured one.

    The token goes to stdout, or with -o/--out FILE (mode 0600), and nowhere else.
    """
    try:
        lifetime = timedelta(seconds=duration_seconds(expiry))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--expiry") from None
    if not name.strip() or len(name) > 128:
        raise click.BadParameter("1 to 128 characters", param_hint="NAME")
    output = None if output == "-" else output
    with contextlib.ExitStack() as stack:
        # The temporary file first: a token is created only when it has somewhere to go.
        target = stack.enter_context(prepare(Path(output), mode=0o600)) if output else None
        client, _ = stack.enter_context(opened(options))
        project = client.project()
        if project is None:
            raise InputError(
                "a token needs a project: pass --project or --project-uid, or set palette.project"
            )
        created = client.create_token(name, project.uid, datetime.now(timezone.utc) + lifetime)
        if created.value is None:
            raise InputError(f"Palette created token {created.uid} but did not return its value")
        if target is not None:
            try:
                target.commit(created.value.reveal() + "\n")
            except OSError as exc:
                raise PaletteTailscaleError(
                    f"cannot write {output}: {exc.strerror or exc}; registration token "
                    f"{created.uid} was created in Palette: delete it there"
                ) from None
    if output is None:
        click.echo(created.value.reveal())
    where = f"; written to {output}" if output else ""
    click.echo(
        f"created registration token {created.name} ({created.uid}) in project "
        f"{project.name or project.uid}, expires {_time(created.expiry)}{where}",
        err=True,
    )
    return 0


@tokens.command("check")
@palette_api_options
@click.option(
    "--token-file",
    type=UserPath(dir_okay=False),
    default=None,
    help="Check the token in FILE instead of palette.registration_token.",
)
def check(token_file: str | None, **options: Any) -> int:
    """Check that the configured token exists, is active, unexpired and of the project.

    Exit codes: 0 the token is good, 2 it is not (the reason is printed) or input is bad.
    """
    with opened(options) as (client, loaded):
        value = _token(loaded, token_file)
        verdict = check_token(client, value, datetime.now(timezone.utc))
    click.echo(verdict.describe())
    return 0


def _token(loaded: LoadedConfig | None, token_file: str | None) -> Secret:
    if token_file:
        label = f"--token-file {token_file}"
        raw = read_limited(Path(token_file).expanduser(), limit=MAX_SECRET_BYTES, label=label)
        try:
            value = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise InputError(f"{label}: not UTF-8 text") from None
        if not value:
            raise InputError(f"{label}: the file is empty")
        return check_credential(Secret(value, f"file {token_file}"), label)
    source = loaded.config.palette.registration_token if loaded else None
    if loaded is None or source is None:
        raise InputError(
            "no registration token to check: set palette.registration_token in the config "
            "or pass --token-file"
        )
    return loaded.secret(source, ("palette", "registration_token"))
