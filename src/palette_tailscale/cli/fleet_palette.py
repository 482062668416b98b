"""The Palette parts of ``fleet provision --palette`` and ``fleet status`` (kept apart from
``fleet_cmd``, which stays wiring): pre-registration lines, and reading both sides' views."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from ..config import LoadedConfig
from ..errors import error_line
from ..fleet.model import FleetHost
from ..fleet.palette_join import gather, join
from ..fleet.palette_register import Registrar, Registration, resolve_projects
from ..fleet.palette_report import STATE_HEADER, PaletteColumns
from ..fleet.report import StatusJoin, status_table
from ..fleet.status import FleetStatus, classify
from ..palette import PaletteClient
from ..tailnet.base import Backend
from .common import use_color

_WHAT = {
    "registered": "registered in Palette",
    "existing": "already in Palette (not made by this tool): left alone",
    "kept": "in Palette since an earlier run",
    "failed": "not registered in Palette",
}


def registration_line(done: Registration) -> str:
    where = f" (project {done.project})" if done.project and done.action == "registered" else ""
    text = f"{done.action} {done.name}: {_WHAT[done.action]}{where}"
    return f"{text}: {done.message}" if done.message else text


def registration_summary(done: Sequence[Registration]) -> str:
    counts: dict[str, int] = {}
    for item in done:
        counts[item.action] = counts.get(item.action, 0) + 1
    order = ("registered", "existing", "kept", "failed")
    parts = [f"{counts[a]} {a}" for a in order if counts.get(a)]
    total = len(done)
    return f"Palette: {total} host{'s' if total != 1 else ''}: {', '.join(parts) or 'none'}"


def preregister(
    registrar: Registrar,
    out_dir: Path,
    concurrency: int,
    echo: Callable[[str], None],
    *,
    summary: bool = True,
) -> list[Registration]:
    done = registrar.run(
        out_dir, concurrency=concurrency, on_host=lambda r: echo(registration_line(r))
    )
    if summary:
        click.echo(registration_summary(done))
    for failure in (d for d in done if d.action == "failed"):
        click.echo(error_line(f"{failure.name}: {failure.message}"), err=True)
    return done


def registrations_json(done: Sequence[Registration]) -> list[dict[str, Any]]:
    return [
        {
            "name": d.name,
            "uid": d.uid,
            "action": d.action,
            "project": d.project or None,
            "message": d.message or None,
        }
        for d in done
    ]


def read_status(
    loaded: LoadedConfig,
    hosts: tuple[FleetHost, ...],
    backend: Backend,
    client: PaletteClient | None,
) -> tuple[FleetStatus, PaletteColumns | None]:
    """The tailnet's view of the hosts and, with a Palette client, Palette's: the projects are
    looked up, then the devices and the edge hosts are read at the same time."""
    tags = loaded.config.tailscale.tags
    if client is None:
        devices = backend.list_devices()
        return classify(hosts, devices, datetime.now(timezone.utc), tags), None
    projects = resolve_projects(client, hosts)
    listed = list(dict.fromkeys(projects.values()))
    devices, edge_hosts = gather(backend, client, listed)
    status = classify(hosts, devices, datetime.now(timezone.utc), tags)
    joined = join(status, hosts, edge_hosts, [p for p in listed if p is not None])
    return status, PaletteColumns(joined)


def status_text(
    status: FleetStatus, joins: Sequence[StatusJoin], wanted: Sequence[str], *, palette: bool
) -> str:
    """The status table; on a terminal, the rows of hosts known to one side only in red."""
    emphasise: Callable[[str], str] = (
        (lambda line: click.style(line, fg="red", bold=True)) if use_color() else str
    )
    header = STATE_HEADER if palette else "STATE"
    return status_table(status, joins, wanted, state_header=header, emphasise=emphasise)
