"""What the ``keys`` and ``devices`` commands do, one function each, with no output of their own."""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import InputError
from .base import Backend, Device
from .bulk import DEFAULT_CONCURRENCY, Outcome, run_bulk
from .errors import NotFound
from .prune import PlanRow, PruneOptions, plan_prune

__all__ = [
    "DEFAULT_CONCURRENCY",
    "PruneResult",
    "delete_if_present",
    "filter_devices",
    "find_device",
    "prune_devices",
    "rename_device",
    "run_bulk",
    "tag_device",
]
from .validate import check_device_name, check_tags


def filter_devices(
    devices: Sequence[Device], *, tags: Sequence[str] = (), name: str | None = None
) -> list[Device]:
    """Devices carrying every tag in ``tags`` whose name or hostname matches the glob ``name``."""
    found = []
    for device in devices:
        if not set(tags) <= set(device.tags):
            continue
        if name and not any(
            fnmatch.fnmatchcase(candidate.lower(), name.lower())
            for candidate in (device.hostname, device.name, device.name.split(".")[0])
        ):
            continue
        found.append(device)
    return sorted(found, key=lambda d: (d.hostname.lower(), d.name, d.id))


def find_device(backend: Backend, ref: str) -> Device:
    """A device by ID, MagicDNS name, its first label, or hostname (one match only)."""
    devices = backend.list_devices()
    for device in devices:
        if device.id == ref:
            return device
    wanted = ref.lower().rstrip(".")
    matches = [
        d
        for d in devices
        if wanted in (d.name.lower().rstrip("."), d.name.split(".")[0].lower(), d.hostname.lower())
    ]
    shown = repr(ref) if len(ref) <= 80 else f"{ref[:60]!r}… ({len(ref)} characters)"
    if not matches:
        raise InputError(f"no device named {shown} in the tailnet")
    if len(matches) > 1:
        ids = sorted(d.id for d in matches)
        listed = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        raise InputError(f"{shown} names {len(matches)} devices ({listed}): give the device ID")
    return matches[0]


def rename_device(backend: Backend, ref: str, new_name: str) -> Device:
    check_device_name(new_name)
    device = find_device(backend, ref)
    backend.rename_device(device.id, new_name)
    return backend.get_device(device.id)


def tag_device(backend: Backend, ref: str, tags: Sequence[str]) -> Device:
    check_tags(tags, lowercase=backend.kind == "headscale")
    device = find_device(backend, ref)
    backend.set_device_tags(device.id, sorted(set(tags)))
    return backend.get_device(device.id)


@dataclass(frozen=True, slots=True)
class PruneResult:
    plan: list[PlanRow]
    deleted: list[Outcome[PlanRow, None]]
    considered: tuple[int, int] = (0, 0)  # devices in scope, devices in the tailnet

    @property
    def failed(self) -> list[Outcome[PlanRow, None]]:
        return [o for o in self.deleted if not o.ok]


def prune_devices(
    backend: Backend,
    options: PruneOptions,
    *,
    apply: bool,
    now: datetime | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> PruneResult:
    """Plan from the current device list; with ``apply``, delete the rows marked ``delete``.

    A device already gone (404) counts as deleted, so a re-run after an interruption finishes
    the job instead of failing on what the first run did.
    """
    devices = backend.list_devices()
    plan = plan_prune(devices, now or datetime.now(timezone.utc), options)
    counts = (sum(1 for d in devices if options.in_scope(d)), len(devices))
    if not apply:
        return PruneResult(plan, [], counts)
    doomed = [row for row in plan if row.action == "delete"]
    outcomes = run_bulk(
        lambda row: delete_if_present(backend, row), doomed, concurrency=concurrency
    )
    return PruneResult(plan, outcomes, counts)


def delete_if_present(backend: Backend, row: PlanRow) -> None:
    with contextlib.suppress(NotFound):
        backend.delete_device(row.device.id)
