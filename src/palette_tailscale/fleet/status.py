"""``fleet status``: the inventory against the tailnet's devices.

A device belongs to a host when the hostname it reported equals the host's Tailscale hostname
(the enrollment script always passes ``--hostname``), compared without case. Each host is then:

* ``online``: one device, connected now;
* ``offline``: one device, not connected (with when it was last seen);
* ``missing``: no device: the host never joined (or its device was deleted);
* ``duplicated``: more than one device: a reinstall without cleanup, or cloned state.

Devices carrying one of the fleet's tags (``tailscale.tags``) that match no host are
``unexpected``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from ..tailnet.base import Device
from .model import FleetHost

State = Literal["online", "offline", "missing", "duplicated"]
STATES: Final[tuple[State, ...]] = ("online", "offline", "missing", "duplicated")
PROBLEM_STATES: Final = frozenset({"missing", "duplicated"})


@dataclass(frozen=True, slots=True)
class HostStatus:
    name: str
    hostname: str
    state: State
    devices: tuple[Device, ...] = ()

    @property
    def online(self) -> bool:
        """One of the host's devices is connected now."""
        return any(d.online for d in self.devices)

    def seen_at(self, checked_at: datetime) -> datetime | None:
        """When the host was last seen: the check's time while a device of it is connected
        (a connected device reports no last-seen time, and an older duplicate's would be
        wrong), else its devices' latest, else None."""
        if self.online:
            return checked_at
        seen = [d.last_seen for d in self.devices if d.last_seen is not None]
        return max(seen) if seen else None


@dataclass(frozen=True, slots=True)
class FleetStatus:
    hosts: tuple[HostStatus, ...]
    unexpected: tuple[Device, ...]
    checked_at: datetime

    def count(self, state: State) -> int:
        return sum(1 for h in self.hosts if h.state == state)

    @property
    def healthy(self) -> bool:
        """No host is missing or duplicated."""
        return not any(h.state in PROBLEM_STATES for h in self.hosts)


def classify(
    hosts: Iterable[FleetHost],
    devices: Iterable[Device],
    now: datetime,
    fleet_tags: Iterable[str] = (),
) -> FleetStatus:
    """Each host's state and the unexpected devices; a pure function of its inputs."""
    by_hostname: dict[str, list[Device]] = {}
    ordered = sorted(devices, key=lambda d: (d.hostname.lower(), d.id))
    for device in ordered:
        by_hostname.setdefault(device.hostname.lower(), []).append(device)
    statuses: list[HostStatus] = []
    claimed: set[str] = set()
    for host in hosts:
        key = host.hostname.lower()
        found = tuple(by_hostname.get(key, ()))
        claimed.add(key)
        statuses.append(HostStatus(host.name, host.hostname, _state(found), found))
    tags = frozenset(fleet_tags)
    unexpected = tuple(
        d
        for d in ordered
        if d.hostname.lower() not in claimed and tags.intersection(d.tags) and not d.is_external
    )
    return FleetStatus(tuple(statuses), unexpected, now)


def _state(devices: tuple[Device, ...]) -> State:
    if not devices:
        return "missing"
    if len(devices) > 1:
        return "duplicated"
    return "online" if devices[0].online else "offline"
