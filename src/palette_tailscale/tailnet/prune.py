"""The prune planner: which devices are leftovers, duplicates or stale, and why.

A pure function of the device list, the time and the options, so a plan can be shown before
anything is deleted and a re-run after an interruption plans exactly what is left
(reference §7, "Duplicates and stale devices"):

* shared-in devices (``isExternal``) are never touched;
* cloned state (``multipleConnections``), a node key past its expiry and a device waiting for
  approval are reported, never deleted: the fix is on the host;
* ``localhost``, ``localhost-N`` and ``kairos-xxxx`` are leftovers of hosts that enrolled before
  their name was set;
* devices sharing a hostname (case-insensitive) are duplicates of one host: the newest online
  one is kept, else the newest;
* a device not connected and last seen (or, never seen, created) before the cutoff is stale;
* an online device is never deleted unless ``include_online``.

The planner sees only the devices in scope: those carrying every tag of ``tags`` (all devices
when empty), so a device outside the scope is never deleted nor the keeper of a duplicate.
``name`` and ``older_than`` then narrow which rows are shown and acted on.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from .base import Device

Action = Literal["delete", "report", "skip"]
LEFTOVER_RE = re.compile(r"^(localhost(-[0-9]+)?|kairos-[a-z0-9]{4})$")
RECENT = timedelta(minutes=10)
_NEVER = datetime.min


@dataclass(frozen=True, slots=True)
class PruneOptions:
    stale_after: timedelta = timedelta(days=30)
    include_online: bool = False
    tags: tuple[str, ...] = ()  # the scope: devices carrying every one (empty: all devices)
    name: str | None = None  # only rows whose name or hostname matches this glob
    older_than: timedelta | None = None  # only rows of devices idle for longer than this

    def in_scope(self, device: Device) -> bool:
        return not device.is_external and set(self.tags) <= set(device.tags)


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One device the planner has something to say about."""

    device: Device
    action: Action
    kind: str  # duplicate, leftover, stale, cloned, key-expired, unauthorized
    reason: str


def is_online(device: Device, now: datetime) -> bool:
    """``connectedToControl``/``online`` when the API says; else seen in the last minutes."""
    if device.online is not None:
        return device.online
    return device.last_seen is not None and now - device.last_seen < RECENT


def label(device: Device) -> str:
    """The first label of the device's name, or its hostname."""
    return (device.name.split(".")[0] or device.hostname).lower()


def is_leftover(device: Device) -> bool:
    return bool(
        LEFTOVER_RE.fullmatch(device.hostname.lower()) or LEFTOVER_RE.fullmatch(label(device))
    )


def plan_prune(devices: Iterable[Device], now: datetime, options: PruneOptions) -> list[PlanRow]:
    """Rows for every device to delete, report or skip, sorted by hostname then id."""
    candidates = [d for d in devices if options.in_scope(d)]
    keep = _keepers(candidates, now)
    found: list[PlanRow] = []
    for device in candidates:
        report = _report(device, now)
        proposal = (
            None if report and report.kind == "cloned" else _deletion(device, now, options, keep)
        )
        if proposal is not None:
            found.append(_guard(proposal, now, options))
        elif report is not None:
            found.append(report)
    found = [row for row in found if _narrowed(row.device, now, options)]
    return sorted(found, key=lambda r: (r.device.hostname.lower(), r.device.id))


def _narrowed(device: Device, now: datetime, options: PruneOptions) -> bool:
    if options.name is not None:
        pattern = options.name.lower()
        names = (device.hostname, device.name, label(device))
        if not any(fnmatch.fnmatchcase(n.lower(), pattern) for n in names):
            return False
    if options.older_than is not None:
        idle = idle_for(device, now)
        return idle is not None and idle > options.older_than
    return True


def idle_for(device: Device, now: datetime) -> timedelta | None:
    """How long since the device was last active (seen, or created if never seen)."""
    if is_online(device, now):
        return timedelta(0)
    last = device.last_seen or device.created
    return now - last if last is not None else None


def _report(device: Device, now: datetime) -> PlanRow | None:
    if device.multiple_connections:
        return PlanRow(
            device,
            "report",
            "cloned",
            "cloned state: several machines share this node key; reset /var/lib/tailscale "
            "on the clones",
        )
    expired = device.expires is not None and device.expires <= now
    if expired and not device.key_expiry_disabled:
        when = device.expires.date().isoformat() if device.expires else ""
        return PlanRow(
            device, "report", "key-expired", f"node key expired on {when}; re-authenticate"
        )
    if not device.authorized:
        return PlanRow(device, "report", "unauthorized", "waiting for approval (not authorized)")
    return None


def _keepers(devices: Sequence[Device], now: datetime) -> dict[str, Device]:
    groups: dict[str, list[Device]] = defaultdict(list)
    for device in devices:
        if not is_leftover(device) and device.hostname:
            groups[device.hostname.lower()].append(device)
    return {name: max(group, key=lambda d: _rank(d, now)) for name, group in groups.items()}


def _rank(device: Device, now: datetime) -> tuple[bool, datetime, datetime, str]:
    seen = device.last_seen or (now if is_online(device, now) else None)
    return (
        is_online(device, now),
        _naive(seen),
        _naive(device.created),
        device.id,
    )


def _naive(when: datetime | None) -> datetime:
    return when.replace(tzinfo=None) if when else _NEVER


def _deletion(
    device: Device, now: datetime, options: PruneOptions, keep: dict[str, Device]
) -> PlanRow | None:
    if is_leftover(device):
        return PlanRow(
            device,
            "delete",
            "leftover",
            f"leftover default name {label(device)!r}: the host enrolled before its name was set",
        )
    kept = keep.get(device.hostname.lower())
    if kept is not None and kept.id != device.id:
        return PlanRow(
            device, "delete", "duplicate", f"duplicate of {kept.hostname} (keeping {kept.id})"
        )
    return _stale(device, now, options)


def _stale(device: Device, now: datetime, options: PruneOptions) -> PlanRow | None:
    if is_online(device, now):
        return None
    cutoff = now - options.stale_after
    if device.last_seen is not None:
        if device.last_seen < cutoff:
            days = (now - device.last_seen).days
            return PlanRow(device, "delete", "stale", f"offline, last seen {days} days ago")
        return None
    if device.created is not None and device.created < cutoff:
        days = (now - device.created).days
        return PlanRow(device, "delete", "stale", f"never connected, created {days} days ago")
    return None


def _guard(row: PlanRow, now: datetime, options: PruneOptions) -> PlanRow:
    if row.action == "delete" and is_online(row.device, now) and not options.include_online:
        return PlanRow(
            row.device, "skip", row.kind, f"{row.reason}; online (pass --include-online)"
        )
    return row
