"""Bash-only syntax in ``if`` or ``commands``: yip runs them with ``sh -c``.

On Ubuntu ``sh`` is dash: ``[[ ]]``, ``==`` inside ``[ ]``, ``<(...)``, ``${x,,}``, ``&>`` and
``function f {`` fail or mean something else, and a failing ``if`` silently skips its step. A
``#!/bin/bash`` first line is only a comment to ``sh -c``. Use POSIX syntax, or run
``bash -c '...'`` explicitly.

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

PATTERNS: Final = (
    (re.compile(r"\[\[\s"), "`[[ ]]`"),
    (re.compile(r"(?<!\[)\[\s[^\]\n]*\s==\s"), "`==` inside `[ ]`"),
    (re.compile(r"<\("), "process substitution `<(...)`"),
    (re.compile(r"\$\{\w+(?:,,|\^\^)\}"), "case conversion `${x,,}`"),
    (re.compile(r"&>(?!&)"), "`&>` redirection"),
    (re.compile(r"^\s*function\s+\w+\s*(?:\(\))?\s*\{"), "`function name {`"),
)


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        guard = step.scalar("if")
        if guard is not None:
            yield from _scan(ctx, guard)
    for command in ctx.commands:
        yield from _scan(ctx, command.node)


def _scan(ctx: Context, node: Scalar) -> Iterator[Hit]:
    text = node.raw
    if "bash" in text and (text.startswith("#!") or "bash -c" in text or "bash <<" in text):
        if text.startswith("#!") and "bash" in text.split("\n", 1)[0]:
            yield Hit(
                ctx.at(node), "a #!/bin/bash line is only a comment to `sh -c`; the body runs in sh"
            )
        return
    for pattern, what in PATTERNS:
        for offset, _ in find(pattern, text):
            yield Hit(
                ctx.locate(node, offset),
                f"{what} is bash-only; yip runs this with sh (dash on Ubuntu)",
                anchor=node.mark.line,
            )
