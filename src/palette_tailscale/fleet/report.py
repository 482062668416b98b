"""Text and JSON for the ``fleet`` commands' results (pure functions; the CLI prints them)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from ..table import render
from ..tailnet.base import Device
from ..times import utc_or_none
from . import artifacts
from .provision import HostOutcome, ProvisionResult
from .status import STATES, FleetStatus, HostStatus
from .unused import UnusedKey


def host_files(out_dir: Path, name: str) -> str:
    return str(artifacts.host_dir(out_dir, name)) + "/{user-data,meta-data," + f"{name}.iso}}"


def host_files_json(out_dir: Path, name: str) -> dict[str, str]:
    """Where a host's files are, as ``fleet render --format json`` lists them."""
    folder = artifacts.host_dir(out_dir, name)
    return {
        "name": name,
        "dir": str(folder),
        "user_data": str(folder / "user-data"),
        "meta_data": str(folder / "meta-data"),
        "iso": str(folder / f"{name}.iso"),
    }


def render_json(out_dir: Path, names: Sequence[str]) -> dict[str, Any]:
    return {"out": str(out_dir), "hosts": [host_files_json(out_dir, n) for n in names]}


def outcome_json(outcome: HostOutcome) -> dict[str, Any]:
    return {
        "name": outcome.name,
        "action": outcome.action,
        "key_id": outcome.key_id,
        "expires": outcome.expires,
        "message": outcome.message or None,
    }


def provision_json(
    result: ProvisionResult, reflash: Sequence[tuple[str, Path]] = ()
) -> dict[str, Any]:
    """The same facts as the text lines: each host's outcome, the counts, what to re-flash."""
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        counts[outcome.action] = counts.get(outcome.action, 0) + 1
    return {
        "hosts": [outcome_json(o) for o in result.outcomes],
        "summary": counts,
        "revoked": list(result.revoked),
        "reflash": [{"name": name, "iso": str(iso)} for name, iso in reflash],
    }


def unused_json(unused: Sequence[UnusedKey], applied: bool) -> dict[str, Any]:
    return {
        "applied": applied,
        "keys": [
            {"host": u.host, "key_id": u.key_id, "expires": u.expires, "revoked": applied}
            for u in unused
        ],
    }


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
    order = ("minted", "rotated", "repaired", "kept", "failed", "skipped")
    label = {"skipped": "not attempted"}
    parts = [f"{counts[a]} {label.get(a, a)}" for a in order if counts.get(a)]
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
    return utc_or_none(value)


def _device_json(device: Device, checked_at: datetime) -> dict[str, Any]:
    online = bool(device.online)
    return {
        "id": device.id,
        "hostname": device.hostname,
        "name": device.name,
        "online": online,
        "last_seen": _time(checked_at if online else device.last_seen),
        "addresses": list(device.addresses),
        "tags": list(device.tags),
    }


def _host_json(host: HostStatus, checked_at: datetime) -> dict[str, Any]:
    return {
        "name": host.name,
        "hostname": host.hostname,
        "state": host.state,
        "online": host.online,
        "last_seen": _time(host.seen_at(checked_at)),
        "addresses": [a for d in host.devices for a in d.addresses[:1]],
        "devices": [_device_json(d, checked_at) for d in host.devices],
    }


def _seen_cell(fields: dict[str, Any]) -> str:
    """LAST SEEN from a JSON record: ``now`` while online (the JSON has the check's time)."""
    return "now" if fields["online"] else fields["last_seen"] or "-"


def _host_cells(fields: dict[str, Any]) -> list[str]:
    """The tailnet columns of a host's row, read from its JSON record."""
    addresses = ", ".join(fields["addresses"]) or "-"
    return [fields["name"], fields["hostname"], fields["state"], _seen_cell(fields), addresses]


def table_lines(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A table in the one style of every command (:mod:`palette_tailscale.table`), as lines."""
    return render(columns, rows).splitlines()


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
    records = tuple(_record(host, joins, status.checked_at) for host in status.hosts)
    if not wanted:
        return records
    chosen = frozenset(wanted)
    return tuple(r for r in records if r.states & chosen)


def _record(host: HostStatus, joins: Sequence[StatusJoin], checked_at: datetime) -> HostRecord:
    fields = _host_json(host, checked_at)
    cells = _host_cells(fields)
    for join in joins:
        fields.update(join.fields(host.name))
    return HostRecord(
        name=host.name,
        cells=(*cells, *(c for j in joins for c in j.cells(host.name))),
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
        "unexpected": [_device_json(d, status.checked_at) for d in status.unexpected],
    }
    if wanted:
        data["selected"] = sorted(wanted)
    for join in joins:
        data.update(join.totals())
    return data


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
    lines = table_lines(head, [r.cells for r in records])
    lines[2:] = [
        emphasise(line) if r.stands_out else line
        for line, r in zip(lines[2:], records, strict=True)
    ]
    for join in joins:
        lines.extend(join.sections(emphasise))
    if status.unexpected:
        lines.append("")
        lines.append("unexpected devices (fleet tags, not in the inventory):")
        devices = [_device_json(d, status.checked_at) for d in status.unexpected]
        lines.extend(
            table_lines(
                ["DEVICE", "HOSTNAME", "TAGS", "LAST SEEN"],
                [[d["id"], d["hostname"], ",".join(d["tags"]), _seen_cell(d)] for d in devices],
            )
        )
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
