"""Records as plain data for output: JSON objects and table cells (the CLI renders them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..secrets import redact
from ..times import utc_or_none
from .base import Device, KeyInfo
from .prune import PlanRow, is_online


def iso(when: datetime | None) -> str | None:
    return utc_or_none(when)


def seen(device: Device, now: datetime) -> datetime | None:
    """When the device was last seen: ``now`` while it is connected."""
    return now if is_online(device, now) else device.last_seen


def seen_cell(device: Device, now: datetime) -> str:
    """The LAST SEEN cell: ``now`` while connected, else the time, else ``never``."""
    if is_online(device, now):
        return "now"
    return iso(device.last_seen) or "never"


def key_json(info: KeyInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "description": info.description,
        "created": iso(info.created),
        "expires": iso(info.expires),
        "reusable": info.reusable,
        "ephemeral": info.ephemeral,
        "preauthorized": info.preauthorized,
        "tags": list(info.tags),
        "revoked": info.revoked,
        "invalid": info.invalid,
        "used": info.used,
    }


def key_state(info: KeyInfo) -> str:
    if info.revoked:
        return "revoked"
    if info.used and not info.reusable:
        return "used"
    return "invalid" if info.invalid else "valid"


def key_kind(info: KeyInfo) -> str:
    parts = ["reusable" if info.reusable else "single-use"]
    if info.ephemeral:
        parts.append("ephemeral")
    if info.preauthorized:
        parts.append("preauthorized")
    return ", ".join(parts)


def key_row(info: KeyInfo) -> list[str]:
    return [
        info.id,
        info.description,
        key_kind(info),
        ",".join(info.tags),
        iso(info.created) or "-",
        iso(info.expires) or "-",
        key_state(info),
    ]


KEY_COLUMNS = ["ID", "DESCRIPTION", "KIND", "TAGS", "CREATED", "EXPIRES", "STATE"]


def shown(value: Any) -> Any:
    """An API value as output shows it: key-shaped text masked (a device the server names like a
    key, whoever named it, must not put a key on the screen or into a script's JSON)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [shown(item) for item in value]
    if isinstance(value, dict):
        return {key: shown(item) for key, item in value.items()}
    return value


def device_json(device: Device, now: datetime) -> dict[str, Any]:
    return shown(_device_json(device, now))  # type: ignore[no-any-return]


def _device_json(device: Device, now: datetime) -> dict[str, Any]:
    return {
        "id": device.id,
        "name": device.name,
        "hostname": device.hostname,
        "tags": list(device.tags),
        "online": is_online(device, now),
        "last_seen": iso(seen(device, now)),
        "created": iso(device.created),
        "addresses": list(device.addresses),
        "key_expiry": None if device.key_expiry_disabled else iso(device.expires),
        "os": device.os,
        "client_version": device.client_version,
        "user": device.user,
        "authorized": device.authorized,
        "multiple_connections": device.multiple_connections,
        "is_external": device.is_external,
    }


DEVICE_COLUMNS = [
    "ID",
    "NAME",
    "HOSTNAME",
    "TAGS",
    "LAST SEEN",
    "CREATED",
    "ADDRESSES",
    "KEY EXPIRY",
    "OS",
]


def device_row(device: Device, now: datetime) -> list[str]:
    """The table row of :func:`device_json`'s record (the same values, the same time style)."""
    expiry = "disabled" if device.key_expiry_disabled else (iso(device.expires) or "-")
    return [redact(cell) for cell in _device_cells(device, now, expiry)]


def _device_cells(device: Device, now: datetime, expiry: str) -> list[str]:
    return [
        device.id,
        device.name.split(".")[0] or device.hostname,
        device.hostname,
        ",".join(device.tags),
        seen_cell(device, now),
        iso(device.created) or "-",
        " ".join(device.addresses),
        expiry,
        device.os,
    ]


PLAN_COLUMNS = ["ACTION", "ID", "NAME", "HOSTNAME", "LAST SEEN", "REASON"]


def plan_row(row: PlanRow, now: datetime) -> list[str]:
    device = row.device
    name = device.name.split(".")[0] or device.hostname
    cells = [row.action, device.id, name, device.hostname, seen_cell(device, now), row.reason]
    return [redact(cell) for cell in cells]


def plan_json(row: PlanRow, now: datetime) -> dict[str, Any]:
    return {
        "action": row.action,
        "kind": row.kind,
        "reason": redact(row.reason),
        **device_json(row.device, now),
    }
