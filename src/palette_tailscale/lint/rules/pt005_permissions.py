"""File ``permissions`` that are surely wrong: decimal-looking, quoted, or above 0o7777.

yip's ``permissions`` is a uint32 decoded by yaml.v3: ``0644`` is octal (420), but ``644`` is
the *decimal* number 644, i.e. mode 0o1204 (sticky, owner write, others read). A quoted
``"0644"`` is a string in an integer field: a type error that drops every stage of the file.
Decimal spellings of common modes (``420`` for 0644, ``493`` for 0755, ``384`` for 0600) are
accepted as deliberate. The message of a quoted mode says what the type error costs in this
kind of file (PT004).

Source: mudler/yip ``pkg/schema/schema.go`` (``Permissions uint32``); gopkg.in/yaml.v3
``resolve.go`` (``0644`` is octal, ``644`` decimal).

Bad::

    #cloud-config
    stages:
      boot:
        - name: motd
          files:
            - path: /etc/motd
              permissions: 644
              content: hello

Good::

    #cloud-config
    stages:
      boot:
        - name: motd
          files:
            - path: /etc/motd
              permissions: 0644
              content: hello
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ...yamlio import Scalar
from ..context import Context, Hit
from ..problem import Level
from ._common import items, shown

ID = "PT005"
LEVEL: Level = "error"
SUMMARY = "file permissions that are surely wrong (decimal-looking, quoted, above 0o7777)"

FIELDS: Final = ("files", "directories", "downloads")
COMMON_MODES: Final = frozenset(
    {0o400, 0o440, 0o444, 0o500, 0o555, 0o600, 0o640, 0o644, 0o660, 0o664, 0o700, 0o750, 0o755,
     0o770, 0o775, 0o777, 0o1777}
)  # fmt: skip
_OCTAL_LOOKING: Final = re.compile(r"^[1-7][0-7]{2,3}$")


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        for field in FIELDS:
            for item in items(step, field):
                node = item.get("permissions")
                if isinstance(node, Scalar):
                    message = judge(node, ctx.decode_effect(("stages",)))
                    if message:
                        yield Hit(ctx.at(node), message)


def judge(node: Scalar, effect: str = "yip drops every stage of the file") -> str | None:
    raw = shown(node.raw)
    if not node.plain:
        return (
            f"permissions {node.style}{raw}{node.style} is quoted: a string in yip's integer "
            f"field is a type error, so {effect}; write it unquoted (0644)"
        )
    value = node.as_int()
    if value is None:
        return None if node.value is None else f"permissions {raw!r} is not a number"
    if value < 0 or value > 0o7777:
        return f"permissions {raw} is above 0o7777 (mode bits only); write a mode like 0644"
    if _OCTAL_LOOKING.fullmatch(node.raw) and value not in COMMON_MODES:
        return (
            f"permissions {node.raw} is the decimal number {value} (mode 0{value:o}); "
            f"write 0{node.raw} for octal"
        )
    return None
