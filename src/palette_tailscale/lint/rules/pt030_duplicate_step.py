"""Duplicate step names in one stage of a file.

yip names each step ``<file>.<name>``; when a name repeats in a stage, it renames *every* step
of that stage to ``<name>.<index>``, so ``after:`` references to them stop matching and
``kairos-agent run-stage`` logs become ambiguous, and tools that manage steps by name
(``render --canvos`` replaces its own steps by name) may replace the wrong one.

Source: mudler/yip ``pkg/executor/default.go`` (``checkDuplicates``, ``genOpFromSchema``).

Bad::

    #cloud-config
    stages:
      boot:
        - name: setup
          commands:
            - echo one
        - name: setup
          commands:
            - echo two

Good::

    #cloud-config
    stages:
      boot:
        - name: setup-one
          commands:
            - echo one
        - name: setup-two
          commands:
            - echo two
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, Hit
from ..problem import Level

ID = "PT030"
LEVEL: Level = "warning"
SUMMARY = "duplicate step names in one stage"


def check(ctx: Context) -> Iterator[Hit]:
    seen: dict[tuple[str, str], int] = {}
    for step in ctx.steps:
        name, node = step.name, step.scalar("name")
        if name is None or node is None:
            continue
        first = seen.setdefault((step.stage, name), node.mark.line)
        if first != node.mark.line:
            yield Hit(
                ctx.at(node),
                f"step name {name!r} is already used in stage {step.stage!r} (line {first}): yip "
                "then renames every step of the stage to <name>.<index>, so after: references "
                "to them no longer match",
            )
