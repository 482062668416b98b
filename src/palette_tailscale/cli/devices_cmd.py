"""``devices``: list, prune, rename and tag tailnet devices."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import click

from .. import times
from ..config import duration_seconds
from ..errors import InputError
from ..kairos import is_valid_tag
from ..tailnet import ops
from ..tailnet.prune import PruneOptions
from ..tailnet.report import (
    DEVICE_COLUMNS,
    PLAN_COLUMNS,
    device_json,
    device_row,
    plan_json,
    plan_row,
)
from ..tailnet.scope import prune_scope
from .common import format_option, print_json, print_table
from .keys_cmd import api_options, echo_errors, open_backend


@click.group()
def devices() -> None:
    """List, prune, rename and tag devices on Tailscale or Headscale.

    Credentials as for `keys`: environment variables, tailscale.api in the config, or
    --api-key-file.
    """


@devices.command("list")
@click.option("--tag", "tags", multiple=True, help="Only devices carrying this tag (repeat: all).")
@click.option("--name", "name_glob", default=None, help="Only names or hostnames matching GLOB.")
@format_option()
@api_options
def list_(tags: tuple[str, ...], name_glob: str | None, fmt: str, **api: Any) -> int:
    """List devices: name, hostname, tags, seen, created, addresses, key expiry, OS."""
    for tag in tags:
        if not is_valid_tag(tag):
            raise InputError(f"--tag: {tag!r} is not a tag: write tag:NAME (e.g. tag:edge)")
    with open_backend(api) as (backend, _):
        found = ops.filter_devices(backend.list_devices(), tags=tags, name=name_glob)
    now = times.now()
    if fmt == "json":
        print_json([device_json(d, now) for d in found])
    else:
        print_table(DEVICE_COLUMNS, [device_row(d, now) for d in found])
    return 0


def _duration(option: str, text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        return timedelta(seconds=duration_seconds(text))
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


@devices.command("prune")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    help="Only devices carrying this tag (repeat: all) [default: the config's tailscale.tags].",
)
@click.option("--name", "name_glob", default=None, help="Only devices whose name matches GLOB.")
@click.option(
    "--older-than",
    default=None,
    metavar="DURATION",
    help="Only devices idle (not seen) for longer than this (12h, 30d).",
)
@click.option(
    "--all-devices",
    is_flag=True,
    help="Consider every device of the tailnet, not only those with the fleet's tags.",
)
@click.option(
    "--stale-after", default="30d", show_default=True, help="Offline longer than this is stale."
)
@click.option(
    "--yes", is_flag=True, help="Delete the devices marked delete (default: show the plan)."
)
@click.option("--include-online", is_flag=True, help="Also delete devices that are online.")
@click.option(
    "--concurrency", type=click.IntRange(1, 64), default=ops.DEFAULT_CONCURRENCY, show_default=True
)
@format_option()
@api_options
def prune(
    tags: tuple[str, ...],
    name_glob: str | None,
    older_than: str | None,
    all_devices: bool,
    stale_after: str,
    yes: bool,
    include_online: bool,
    concurrency: int,
    fmt: str,
    **api: Any,
) -> int:
    """Find duplicate, leftover (localhost-N, kairos-xxxx) and stale devices; delete with --yes.

    Only devices carrying the fleet's tags (tailscale.tags in the config, or --tag) are
    considered; --all-devices widens that to the whole tailnet. --name and --older-than narrow
    the plan further. Cloned state (several machines on one node key), expired node keys and
    devices waiting for approval are reported, never deleted. Exit 0 when the plan was shown or
    carried out, 1 when a deletion failed (run again to finish), 2 on bad input or credentials.
    """
    if all_devices and tags:
        raise click.UsageError("give --tag or --all-devices, not both")
    base = PruneOptions(
        stale_after=_duration("--stale-after", stale_after) or timedelta(0),
        include_online=include_online,
        name=name_glob,
        older_than=_duration("--older-than", older_than),
    )
    with open_backend(api) as (backend, loaded):
        scope = prune_scope(tags, all_devices, loaded)
        options = replace(base, tags=scope.tags)
        now = times.now()
        result = ops.prune_devices(backend, options, apply=yes, now=now, concurrency=concurrency)
    if fmt == "json":
        failed = {o.item.device.id: str(o.error) for o in result.failed}
        rows = [{**plan_json(r, now), "error": failed.get(r.device.id)} for r in result.plan]
        print_json({"scope": scope.json(options, result.considered), "plan": rows})
    else:
        click.echo(scope.describe(options, result.considered))
        print_table(PLAN_COLUMNS, [plan_row(r, now) for r in result.plan])
    return _prune_summary(result, yes)


def _prune_summary(result: ops.PruneResult, applied: bool) -> int:
    planned = sum(1 for r in result.plan if r.action == "delete")
    if not applied:
        hint = "; run again with --yes to delete them" if planned else ""
        click.echo(f"{planned} device(s) to delete{hint}", err=True)
        return 0
    echo_errors([o.error for o in result.failed if o.error is not None])
    done = planned - len(result.failed)
    click.echo(f"deleted {done} of {planned} device(s)", err=True)
    return 1 if result.failed else 0


@devices.command("rename")
@click.argument("old")
@click.argument("new")
@format_option()
@api_options
def rename(old: str, new: str, fmt: str, **api: Any) -> int:
    """Rename device OLD (ID, name or hostname) to NEW (a DNS label).

    Prints the new name, or with --format json the device as `devices list` shows it.
    """
    with open_backend(api) as (backend, _):
        device = ops.rename_device(backend, old, new)
    if fmt == "json":
        print_json(device_json(device, times.now()))
    else:
        click.echo(device.name or new)
    return 0


@devices.command("tag")
@click.argument("name")
@click.option(
    "--tag", "tags", multiple=True, required=True, help="tag:NAME (repeat); replaces the set."
)
@format_option()
@api_options
def tag(name: str, tags: tuple[str, ...], fmt: str, **api: Any) -> int:
    """Set the tags of device NAME (ID, name or hostname) to exactly the given tags.

    Prints the device's name and tags, or with --format json the device as `devices list`
    shows it.
    """
    with open_backend(api) as (backend, _):
        device = ops.tag_device(backend, name, tags)
    if fmt == "json":
        print_json(device_json(device, times.now()))
    else:
        click.echo(f"{device.name or device.hostname}: {','.join(device.tags)}")
    return 0
