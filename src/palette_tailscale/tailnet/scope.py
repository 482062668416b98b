"""Which devices ``devices prune`` may touch, and the line that says so before the plan.

A destructive command over a whole tailnet is one typo from deleting a colleague's laptop, so the
scope is the fleet's tags by default: ``--tag`` given, else ``tailscale.tags`` from the config.
The whole tailnet takes ``--all-devices``, and the plan then says so in capitals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config import LoadedConfig
from ..errors import InputError
from .prune import PruneOptions


@dataclass(frozen=True, slots=True)
class PruneScope:
    tags: tuple[str, ...]
    source: str  # "--tag", "the config", or "--all-devices"

    @property
    def everything(self) -> bool:
        return not self.tags

    def describe(self, options: PruneOptions, counts: tuple[int, int]) -> str:
        """``scope: …``, the first line of the plan."""
        considered, total = counts
        if self.everything:
            head = (
                f"scope: ALL {total} devices of the tailnet (--all-devices), not only the fleet's"
            )
        else:
            tags = ", ".join(self.tags)
            head = f"scope: {considered} of {total} devices, those tagged {tags} ({self.source})"
        return head + "".join(f"; {part}" for part in _narrowing(options))

    def json(self, options: PruneOptions, counts: tuple[int, int]) -> dict[str, Any]:
        considered, total = counts
        return {
            "all_devices": self.everything,
            "tags": list(self.tags),
            "source": self.source,
            "name": options.name,
            "older_than_seconds": (
                int(options.older_than.total_seconds()) if options.older_than else None
            ),
            "devices_in_scope": considered,
            "devices_in_tailnet": total,
        }


def _narrowing(options: PruneOptions) -> list[str]:
    parts = []
    if options.name is not None:
        parts.append(f"names matching {options.name!r}")
    if options.older_than is not None:
        parts.append(f"idle for more than {_duration(int(options.older_than.total_seconds()))}")
    return parts


def _duration(seconds: int) -> str:
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def prune_scope(
    tags: tuple[str, ...], all_devices: bool, loaded: LoadedConfig | None
) -> PruneScope:
    """The scope from the flags, else the config's tags; :class:`InputError` when there is none."""
    if all_devices:
        return PruneScope((), "--all-devices")
    if tags:
        return PruneScope(tuple(dict.fromkeys(tags)), "--tag")
    fleet = tuple(loaded.config.tailscale.tags) if loaded is not None else ()
    if fleet:
        return PruneScope(fleet, f"tailscale.tags in {loaded.path}" if loaded else "the config")
    raise InputError(
        "devices prune needs a scope: the fleet's tags (tailscale.tags in the config) or --tag",
        hint="pass --all-devices to consider every device of the tailnet",
    )
