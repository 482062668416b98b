"""Palette's view joined into ``fleet status`` (a :class:`~.report.StatusJoin`; pure functions).

Each host's record gains the Palette columns (state, health, heartbeat, cluster) and its JSON
gains ``palette`` and ``one_side_only``, both made from the same
:class:`~.palette_join.JoinedHost`, so table and JSON always agree. A host known to one side
only gets a ``<<`` marker at the end of its row and is listed again right under the table: that
is the line to act on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ..palette.model import EdgeHost
from . import report
from .palette_join import PALETTE_STATES, JoinedHost, JoinedStatus

ONE_SIDE = {
    "palette": "registered in Palette, absent from the tailnet",
    "tailnet": "on the tailnet, missing in Palette",
}
MARKER = "<<"
# With Palette beside it, the tailnet's state column says which side it is.
STATE_HEADER: Final = "TAILNET"


def _edge_json(edge: EdgeHost) -> dict[str, Any]:
    return {
        "uid": edge.uid,
        "name": edge.name,
        "state": edge.state or None,
        "health": edge.health,
        "last_heartbeat": report._time(edge.last_heartbeat),
        "clusters": list(edge.clusters),
        "project": edge.project.name if edge.project else None,
    }


def _palette_json(host: JoinedHost) -> dict[str, Any]:
    view = host.palette
    return {
        "state": view.state,
        "uid": view.edge_host.uid if view.edge_host else None,
        "host_state": (view.edge_host.state or None) if view.edge_host else None,
        "health": view.health,
        "last_heartbeat": report._time(view.last_heartbeat),
        "cluster": view.cluster,
    }


@dataclass(frozen=True)
class PaletteColumns:
    """Palette's view of every host of a :class:`JoinedStatus`, as ``fleet status`` joins it."""

    joined: JoinedStatus
    headers: tuple[str, ...] = ("PALETTE", "HEALTH", "HEARTBEAT", "CLUSTER", "")
    _by_name: Mapping[str, JoinedHost] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {h.name: h for h in self.joined.hosts})

    @property
    def healthy(self) -> bool:
        return self.joined.healthy

    def cells(self, host: str) -> tuple[str, ...]:
        joined = self._by_name[host]
        view = joined.palette
        return (
            view.state,
            view.health or "-",
            report._time(view.last_heartbeat) or "-",
            view.cluster or "-",
            MARKER if joined.one_side else "",
        )

    def fields(self, host: str) -> dict[str, Any]:
        joined = self._by_name[host]
        return {"palette": _palette_json(joined), "one_side_only": joined.one_side}

    def states(self, host: str) -> frozenset[str]:
        return self._by_name[host].filters

    def stands_out(self, host: str) -> bool:
        return self._by_name[host].one_side is not None

    def sections(self, emphasise: Callable[[str], str]) -> list[str]:
        lines: list[str] = []
        one_sided = [h for h in self.joined.one_side_only if h.one_side]
        if one_sided:
            lines += ["", f"{MARKER} known to one side only:"]
            lines += [
                emphasise(f"  {h.name}: {ONE_SIDE[h.one_side]}") for h in one_sided if h.one_side
            ]
        if self.joined.unexpected:
            lines += ["", "unexpected edge hosts (in the project, not in the inventory):"]
            rows = [
                [
                    e.uid,
                    e.name,
                    e.state or "-",
                    e.health or "-",
                    report._time(e.last_heartbeat) or "-",
                ]
                for e in self.joined.unexpected
            ]
            lines += report.table_lines(["UID", "NAME", "STATE", "HEALTH", "HEARTBEAT"], rows)
        return lines

    def totals(self) -> dict[str, Any]:
        status = self.joined
        summary: dict[str, int] = {state: status.count(state) for state in PALETTE_STATES}
        summary.update(healthy=status.count_health("healthy"))
        summary.update(unhealthy=status.count_health("unhealthy"))
        summary["unexpected"] = len(status.unexpected)
        return {
            "one_side_only": [
                {"name": h.name, "side": h.one_side} for h in status.one_side_only if h.one_side
            ],
            "palette": {
                "projects": [{"uid": p.uid, "name": p.name} for p in status.projects],
                "summary": summary,
                "unexpected": [_edge_json(e) for e in status.unexpected],
            },
        }

    def summary(self) -> str:
        status = self.joined
        unexpected = len(status.unexpected)
        return (
            f"Palette: {status.count('registered')} registered "
            f"({status.count_health('healthy')} healthy, {status.count_health('unhealthy')} "
            f"unhealthy), {status.count('missing')} missing; {len(status.one_side_only)} on one "
            f"side only; {unexpected} unexpected edge host{'s' if unexpected != 1 else ''}"
        )
