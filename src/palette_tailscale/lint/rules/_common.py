"""Small helpers the rule modules share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ...yamlio import Map, Node, Scalar, Seq
from ..context import Context, Step

SUFFIXES: Final = (".before", ".after")
LIVE_GUARD_MARK: Final = "/run/cos/active_mode"
STATE_GUARD_HINT: Final = "if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'"


def stage_base(stage: str) -> str:
    for suffix in SUFFIXES:
        if stage.endswith(suffix):
            return stage[: -len(suffix)]
    return stage


def shown(raw: str, limit: int = 40) -> str:
    """A value as a message quotes it: whole when short, else its start and its length."""
    if len(raw) <= limit:
        return raw
    return f"{raw[: limit - 10]}… ({len(raw)} characters)"


def dotted(path: tuple[str, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


def items(step: Step, key: str) -> Iterator[Map]:
    """The mapping items of a list field of a step (``files``, ``directories`` ...)."""
    value = step.node.get(key)
    if isinstance(value, Seq):
        yield from (item for item in value.items if isinstance(item, Map))


def strings(node: Node | None) -> Iterator[Scalar]:
    """The scalar items of a list node."""
    if isinstance(node, Seq):
        yield from (item for item in node.items if isinstance(item, Scalar))


def sub(node: Node | None, *keys: str) -> Node | None:
    for key in keys:
        if not isinstance(node, Map):
            return None
        node = node.get(key)
    return node


def guarded(ctx: Context, step: Step) -> bool:
    """Whether the step (its ``if`` or its own commands) checks the installed-system markers."""
    if LIVE_GUARD_MARK in step.guard:
        return True
    return any(c.step is step and LIVE_GUARD_MARK in c.text for c in ctx.commands)
