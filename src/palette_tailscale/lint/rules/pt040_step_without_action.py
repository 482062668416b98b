"""A step with no action: its condition guards nothing, and the next step runs unconditionally.

A stage step runs its actions (``files``, ``commands``, ``systemctl``...) when its conditions
(``if``, ``only_*``, ``if_files``, ``node``) hold; yip checks each list item on its own. When
``- if:`` and ``- commands:`` are written as two list items, the first is a step with a
condition and nothing to do, and the second is a step with no condition at all: its commands run
on every boot, in the live installer and in recovery too. A step holding nothing but ``name``
(or ``after``) does nothing either. Write the condition and the actions in one list item.

Error when the next step of the stage has actions and no condition of its own (it runs
unconditionally); warning otherwise.

Source: mudler/yip ``pkg/executor/default.go`` (``Apply``: each list item is checked against
its own conditionals, then its plugins run) and ``pkg/schema/schema.go`` (``Stage``).

Bad::

    #cloud-config
    stages:
      boot:
        - name: installed-only
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
        - commands:
            - touch /run/installed

Good::

    #cloud-config
    stages:
      boot:
        - name: installed-only
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
          commands:
            - touch /run/installed
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ...kairos import STEP_FIELDS
from ..context import Context, Hit, Step
from ..problem import Level

ID = "PT040"
LEVEL: Level = "warning"
SUMMARY = "step with no action (a lone if: guards nothing; the next step runs unguarded)"

CONDITIONS: Final = frozenset(
    {"if", "node", "only_os", "only_os_version", "only_arch", "only_service_manager", "if_files"}
)
LABELS: Final = frozenset({"name", "after"})
ACTIONS: Final = frozenset(STEP_FIELDS) - CONDITIONS - LABELS


def check(ctx: Context) -> Iterator[Hit]:
    following = _following(ctx.steps)
    for step in ctx.steps:
        keys = set(step.node.keys())
        if keys & ACTIONS or keys - CONDITIONS - LABELS:
            continue  # it acts, or holds unknown keys (PT003 says they are ignored)
        yield _hit(ctx, step, keys & CONDITIONS, following.get(id(step)))


def _following(steps: list[Step]) -> dict[int, Step]:
    by_place = {(id(s.stage_key), s.index): s for s in steps}
    return {id(s): nxt for s in steps if (nxt := by_place.get((id(s.stage_key), s.index + 1)))}


def _hit(ctx: Context, step: Step, conditions: set[str], nxt: Step | None) -> Hit:
    where = f"stages.{step.stage}[{step.index}]"
    if not conditions:
        return Hit(ctx.at(step.node), f"{where} has no action: it does nothing")
    shown = ", ".join(sorted(conditions))
    after = set(nxt.node.keys()) if nxt is not None else set()
    if nxt is not None and after & ACTIONS and not after & CONDITIONS:
        return Hit(
            ctx.at(step.node),
            f"{where} has {shown} but no action, so it guards nothing and the next step "
            f"(line {nxt.node.mark.line}) runs unconditionally; write them as one list item",
            "error",
        )
    return Hit(
        ctx.at(step.node), f"{where} has {shown} but no action: the condition guards nothing"
    )
