"""``stylus`` values that YAML turns into the wrong type.

Palette's ``stylus`` settings are strings, but YAML reads ``projectUid: 12345677788`` and a tag
``zip-code: 95135`` as numbers, and ``password: ####`` as null (``#`` starts a comment). After
Kairos re-writes the merged config (yaml.v3 marshal), a number such as ``0123`` comes back as
``83``; a null password is no password. Quote such values.

Source: Palette's installer configuration reference (spectrocloud/librarium); gopkg.in/yaml.v3
``resolve.go``.

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
from typing import Final

from ...errors import Mark
from ...yamlio import Map, Node, Scalar, Seq
from ..context import Context, Hit
from ..problem import Level

ID = "PT021"
LEVEL: Level = "warning"
SUMMARY = "stylus values that YAML turns into the wrong type"
APPLIES_TO = ("installer", "site")  # stylus is read by Palette from user-data only

STRING_KEYS: Final = frozenset(
    {"projectUid", "projectName", "name", "hostName", "edgeHostToken", "paletteEndpoint",
     "password", "username", "domain", "prefix"}
)  # fmt: skip


def check(ctx: Context) -> Iterator[Hit]:
    for path, key, node in _pairs(ctx.top("stylus"), ("stylus",)):
        if node.plain:
            comment = _comment_mark(ctx, key) if not node.raw else None
            message = _judge(path, node, comment is not None)
            if message:
                yield Hit(comment or ctx.at(node), message)


def _pairs(
    node: Node | None, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Scalar, Scalar]]:
    """(path, key, value) for every scalar value of a mapping under ``node``."""
    if isinstance(node, Map):
        for key, value in node.items():
            if isinstance(value, Scalar):
                yield (*path, key.raw), key, value
            else:
                yield from _pairs(value, (*path, key.raw))
    elif isinstance(node, Seq):
        for i, item in enumerate(node.items):
            yield from _pairs(item, (*path, str(i)))


def _judge(path: tuple[str, ...], node: Scalar, commented: bool) -> str | None:
    key, value = path[-1], node.value
    where = ".".join(path)
    if commented:
        return f"{where} is null: `#` starts a comment; quote the value"
    if isinstance(value, str) or value is None:
        return None
    if key in STRING_KEYS or (len(path) >= 2 and path[-2] == "tags"):
        kind = "a boolean" if isinstance(value, bool) else "a number"
        return f"{where}: YAML reads {node.raw} as {kind}; quote it to keep the text"
    return None


def _comment_mark(ctx: Context, key: Scalar) -> Mark | None:
    """Where the comment starts when ``key:`` is followed by nothing but ``#...``."""
    if key.mark.line > len(ctx.lines):
        return None
    line = ctx.lines[key.mark.line - 1]
    after = line.find(":", key.mark.col - 1 + len(key.raw)) + 1
    rest = line[after:]
    if not after or not rest.strip().startswith("#"):
        return None
    return Mark(ctx.path, key.mark.line, after + len(rest) - len(rest.lstrip()) + 1)
