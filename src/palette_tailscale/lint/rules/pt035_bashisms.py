"""Bash-only syntax in ``if`` or ``commands``: yip runs them with ``sh -c``.

On Ubuntu ``sh`` is dash: ``[[ ]]``, ``==`` inside ``[ ]``, ``<(...)``, ``${x,,}``, ``&>`` and
``function f {`` fail or mean something else. In ``if:`` the message says what dash makes of
it: mostly a condition that fails on every boot, so the step is skipped without an error
(``&>`` instead runs the test in the background, so the condition always holds). A
``#!/bin/bash`` first line is only a comment to ``sh -c``. Use POSIX syntax, or run
``bash -c '...'`` explicitly.

Source: mudler/yip ``pkg/console/console.go`` (``sh -c``) and ``pkg/plugins/if.go``.

Bad::

    #cloud-config
    stages:
      boot:
        - name: check
          if: '[[ -f /run/cos/active_mode ]]'
          commands:
            - echo installed

Good::

    #cloud-config
    stages:
      boot:
        - name: check
          if: '[ -f /run/cos/active_mode ]'
          commands:
            - echo installed
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ...yamlio import Scalar
from ..context import Context, Hit
from ..problem import Level
from ..shell import find

ID = "PT035"
LEVEL: Level = "warning"
SUMMARY = "bash-only syntax in if or commands (run by sh)"

FAILS: Final = "so the condition fails on every boot and yip skips the step"
# (pattern, what, what dash makes of it in an `if:`)
PATTERNS: Final = (
    (re.compile(r"\[\[\s"), "`[[ ]]`", f"dash has no `[[` command (status 127), {FAILS}"),
    (re.compile(r"(?<!\[)\[\s[^\]\n]*\s==\s"), "`==` inside `[ ]`",
     f"dash's `[` rejects `==` (status 2), {FAILS}"),
    (re.compile(r"<\("), "process substitution `<(...)`", f"dash cannot parse it, {FAILS}"),
    (re.compile(r"\$\{\w+(?:,,|\^\^)\}"), "case conversion `${x,,}`",
     f"dash stops with 'Bad substitution', {FAILS}"),
    (re.compile(r"&>(?!&)"), "`&>` redirection",
     "dash runs the command in the background instead, so the condition always holds"),
    (re.compile(r"^\s*function\s+\w+\s*(?:\(\))?\s*\{"), "`function name {`",
     f"dash cannot parse it, {FAILS}"),
)  # fmt: skip


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        guard = step.scalar("if")
        if guard is not None:
            yield from _scan(ctx, guard, condition=True)
    for command in ctx.commands:
        yield from _scan(ctx, command.node, condition=False)


def _scan(ctx: Context, node: Scalar, *, condition: bool) -> Iterator[Hit]:
    text = node.raw
    if "bash" in text and (text.startswith("#!") or "bash -c" in text or "bash <<" in text):
        if text.startswith("#!") and "bash" in text.split("\n", 1)[0]:
            yield Hit(
                ctx.at(node), "a #!/bin/bash line is only a comment to `sh -c`; the body runs in sh"
            )
        return
    for pattern, what, in_condition in PATTERNS:
        effect = f"in if: {in_condition}" if condition else "yip runs this with sh (dash on Ubuntu)"
        for offset, _ in find(pattern, text):
            yield Hit(
                ctx.locate(node, offset), f"{what} is bash-only; {effect}", anchor=node.mark.line
            )
