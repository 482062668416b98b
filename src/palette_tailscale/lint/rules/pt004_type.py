"""Wrong type in a step or stage: one type error drops every stage of the file.

yip decodes ``stages`` "optimistically": when any value has the wrong type (a stage written as
a mapping instead of a list, an unquoted ``if: [ -f /x ]`` that YAML reads as a list, a
``commands`` that is a single string, a quoted number in an integer field, ``"true"`` in a
boolean field) the decode fails and **all** stages of the file are dropped, without a word. A
wrong type in the cloud-init keys (``users``, ``runcmd``, ``write_files``) fails the whole file.

Bad::

    #cloud-config
    stages:
      boot:
        - name: marker
          if: [ -f /run/cos/active_mode ]
          commands:
            - touch /run/ok

Good::

    #cloud-config
    stages:
      boot:
        - name: marker
          if: '[ -f /run/cos/active_mode ]'
          commands:
            - touch /run/ok
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, Hit
from ..problem import Level
from ._common import dotted

ID = "PT004"
LEVEL: Level = "error"
SUMMARY = "wrong type in a step or stage (drops every stage of the file)"


def check(ctx: Context) -> Iterator[Hit]:
    for issue in ctx.issues:
        if issue.kind == "type":
            where = dotted(issue.path) or "the document"
            yield Hit(ctx.at(issue.node), f"{where} {issue.detail}: {_effect(issue.path)}")


def _effect(path: tuple[str, ...]) -> str:
    if path[:1] == ("stages",):
        return "this type error makes yip drop every stage of the file"
    if path[:1] == ("install",):
        return "Kairos cannot decode the install section"
    return "yip cannot decode this file and skips all of it"
