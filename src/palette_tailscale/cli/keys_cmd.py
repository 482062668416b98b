"""``keys``: create, list and revoke auth keys; also the API options shared with ``devices``."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from ..atomic import PreparedWrite, prepare
from ..config import DEFAULT_PATH, LoadedConfig, duration_seconds
from ..errors import InputError, PaletteTailscaleError, error_line
from ..tailnet import (
    ApiFlags,
    Backend,
    CreatedKey,
    KeyRequest,
    NotAttempted,
    connect,
    resolve_settings,
    run_bulk,
)
from ..tailnet.report import KEY_COLUMNS, iso, key_json, key_kind, key_row
from ..tailnet.validate import check_key_request
from .common import (
    UserPath,
    api_flag_options,
    format_option,
    load_config,
    out_option,
    print_json,
    print_table,
)

F = TypeVar("F", bound=Callable[..., Any])

_CONFIG_OPTION = click.option(
    "-c",
    "--config",
    "config_path",
    type=UserPath(dir_okay=False),
    default=None,
    help=f"Config file for tailscale.api [default: {DEFAULT_PATH} when present].",
)


def api_options(func: F) -> F:
    """The options every ``keys`` and ``devices`` command takes to reach the API."""
    return _CONFIG_OPTION(api_flag_options(func))


def load_optional_config(config_path: str | None) -> LoadedConfig | None:
    if config_path is None and not Path(DEFAULT_PATH).is_file():
        return None
    return load_config(config_path, False, False)


@contextmanager
def open_backend(options: dict[str, Any]) -> Iterator[tuple[Backend, LoadedConfig | None]]:
    loaded = load_optional_config(options.pop("config_path"))
    with connected(options, loaded) as backend:
        yield backend, loaded


@contextmanager
def connected(options: dict[str, Any], loaded: LoadedConfig | None) -> Iterator[Backend]:
    """A backend from the API flags in ``options``, the environment and the config."""
    flags = ApiFlags(
        **{
            k: options.pop(k)
            for k in ("provider", "base_url", "tailnet", "api_key_file", "timeout")
        }
    )
    backend = connect(resolve_settings(loaded, os.environ, flags))
    try:
        yield backend
    finally:
        backend.close()


@click.group()
def keys() -> None:
    """Create, list and revoke auth keys on Tailscale or Headscale.

    Credentials come from the environment (TAILSCALE_API_KEY, or TAILSCALE_OAUTH_CLIENT_ID and
    TAILSCALE_OAUTH_CLIENT_SECRET; Headscale: HEADSCALE_URL, HEADSCALE_API_KEY), from
    tailscale.api in the config, or from --api-key-file.
    """


@keys.command("create")
@click.option("--reusable", is_flag=True, default=None, help="Many devices may use the key.")
@click.option("--ephemeral", is_flag=True, default=None, help="Devices vanish once offline.")
@click.option(
    "--preauthorized/--no-preauthorized", default=None, help="Skip device approval [default: yes]."
)
@click.option("--tag", "tags", multiple=True, help="tag:NAME for devices that join (repeat).")
@click.option(
    "--expiry", default=None, help="Lifetime such as 12h or 30d (at most 90d) [default: 7d]."
)
@click.option("--description", default="", help="Up to 50 letters, digits, spaces, hyphens.")
@out_option(dir_okay=False, help="Write the key here (0600); - is standard output.")
@format_option()
@api_options
def create(
    reusable: bool | None,
    ephemeral: bool | None,
    preauthorized: bool | None,
    tags: tuple[str, ...],
    expiry: str | None,
    description: str,
    output: str | None,
    fmt: str,
    **api: Any,
) -> int:
    """Mint an auth key.

    The key goes to stdout, or with -o/--out FILE (mode 0600) and nowhere else. Metadata
    (id, kind, tags, expiry) goes to stderr; with --format json it is printed on stdout as one
    JSON object, which carries the key as "key" only when there is no --out.
    """
    # Check everything the user gave before the API mints a key that could then be lost; the
    # output's temporary file is made first, so the key has somewhere to go (issue 12, item 1).
    loaded = load_optional_config(api.pop("config_path"))
    request = _key_request(loaded, reusable, ephemeral, preauthorized, tags, expiry, description)
    check_key_request(request)
    output = None if output == "-" else output
    with contextlib.ExitStack() as stack:
        target = stack.enter_context(prepare(Path(output), mode=0o600)) if output else None
        backend = stack.enter_context(connected(api, loaded))
        created = backend.create_key(request)
        if target is not None:
            _write_or_revoke(target, created, backend)
    _deliver(created, output, fmt)
    return 0


def _write_or_revoke(target: PreparedWrite, created: CreatedKey, backend: Backend) -> None:
    """Write the key; if that fails after all, revoke it rather than leave it valid and lost."""
    try:
        target.commit(created.key.reveal() + "\n")
    except OSError as exc:
        key_id = created.info.id
        why = f"cannot write {target.path}: {exc.strerror or type(exc).__name__}"
        try:
            backend.revoke_key(key_id)
        except PaletteTailscaleError as revoke_error:
            raise KeyWriteFailed(
                f"{why}; the key could not be revoked ({revoke_error}): revoke key {key_id} "
                f"yourself (`palette-tailscale keys revoke {key_id}`)"
            ) from None
        raise KeyWriteFailed(f"{why}; key {key_id} was revoked") from None


class KeyWriteFailed(PaletteTailscaleError):
    """A minted key could not be written (exit 1); the message says whether it was revoked."""


def _key_request(
    loaded: LoadedConfig | None,
    reusable: bool | None,
    ephemeral: bool | None,
    preauthorized: bool | None,
    tags: tuple[str, ...],
    expiry: str | None,
    description: str,
) -> KeyRequest:
    """Flags first, then the config's tailscale.key policy and tags, then the defaults."""
    policy = loaded.config.tailscale.key if loaded else None
    expiry_text = expiry or (policy.expiry if policy else "7d")
    try:
        seconds = duration_seconds(expiry_text)
    except ValueError as exc:
        raise InputError(f"--expiry: {exc}") from None
    return KeyRequest(
        reusable=reusable if reusable is not None else bool(policy and policy.reusable),
        ephemeral=ephemeral if ephemeral is not None else bool(policy and policy.ephemeral),
        preauthorized=preauthorized
        if preauthorized is not None
        else (policy.preauthorized if policy else True),
        tags=tags or tuple(loaded.config.tailscale.tags if loaded else ()),
        expiry_seconds=seconds,
        description=description,
    )


