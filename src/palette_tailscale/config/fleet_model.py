"""The fleet's records: one validated host of the inventory, and the inventory."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Mark


@dataclass(frozen=True, slots=True)
class FleetHost:
    """One edge host: its Palette identity, its Tailscale hostname and tags, where it was written.

    ``tags`` are the host's own Tailscale tags (added to the config's); ``palette_tags`` are
    ``stylus.site.tags`` labels, sorted by key.
    """

    name: str
    hostname: str
    serial: str | None = None  # serial number or UUID
    site: str | None = None
    tags: tuple[str, ...] = ()
    project: str | None = None
    palette_tags: tuple[tuple[str, str], ...] = ()
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Inventory:
    """The hosts of the fleet, in inventory order, and where they were read from."""

    hosts: tuple[FleetHost, ...]
    source: str
    warnings: tuple[str, ...] = ()

    def select(self, names: tuple[str, ...]) -> tuple[FleetHost, ...]:
        """The hosts named (all when ``names`` is empty); an unknown name is an error."""
        from ..errors import InputError

        if not names:
            return self.hosts
        by_name = {host.name: host for host in self.hosts}
        unknown = [name for name in names if name not in by_name]
        if unknown:
            raise InputError(f"--only: no host named {unknown[0]!r} in {self.source}")
        return tuple(by_name[name] for name in dict.fromkeys(names))
