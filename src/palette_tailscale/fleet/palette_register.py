"""``fleet provision --palette``: pre-register every inventory host in Palette, resumably.

Each host becomes an edge host (``POST /v1/edgehosts``) in its project (the host's
``palette.project``, else the config's), with its Palette tags as labels, ahead of its first
boot. Its UID is the host's name: the site user-data sets ``stylus.site.name`` to it, and an edge
host registers under that name (reference canvos-palette.md §7), so a UID taken from the serial
would pre-register a host that the device never claims.

The run writes to the provisioning journal, per host: ``palette-intent`` before asking, then
``palette-registered`` (created by this tool) or ``palette-existing`` (Palette already had an edge
host with that UID, made by someone else: left alone and reported). A later run:

* skips a host already recorded (``kept``);
* for an intent without an answer (the run was killed, or the answer was lost), asks Palette:
  an edge host with that UID was this tool's own and is recorded ``registered``; none, and the
  host is registered now;
* for a host with no record, asks Palette first: an existing edge host is ``existing``, left
  alone; otherwise it is registered. A 409 in between (created meanwhile) is ``existing`` too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..errors import PaletteTailscaleError
from ..palette.client import PaletteClient
from ..palette.model import Project
from .journal import JOURNAL_NAME, Journal
from .model import FleetHost

DONE_EVENTS: Final = {"palette-registered": "kept", "palette-existing": "existing"}


def edge_host_uid(host: FleetHost) -> str:
    """The UID the host's edge host has in Palette: its ``stylus.site.name``."""
    return host.name


@dataclass(frozen=True, slots=True)
class Registration:
    """What the run did for one host in Palette."""

    name: str
    uid: str
    action: str  # registered, existing, kept, failed
    project: str = ""
    message: str = ""


def palette_records(records: list[dict[str, Any]]) -> dict[str, str]:
    """Per host, the last Palette event of the journal."""
    last: dict[str, str] = {}
    for record in records:
        event = str(record.get("event", ""))
        if event.startswith("palette-"):
            last[str(record["host"])] = event
    return last


def resolve_projects(
    client: PaletteClient, hosts: Sequence[FleetHost]
) -> dict[str | None, Project | None]:
    """Each host project name (None: the config's) → its project; an unknown name raises."""
    projects: dict[str | None, Project | None] = {None: client.project()}
    for name in sorted({h.project for h in hosts if h.project}):
        projects[name] = client.find_project(name)
    return projects


class Registrar:
    """Resolves every project first (an unknown one stops the run before any change)."""

    def __init__(
        self, client: PaletteClient, hosts: Sequence[FleetHost], *, arch: str = "amd64"
    ) -> None:
        self.client, self.hosts, self.arch = client, tuple(hosts), arch
        self.projects = resolve_projects(client, self.hosts)

    def restrict(self, hosts: Sequence[FleetHost]) -> None:
        """Register only these (``fleet provision --rotate --state`` chose them among ours)."""
        names = {h.name for h in hosts}
        self.hosts = tuple(h for h in self.hosts if h.name in names)

    def run(
        self,
        out_dir: Path,
        *,
        concurrency: int = 8,
        on_host: Callable[[Registration], None] | None = None,
    ) -> list[Registration]:
        with Journal(out_dir / JOURNAL_NAME) as journal:
            last = palette_records(journal.records)

            def one(host: FleetHost) -> Registration:
                result = self._host(journal, host, last.get(host.name))
                if on_host is not None:
                    on_host(result)
                return result

            with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
                return list(pool.map(one, self.hosts))

    def _host(self, journal: Journal, host: FleetHost, last: str | None) -> Registration:
        uid = edge_host_uid(host)
        project = self.projects[host.project]
        label = (project.name or project.uid) if project else ""
        if last in DONE_EVENTS:
            return Registration(host.name, uid, DONE_EVENTS[last], label)
        try:
            action = self._register(journal, host, uid, project, resumed=last == "palette-intent")
        except PaletteTailscaleError as exc:
            return Registration(host.name, uid, "failed", label, str(exc))
        return Registration(host.name, uid, action, label)

    def _register(
        self,
        journal: Journal,
        host: FleetHost,
        uid: str,
        project: Project | None,
        *,
        resumed: bool,
    ) -> str:
        scope = project.uid if project else None
        if self.client.get_edge_host(uid, scope) is not None:
            event = "palette-registered" if resumed else "palette-existing"
            journal.append(event, host.name, uid=uid, project=scope or "")
            return "registered" if resumed else "existing"
        journal.append("palette-intent", host.name, uid=uid, project=scope or "")
        try:
            self.client.register_edge_host(
                uid,
                name=host.name,
                labels=dict(host.palette_tags),
                arch=self.arch,
                project_uid=scope,
            )
        except PaletteTailscaleError as exc:
            if getattr(exc, "status", None) != 409:
                raise
            journal.append("palette-existing", host.name, uid=uid, project=scope or "")
            return "existing"
        journal.append("palette-registered", host.name, uid=uid, project=scope or "")
        return "registered"