def _deliver(created: CreatedKey, output: str | None, fmt: str) -> None:
    if fmt == "json":
        data = key_json(created.info)
        if not output:
            data["key"] = created.key.reveal()
        print_json(data)
        return
    if not output:
        click.echo(created.key.reveal())
    info = created.info
    where = f" written to {output}" if output else ""
    tags = ", tags " + ",".join(info.tags) if info.tags else ""
    click.echo(
        f"created key {info.id}{where}: {key_kind(info)}{tags}, expires {iso(info.expires)}",
        err=True,
    )


@keys.command("list")
@format_option()
@api_options
def list_(fmt: str, **api: Any) -> int:
    """List auth keys (metadata only: a key's secret is never shown again)."""
    with open_backend(api) as (backend, _):
        infos = backend.list_keys()
    if fmt == "json":
        print_json([key_json(i) for i in infos])
    else:
        print_table(KEY_COLUMNS, [key_row(i) for i in infos])
    return 0


@keys.command("revoke")
@click.argument("key_ids", nargs=-1, required=True)
@format_option()
@api_options
def revoke(key_ids: tuple[str, ...], fmt: str, **api: Any) -> int:
    """Revoke auth keys by ID; exit 1 if any could not be revoked.

    With --format json, stdout holds one object per key: id, revoked, error.
    """
    with open_backend(api) as (backend, _):
        outcomes = run_bulk(backend.revoke_key, list(dict.fromkeys(key_ids)))
    for outcome in outcomes:
        if outcome.error is None:
            click.echo(f"revoked {outcome.item}", err=True)
    errors = [o.error for o in outcomes if o.error is not None]
    echo_errors(errors)
    if fmt == "json":
        print_json(
            [
                {
                    "id": o.item,
                    "revoked": o.error is None,
                    "error": None if o.error is None else str(o.error),
                }
                for o in outcomes
            ]
        )
    return max((e.exit_code for e in errors), default=0)


def echo_errors(errors: Sequence[PaletteTailscaleError]) -> None:
    """One line per failure; the items a bulk run did not attempt, once, counted."""
    skipped = [e for e in errors if isinstance(e, NotAttempted)]
    for error in errors:
        if not isinstance(error, NotAttempted):
            click.echo(error_line(str(error)), err=True)
    if skipped:
        click.echo(error_line(f"{len(skipped)} {skipped[0]}"), err=True)
