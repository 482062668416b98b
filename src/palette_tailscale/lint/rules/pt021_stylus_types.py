"""``stylus`` values that YAML turns into the wrong type.

Palette's ``stylus`` settings are strings, but YAML reads ``projectUid: 12345677788`` and a tag
``zip-code: 95135`` as numbers, and ``password: ####`` as null (``#`` starts a comment). After
Kairos re-writes the merged config (yaml.v3 marshal), a number such as ``0123`` comes back as
``83``; a null password is no password. Quote such values.

Bad::

    #cloud-config
    stylus:
      site:
        projectUid: 12345677788
        tags:
          zip-code: 95135

Good::

    #cloud-config
    stylus:
      site:
        projectUid: "12345677788"
        tags:
          zip-code: "95135"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from ...yamlio import Scalar, walk
from ..context import Context, Hit
from ..problem import Level

ID = "PT021"
LEVEL: Level = "warning"
SUMMARY = "stylus values that YAML turns into the wrong type"

STRING_KEYS: Final = frozenset(
    {"projectUid", "projectName", "name", "hostName", "edgeHostToken", "paletteEndpoint",
     "password", "username", "domain", "prefix"}
)  # fmt: skip


def check(ctx: Context) -> Iterator[Hit]:
    stylus = ctx.top("stylus")
    for path, node in walk(stylus, ("stylus",)):
        if isinstance(node, Scalar) and node.plain and path and isinstance(path[-1], str):
            message = _judge(ctx, path, node)
            if message:
                yield Hit(ctx.at(node), message)


def _judge(ctx: Context, path: tuple[Any, ...], node: Scalar) -> str | None:
    key, value = path[-1], node.value
    where = ".".join(str(p) for p in path)
    if value is None and _comment_at(ctx, node):
        return f"{where} is null: `#` starts a comment; quote the value"
    if isinstance(value, str) or value is None:
        return None
    if key in STRING_KEYS or (len(path) >= 2 and path[-2] == "tags"):
        kind = "a boolean" if isinstance(value, bool) else "a number"
        return f"{where}: YAML reads {node.raw} as {kind}; quote it to keep the text"
    return None


def _comment_at(ctx: Context, node: Scalar) -> bool:
    line = ctx.lines[node.mark.line - 1] if node.mark.line <= len(ctx.lines) else ""
    return line[node.mark.col - 1 :].startswith("#")
