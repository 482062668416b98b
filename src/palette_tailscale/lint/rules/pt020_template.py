"""``{{`` in ``commands``, ``if``, file ``content`` or ``environment``: yip renders Go templates.

yip passes these fields through Go ``text/template`` (with sprig) before using them, with
``.Values`` (the system information) as the only data. Any other field, such as docker's
``--format '{{.Names}}'``, renders as ``<no value>``. Escape literal braces as
``{{"{{"}}`` or wrap the text in ``{{`...`}}``. Base64-encoded content is decoded before
rendering, so encoding does not hide it.

Source: mudler/yip ``pkg/plugins/common.go`` (``templateSysData``, Go ``text/template`` with
sprig).

Bad::

    #cloud-config
    stages:
      boot:
        - name: list
          commands:
            - docker ps --format '{{.Names}}' > /run/names

Good::

    #cloud-config
    stages:
      boot:
        - name: list
          commands:
            - docker ps --format '{{`{{.Names}}`}}' > /run/names
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Final

from ...yamlio import Map, Node, Scalar, Seq
from ..context import Context, Hit, Step
from ..problem import Level
from ._common import items

ID = "PT020"
LEVEL: Level = "warning"
SUMMARY = "{{ in commands, if, content or environment (yip renders Go templates)"

_ACTION_RE: Final = re.compile(r"\{\{-?\s*(\.[A-Za-z_][A-Za-z0-9_]*)")
# Escapes: {{`...`}} and {{"..."}} print their text literally.
_ESCAPE_RE: Final = re.compile(r"\{\{-?\s*(`[^`]*`|\"(?:[^\"\\]|\\.)*\")\s*-?\}\}")
_B64: Final = frozenset({"b64", "base64", "gz+base64", "gzip+base64", "gz+b64", "gzip+b64"})


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        for node in _templated(step):
            yield from _scan(ctx, node, node.raw)
        for item in items(step, "files"):
            yield from _encoded(ctx, item)
    for command in ctx.commands:
        if command.step.index < 0:  # runcmd entries are commands too
            yield from _scan(ctx, command.node, command.text)


def _templated(step: Step) -> Iterator[Scalar]:
    for key in ("commands", "if", "environment"):
        yield from _scalars(step.node.get(key))
    for item in items(step, "files"):
        yield from _scalars(item.get("content"))
    for key in ("ensure_entities", "delete_entities"):
        for item in items(step, key):
            yield from _scalars(item.get("entity"))


def _scalars(node: Node | None) -> Iterator[Scalar]:
    if isinstance(node, Scalar):
        yield node
    elif isinstance(node, Map):
        yield from (v for _, v in node.items() if isinstance(v, Scalar))
    elif isinstance(node, Seq):
        yield from (v for v in node.items if isinstance(v, Scalar))


def _scan(ctx: Context, node: Scalar, text: str, encoded: bool = False) -> Iterator[Hit]:
    if "{{" not in text:
        return
    text = _ESCAPE_RE.sub(lambda m: " " * len(m.group(0)), text)
    for match in _ACTION_RE.finditer(text):
        field = match.group(1)
        if field != ".Values":
            where = ctx.at(node) if encoded else ctx.locate(node, match.start())
            yield Hit(
                where,
                f"`{{{{{field}}}}}` is a Go template here: yip renders it and the unknown field "
                'becomes "<no value>"; escape it as {{`...`}}',
            )


def _encoded(ctx: Context, item: Map) -> Iterator[Hit]:
    encoding, content = item.get("encoding"), item.get("content")
    if not (isinstance(encoding, Scalar) and isinstance(content, Scalar)):
        return
    if encoding.raw in _B64:
        try:
            decoded = base64.b64decode(content.raw, validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return
        if not encoding.raw.startswith("gz"):
            yield from _scan(ctx, content, decoded, encoded=True)
