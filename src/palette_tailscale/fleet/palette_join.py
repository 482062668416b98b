"""``fleet status`` with Palette's view: each host's tailnet state beside its edge host's state.

A host's edge host is the one whose UID (or name) is the host's name, which is what its site
user-data sets as ``stylus.site.name`` (see :func:`~.palette_register.edge_host_uid`). Per host:

* Palette ``registered`` (with its health, last heartbeat and cluster) or ``missing``;
* the tailnet state of :mod:`.status` (``online``, ``offline``, ``missing``, ``duplicated``).

A host known to one side only (registered in Palette but absent from the tailnet, or on the
tailnet but missing in Palette) is what an operator most needs to see: :attr:`JoinedHost.one_side`
names the side. Edge hosts of the listed projects that the inventory does not name are
``unexpected``. This module only joins; :func:`gather` reads both sides at the same time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from ..palette.client import PaletteClient
from ..palette.model import EdgeHost, Project
from ..tailnet.base import Backend, Device
from .model import FleetHost
from .palette_register import edge_host_uid
from .status import FleetStatus, HostStatus

PaletteState = Literal["registered", "missing"]
Side = Literal["palette", "tailnet"]
PALETTE_STATES: Final[tuple[PaletteState, ...]] = ("registered", "missing")
# What ``fleet status --state`` selects a host by on Palette's side. ``missing`` alone already
# means the tailnet's, so Palette's is ``palette-missing``; ``one-side-only`` picks the hosts
# one side only knows.
PALETTE_FILTERS: Final[tuple[str, ...]] = (
    "registered",
    "palette-missing",
    "healthy",
    "unhealthy",
    "one-side-only",
)


@dataclass(frozen=True, slots=True)
class PaletteView:
    state: PaletteState
    edge_host: EdgeHost | None = None

    @property
    def health(self) -> str | None:
        return self.edge_host.health if self.edge_host else None

    @property
    def last_heartbeat(self) -> datetime | None:
        return self.edge_host.last_heartbeat if self.edge_host else None

    @property
    def cluster(self) -> str | None:
        clusters = self.edge_host.clusters if self.edge_host else ()
        return ", ".join(clusters) or None


@dataclass(frozen=True, slots=True)
class JoinedHost:
    tailnet: HostStatus
    palette: PaletteView

    @property
    def name(self) -> str:
        return self.tailnet.name

    @property
    def one_side(self) -> Side | None:
        """The only side that knows the host, when just one does."""
        on_tailnet = self.tailnet.state != "missing"
        in_palette = self.palette.state == "registered"
        if in_palette and not on_tailnet:
            return "palette"
        if on_tailnet and not in_palette:
            return "tailnet"
        return None

    @property
    def filters(self) -> frozenset[str]:
        """The :data:`PALETTE_FILTERS` this host matches."""
        found = {"registered" if self.palette.state == "registered" else "palette-missing"}
        if self.palette.health in ("healthy", "unhealthy"):
            found.add(self.palette.health)
        if self.one_side is not None:
            found.add("one-side-only")
        return frozenset(found)


@dataclass(frozen=True, slots=True)
class JoinedStatus:
    tailnet: FleetStatus
    hosts: tuple[JoinedHost, ...]
    unexpected: tuple[EdgeHost, ...]
    projects: tuple[Project, ...]

    def count(self, state: PaletteState) -> int:
        return sum(1 for h in self.hosts if h.palette.state == state)

    def count_health(self, health: str) -> int:
        return sum(1 for h in self.hosts if h.palette.health == health)

    @property
    def one_side_only(self) -> tuple[JoinedHost, ...]:
        return tuple(h for h in self.hosts if h.one_side is not None)

    @property
    def healthy(self) -> bool:
        """No host missing in Palette (the tailnet's side is :attr:`FleetStatus.healthy`)."""
        return self.count("missing") == 0


def join(
    status: FleetStatus,
    hosts: Sequence[FleetHost],
    edge_hosts: Iterable[EdgeHost],
    projects: Sequence[Project] = (),
) -> JoinedStatus:
    """Pair every host of ``status`` with its edge host; a pure function of its inputs."""
    ordered = sorted(edge_hosts, key=lambda e: (e.uid, e.name))
    by_uid = {edge.uid: edge for edge in ordered}
    by_name: dict[str, EdgeHost] = {}
    for edge in ordered:
        by_name.setdefault(edge.name, edge)
    claimed: set[str] = set()
    joined: list[JoinedHost] = []
    for host, tailnet in zip(hosts, status.hosts, strict=True):
        found = by_uid.get(edge_host_uid(host)) or by_name.get(host.name)
        if found is not None:
            claimed.add(found.uid)
            view = PaletteView("registered", found)
        else:
            view = PaletteView("missing")
        joined.append(JoinedHost(tailnet, view))
    unexpected = tuple(e for e in ordered if e.uid not in claimed)
    return JoinedStatus(status, tuple(joined), unexpected, tuple(projects))


def gather(
    backend: Backend, palette: PaletteClient, projects: Sequence[Project | None]
) -> tuple[list[Device], list[EdgeHost]]:
    """The tailnet's devices and the projects' edge hosts, both read at the same time."""
    with ThreadPoolExecutor(max_workers=1 + len(projects)) as pool:
        devices = pool.submit(backend.list_devices)
        lists = [pool.submit(palette.list_edge_hosts, p.uid if p else None) for p in projects]
        edge_hosts = {e.uid: e for future in lists for e in future.result()}
        return list(devices.result()), list(edge_hosts.values())
