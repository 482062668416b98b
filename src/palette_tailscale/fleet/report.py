"""Text and JSON for the ``fleet`` commands' results (pure functions; the CLI prints them)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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


def status_json(status: FleetStatus) -> dict[str, Any]:
    counts: dict[str, int] = {state: status.count(state) for state in STATES}
    counts["unexpected"] = len(status.unexpected)
    return {
        "checked_at": _time(status.checked_at),
        "healthy": status.healthy,
        "summary": counts,
        "hosts": [_host_json(h) for h in status.hosts],
        "unexpected": [_device_json(d) for d in status.unexpected],
    }


def _host_row(host: HostStatus) -> list[str]:
    addresses = ", ".join(a for d in host.devices for a in d.addresses[:1]) or "-"
    # A connected device has no lastSeen: say "now" rather than an older duplicate's time.
    seen = "now" if any(d.online for d in host.devices) else _time(host.last_seen) or "-"
    return [host.name, host.hostname, host.state, seen, addresses]


def status_table(status: FleetStatus) -> str:
    rows = [["HOST", "HOSTNAME", "STATE", "LAST SEEN", "ADDRESS"]]
    rows.extend(_host_row(h) for h in status.hosts)
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
