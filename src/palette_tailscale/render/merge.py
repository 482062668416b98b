"""Merging the user's ``userdata.extra`` into the rendered user-data, the way Kairos merges.

Kairos' collector merges configs so: maps recurse, lists of maps concatenate (stage step lists,
``users``), scalar lists are unioned, and a type clash is an error (reference/kairos-cloud-config
.md §7 "Header and merging"). A scalar the tool renders from the config and the user also sets
to something else is refused, naming the config key that owns it, rather than silently picking
one of the two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..device import is_owned_step
from ..errors import InputError, Mark

Where = Callable[[tuple[Any, ...]], Mark]


def deep_merge(
    ours: Mapping[str, Any], extra: Mapping[str, Any], where: Where, path: tuple[Any, ...] = ()
) -> dict[str, Any]:
    """``ours`` with ``extra`` merged in; ``where(path)`` positions errors in the config."""
    merged = dict(ours)
    for key, value in extra.items():
        sub = (*path, key)
        if key not in merged:
            merged[key] = value
        else:
            merged[key] = _merge_value(merged[key], value, where, sub)
    return merged


def _merge_value(ours: Any, theirs: Any, where: Where, path: tuple[Any, ...]) -> Any:
    if isinstance(ours, Mapping) and isinstance(theirs, Mapping):
        return deep_merge(ours, theirs, where, path)
    if isinstance(ours, list) and isinstance(theirs, list):
        if any(isinstance(item, Mapping) for item in (*ours, *theirs)):
            return [*ours, *theirs]
        return [*ours, *(item for item in theirs if item not in ours)]
    if _kind(ours) != _kind(theirs):
        raise InputError(
            f"userdata.extra.{_dotted(path)} is a {_kind(theirs)} but the rendered user-data "
            f"has a {_kind(ours)} there; Kairos refuses such a merge",
            mark=where(path),
        )
    if ours != theirs:
        raise InputError(
            f"userdata.extra.{_dotted(path)} conflicts with the value rendered from the config; "
            "set it through its own config key",
            mark=where(path),
        )
    return ours


def check_no_owned_steps(extra: Mapping[str, Any], where: Where) -> None:
    """Step names this tool owns are reserved: ``render --canvos`` would replace them."""
    stages = extra.get("stages")
    if not isinstance(stages, Mapping):
        return
    for stage, steps in stages.items():
        for i, step in enumerate(steps if isinstance(steps, list) else []):
            name = step.get("name") if isinstance(step, Mapping) else None
            if isinstance(name, str) and is_owned_step(name):
                raise InputError(
                    f"userdata.extra: step name {name!r} is reserved for palette-tailscale",
                    mark=where(("stages", stage, i, "name")),
                )


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return "scalar"


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)
