"""A shell error in ``if:`` or a command: in ``if:`` it makes yip skip the step on every boot.

yip runs ``if:`` like a command, through ``sh -c``, and runs the step only when it exits 0. A
condition that sh cannot parse (an unterminated quote, a trailing ``&&``, ``if`` without ``fi``)
fails every time, so the step never runs, and yip logs it as a skipped step, not an error. A
``[`` test with a missing space (``[-f /x ]``, ``[ -f /x]``) or without its ``]`` fails the same
way. In ``commands`` the same mistakes make that command fail, or not run at all. The checks
agree with ``dash -n`` (syntax) and shellcheck (SC1035, SC1020, SC1072, SC1034); bash-only
syntax is PT035's.

Source: mudler/yip ``pkg/plugins/if.go`` (``IfConditional``), ``pkg/console/console.go``
(``sh -c``), ``pkg/executor/default.go`` (``Apply``: a failing conditional skips the step with a
warning).

Bad::

    #cloud-config
    stages:
      boot:
        - name: installed-only
          if: '[-f /run/cos/active_mode ]'
          commands:
            - touch /run/installed

Good::

    #cloud-config
    stages:
      boot:
        - name: installed-only
          if: '[ -f /run/cos/active_mode ]'
          commands:
            - touch /run/installed
"""

from __future__ import annotations

from collections.abc import Iterator

from ...yamlio import Scalar
from ..context import Context, Hit
from ..problem import Level
from ..sh_syntax import ShellError, errors

ID = "PT044"
LEVEL: Level = "error"
SUMMARY = "shell error in if: or a command (an if: that sh cannot run skips the step)"


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        guard = step.scalar("if")
        if guard is not None and guard.raw:
            yield from _scan(ctx, guard, condition=True)
    for command in ctx.commands:
        yield from _scan(ctx, command.node, condition=False)


def _scan(ctx: Context, node: Scalar, *, condition: bool) -> Iterator[Hit]:
    for error in errors(node.raw):
        message = f"{error.what}: {_effect(error, condition)}"
        yield Hit(ctx.locate(node, error.offset), message, anchor=node.mark.line)


def _effect(error: ShellError, condition: bool) -> str:
    if condition:
        return (
            "sh cannot run this condition, so it fails on every boot and yip always skips the step"
            if error.syntax
            else "this test fails with an error every time, so yip skips the step whenever the "
            "condition rests on it"
        )
    if error.syntax:
        return "sh cannot parse the command, so none of it runs"
    return "this test fails with an error every time"
