"""Text and JSON for the ``fleet`` commands' results (pure functions; the CLI prints them)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from ..tailnet.base import Device
from . import artifacts
from .provision import HostOutcome, ProvisionResult
from .status import STATES, FleetStatus, HostStatus


def host_files(out_dir: Path, name: str) -> str:
    return str(artifacts.host_dir(out_dir, name)) + "/{user-data,meta-data," + f"{name}.iso}}"


def outcome_line(outcome: HostOutcome, out_dir: Path) -> str:
    if outcome.action == "failed":
        return f"failed {outcome.name}: {outcome.message}"
    text = f"{outcome.action} {outcome.name}: key {outcome.key_id} expires {outcome.expires}"
    if outcome.action in ("minted", "rotated") and outcome.message not in ("", "new"):
        text += f" ({outcome.message})"
    return text


def provision_summary(result: ProvisionResult) -> str:
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        counts[outcome.action] = counts.get(outcome.action, 0) + 1
    order = ("minted", "rotated", "repaired", "kept", "failed")
    parts = [f"{counts[a]} {a}" for a in order if counts.get(a)]
    total = len(result.outcomes)
    text = f"{total} host{'s' if total != 1 else ''}: {', '.join(parts) or 'nothing to do'}"
    if result.revoked:
        text += f"; revoked {len(result.revoked)} orphaned or replaced key(s)"
    return text


def unused_summary(count: int, applied: bool) -> str:
    if not count:
        return "no unused keys"
    if applied:
        return f"revoked {count} key{'s' if count != 1 else ''}"
    return f"{count} key{'s' if count != 1 else ''} to revoke; run again with --yes to revoke"


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _device_json(device: Device) -> dict[str, Any]:
    return {
        "id": device.id,
        "hostname": device.hostname,
        "name": device.name,
        "online": device.online,
        "last_seen": _time(device.last_seen),
        "addresses": list(device.addresses),
        "tags": list(device.tags),
    }


def _host_json(host: HostStatus) -> dict[str, Any]:
    return {
        "name": host.name,
        "hostname": host.hostname,
        "state": host.state,
        "last_seen": _time(host.last_seen),
        "devices": [_device_json(d) for d in host.devices],
    }


class StatusJoin(Protocol):
    """Another view of each host joined into the status rows (key states, Palette's view).

    Per host it adds ``headers`` columns to the table row (``cells``), fields to the host's
    JSON object (``fields``), states ``--state`` can select the host by (``states``), and
    whether its row must stand out. For the fleet: lines right under the table (``sections``),
    fields at the JSON's top level (``totals``), a summary line, and whether it is ``healthy``.
    """

    @property
    def headers(self) -> tuple[str, ...]: ...

    @property
    def healthy(self) -> bool: ...

    def cells(self, host: str) -> tuple[str, ...]: ...

    def fields(self, host: str) -> dict[str, Any]: ...

    def states(self, host: str) -> frozenset[str]: ...

    def stands_out(self, host: str) -> bool: ...

    def sections(self, emphasise: Callable[[str], str]) -> list[str]: ...

    def totals(self) -> dict[str, Any]: ...

    def summary(self) -> str: ...


@dataclass(frozen=True, slots=True)
class HostRecord:
    """One host as ``fleet status`` shows it, every joined view included: the table row and
    the JSON object are both made from it, so they cannot disagree."""

    name: str
    cells: tuple[str, ...]
    fields: dict[str, Any]
    states: frozenset[str]
    stands_out: bool


def host_records(
    status: FleetStatus, joins: Sequence[StatusJoin] = (), wanted: Collection[str] = ()
) -> tuple[HostRecord, ...]:
    """Every host's record, or those ``--state`` selects: their own state or a joined view's
    state is one of ``wanted``."""
    records = tuple(_record(host, joins) for host in status.hosts)
    if not wanted:
        return records
    chosen = frozenset(wanted)
    return tuple(r for r in records if r.states & chosen)


def _record(host: HostStatus, joins: Sequence[StatusJoin]) -> HostRecord:
    fields = _host_json(host)
    for join in joins:
        fields.update(join.fields(host.name))
    return HostRecord(
        name=host.name,
        cells=(*_host_row(host), *(c for j in joins for c in j.cells(host.name))),
        fields=fields,
        states=frozenset({host.state}).union(*(j.states(host.name) for j in joins)),
        stands_out=any(j.stands_out(host.name) for j in joins),
    )


def status_healthy(status: FleetStatus, joins: Sequence[StatusJoin] = ()) -> bool:
    """No host missing or duplicated on the tailnet, and every joined view content."""
    return status.healthy and all(join.healthy for join in joins)


def status_json(
    status: FleetStatus, joins: Sequence[StatusJoin] = (), wanted: Collection[str] = ()
) -> dict[str, Any]:
    """The whole fleet's summary; ``hosts`` are those ``wanted`` selects (all by default)."""
    counts: dict[str, int] = {state: status.count(state) for state in STATES}
    counts["unexpected"] = len(status.unexpected)
    data: dict[str, Any] = {
        "checked_at": _time(status.checked_at),
        "healthy": status_healthy(status, joins),
        "summary": counts,
        "hosts": [r.fields for r in host_records(status, joins, wanted)],
        "unexpected": [_device_json(d) for d in status.unexpected],
    }
    if wanted:
        data["selected"] = sorted(wanted)
    for join in joins:
        data.update(join.totals())
    return data


def _host_row(host: HostStatus) -> list[str]:
    addresses = ", ".join(a for d in host.devices for a in d.addresses[:1]) or "-"
    # A connected device has no lastSeen: say "now" rather than an older duplicate's time.
    seen = "now" if any(d.online for d in host.devices) else _time(host.last_seen) or "-"
    return [host.name, host.hostname, host.state, seen, addresses]


def status_table(
    status: FleetStatus,
    joins: Sequence[StatusJoin] = (),
    wanted: Collection[str] = (),
    *,
    state_header: str = "STATE",
    emphasise: Callable[[str], str] = str,
) -> str:
    """The table of ``wanted`` hosts (all by default), each joined view's sections under it,
    and the whole fleet's summary lines; ``emphasise`` styles what must stand out."""
    records = host_records(status, joins, wanted)
    head = ["HOST", "HOSTNAME", state_header, "LAST SEEN", "ADDRESS"]
    head += [h for join in joins for h in join.headers]
    lines = _align([head, *(list(r.cells) for r in records)])
    lines[1:] = [
        emphasise(line) if r.stands_out else line
        for line, r in zip(lines[1:], records, strict=True)
    ]
    for join in joins:
        lines.extend(join.sections(emphasise))
    if status.unexpected:
        lines.append("")
        lines.append("unexpected devices (fleet tags, not in the inventory):")
        extra = [["DEVICE", "HOSTNAME", "TAGS", "LAST SEEN"]]
        extra.extend(
            [d.id, d.hostname, ",".join(d.tags), _time(d.last_seen) or "-"]
            for d in status.unexpected
        )
        lines.extend(_align(extra))
    lines.append("")
    lines.append(status_summary(status))
    lines.extend(join.summary() for join in joins)
    if wanted:
        shown = len(records)
        selected = ", ".join(sorted(wanted))
        lines.append(f"{shown} host{'s' if shown != 1 else ''} shown (--state {selected})")
    return "\n".join(lines)


def status_summary(status: FleetStatus) -> str:
    parts = [f"{status.count(s)} {s}" for s in STATES]
    total = len(status.hosts)
    unexpected = len(status.unexpected)
    return (
        f"{total} host{'s' if total != 1 else ''}: {', '.join(parts)}; "
        f"{unexpected} unexpected device{'s' if unexpected != 1 else ''}"
    )


def _align(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
