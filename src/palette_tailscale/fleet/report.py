"""Text and JSON for the ``fleet`` commands' results (pure functions; the CLI prints them)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
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

    It adds ``headers`` columns to the table, a ``json_name`` field to each JSON host, its own
    states to what ``--state`` can select, and a summary line (``json_name`` + ``s`` in JSON).
    """

    @property
    def headers(self) -> tuple[str, ...]: ...

    @property
    def json_name(self) -> str: ...

    def cells(self, host: str) -> tuple[str, ...]: ...

    def json(self, host: str) -> Any: ...

    def states(self, host: str) -> frozenset[str]: ...

    def counts(self) -> dict[str, int]: ...

    def summary(self) -> str: ...


def shown_hosts(
    status: FleetStatus, joins: Sequence[StatusJoin] = (), wanted: Collection[str] = ()
) -> tuple[HostStatus, ...]:
    """The hosts ``--state`` selects: their own state or a joined view's state is wanted."""
    if not wanted:
        return status.hosts
    chosen = frozenset(wanted)
    return tuple(
        h
        for h in status.hosts
        if h.state in chosen or any(j.states(h.name) & chosen for j in joins)
    )


def status_json(
    status: FleetStatus, joins: Sequence[StatusJoin] = (), wanted: Collection[str] = ()
) -> dict[str, Any]:
    """The whole fleet's summary; ``hosts`` are those ``wanted`` selects (all by default)."""
    counts: dict[str, int] = {state: status.count(state) for state in STATES}
    counts["unexpected"] = len(status.unexpected)
    data: dict[str, Any] = {
        "checked_at": _time(status.checked_at),
        "healthy": status.healthy,
        "summary": counts,
        "hosts": [_joined_json(h, joins) for h in shown_hosts(status, joins, wanted)],
        "unexpected": [_device_json(d) for d in status.unexpected],
    }
    if wanted:
        data["selected"] = sorted(wanted)
    for join in joins:
        data[f"{join.json_name}s"] = join.counts()
    return data


def _joined_json(host: HostStatus, joins: Sequence[StatusJoin]) -> dict[str, Any]:
    data = _host_json(host)
    for join in joins:
        data[join.json_name] = join.json(host.name)
    return data


def _host_row(host: HostStatus) -> list[str]:
    addresses = ", ".join(a for d in host.devices for a in d.addresses[:1]) or "-"
    # A connected device has no lastSeen: say "now" rather than an older duplicate's time.
    seen = "now" if any(d.online for d in host.devices) else _time(host.last_seen) or "-"
    return [host.name, host.hostname, host.state, seen, addresses]


def status_table(
    status: FleetStatus, joins: Sequence[StatusJoin] = (), wanted: Collection[str] = ()
) -> str:
    rows = [["HOST", "HOSTNAME", "STATE", "LAST SEEN", "ADDRESS"]]
    for join in joins:
        rows[0].extend(join.headers)
    for host in shown_hosts(status, joins, wanted):
        rows.append(_host_row(host) + [c for j in joins for c in j.cells(host.name)])
    lines = _align(rows)
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
        shown = len(rows) - 1
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
