"""``fleet manifest``, ``fleet inspect`` and ``fleet flash``: the technician's side of a fleet."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from ..atomic import check_writable, write_atomic
from ..config import LoadedConfig
from ..errors import InputError
from ..fleet import field_report, keyhistory, keystate
from ..fleet.blockdev import SystemView
from ..fleet.flash import check_target, flash, host_iso
from ..fleet.inspect import inspect_medium, secret_values
from ..fleet.manifest import build_manifest, manifest_csv, manifest_json
from ..fleet.medium import read_medium
from ..fleet.rekey import iso_path
from ..fleet.render import PLACEHOLDER_KEY
from ..secrets import redact
from ..tailnet.base import Backend
from .common import UserPath, api_flag_options, config_options, format_option, load_config
from .fleet_options import expiring_option, load_hosts, only_option, open_backend, out_option


def system_view() -> SystemView:
    """Where device facts are read (tests replace this with a stand-in tree)."""
    return SystemView()


@click.command("manifest")
@config_options
@out_option
@only_option
@format_option(("csv", "json"), "csv")
@click.option(
    "--file",
    "file_path",
    type=UserPath(dir_okay=False, path_type=Path),
    default=None,
    help="Write the manifest to FILE (whole, atomically) instead of stdout.",
)
def manifest_cmd(
    config_path: str | None,
    example: bool,
    strict: bool,
    out_dir: Path,
    only: tuple[str, ...],
    fmt: str,
    file_path: Path | None,
) -> int:
    """One row per host: name, serial, site, project, ISO, its sha256 and check code, key id."""
    loaded = load_config(config_path, example, strict)
    hosts = load_hosts(loaded, strict, only)
    found = keyhistory.read_histories(out_dir)
    manifest = build_manifest(hosts, out_dir, found, datetime.now(timezone.utc))
    if fmt == "csv":
        text = manifest_csv(manifest)
    else:
        text = json.dumps(manifest_json(manifest), indent=2, sort_keys=True) + "\n"
    if file_path is None:
        click.echo(text, nl=False)
    else:
        _check_regular(file_path)
        check_writable(file_path)
        write_atomic(file_path, text)
        count = len(manifest.rows)
        click.echo(f"wrote the manifest of {count} host{'s' if count != 1 else ''} to {file_path}")
    for problem in manifest.problems:
        click.echo(f"palette-tailscale: warning: {problem}", err=True)
    return 1 if manifest.problems else 0


def _check_regular(path: Path) -> None:
    """A rename would replace a device or a pipe with a plain file: refuse anything but a file."""
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise InputError(f"cannot write {path}: it is not a regular file")


def _backend(loaded: LoadedConfig | None, api: dict[str, Any]) -> Backend | None:
    """A backend when credentials are at hand; None (no check) when they are not."""
    from ..tailnet import MissingCredentials

    try:
        return open_backend(loaded, api)
    except MissingCredentials:
        return None


@click.command("inspect")
@click.argument("path", type=UserPath(path_type=Path))
@click.option(
    "-c",
    "--config",
    "config_path",
    type=UserPath(dir_okay=False),
    default=None,
    help="Config file: its inventory adds serial and site, its tailscale.api the credentials.",
)
@api_flag_options
@out_option
@format_option()
@expiring_option
@click.option("--offline", is_flag=True, help="Do not ask the API whether the key still works.")
def inspect_cmd(
    path: Path,
    config_path: str | None,
    out_dir: Path,
    fmt: str,
    expiring: timedelta,
    offline: bool,
    **api: Any,
) -> int:
    """Which host a stick, ISO or site user-data is for, and whether it will work.

    PATH is a site ISO, a block device or image file holding one, or a site user-data file;
    it is only ever opened read-only. Exit 0 usable, 1 unusable, 2 unreadable.
    """
    loaded = load_config(config_path, False, False) if config_path else None
    inventory = {h.name: h for h in load_hosts(loaded, False, ())} if loaded else None
    medium = read_medium(path)
    found = keyhistory.read_histories(out_dir)
    backend = None if offline or found is None else _backend(loaded, api)
    try:
        now = datetime.now(timezone.utc)
        inspection = inspect_medium(
            medium, found, now, expiring=expiring, backend=backend, inventory=inventory
        )
    finally:
        if backend is not None:
            backend.close()
    if fmt == "json":
        text = json.dumps(field_report.inspect_json(inspection), indent=2, sort_keys=True)
    else:
        text = field_report.inspect_text(inspection)
    click.echo(redact(text, *secret_values(inspection)))
    return 0 if inspection.usable else 1


@click.command("flash")
@click.argument("host")
@click.argument("target", type=UserPath(path_type=Path))
@out_option
@click.option(
    "--force",
    is_flag=True,
    help="Write to a device that is not removable or is in use; replace an existing file.",
)
def flash_cmd(host: str, target: Path, out_dir: Path, force: bool) -> int:
    """Write HOST's ISO to TARGET (a removable block device or an image file) and verify it."""
    found = keyhistory.read_histories(out_dir)
    iso = host_iso(out_dir, host, found)
    planned = check_target(target, len(iso), force=force, view=system_view())
    for warning in _stick_warnings(host, iso, found):
        click.echo(f"palette-tailscale: warning: {warning}", err=True)
    for reason in planned.overridden:
        click.echo(f"palette-tailscale: warning: --force: {reason}", err=True)
    result = flash(iso, planned, force=force)
    click.echo(field_report.flash_line(result, iso_path(out_dir, host)))
    return 0


def _stick_warnings(
    host: str, iso: bytes, found: Mapping[str, keyhistory.KeyHistory] | None
) -> list[str]:
    """Why a stick written from ``iso`` would not join (it is written all the same)."""
    if PLACEHOLDER_KEY.encode() in iso:
        return [
            f"{host}'s ISO holds the placeholder key: the stick will not join; "
            "run `fleet provision`"
        ]
    key = keystate.host_keys([host], found or {}, datetime.now(timezone.utc)).get(host)
    if key is not None and key.state in ("expired", "revoked"):
        return [
            f"{host}'s key {key.key_id} is {key.describe()}: the stick will not join; "
            "run `fleet provision`"
        ]
    return []
