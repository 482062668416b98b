"""Wrong type in a step, stage or cloud-init key: yip drops every stage, or the whole file.

In a ``#cloud-config`` file yip decodes ``stages`` "optimistically": when any value has the
wrong type (a stage written as a mapping instead of a list, an unquoted ``if: [ -f /x ]`` that
YAML reads as a list, a ``commands`` that is a single string, a quoted number in an integer
field, ``"true"`` in a boolean field) the decode fails and **all** stages of the file are
dropped, without a word. A wrong type in the cloud-init keys (``users``, ``runcmd``,
``write_files``), or any type error in a file without the header (a system or drop-in file),
fails the whole file, and yip then runs no file of that directory (such as ``/oem``) in the
stage. The message says which of these happens.

Source: mudler/yip ``pkg/schema/loader_cloudinit.go`` (cloud-init decode error returned, yip
part loaded "optimistically"), ``pkg/executor/default.go`` (``dirOps``/``prepareDAG``: a file
that fails to load stops its directory).

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
SUMMARY = "wrong type in a step, stage or cloud-init key (drops the stages or the whole file)"


def check(ctx: Context) -> Iterator[Hit]:
    for issue in ctx.issues:
        if issue.kind == "type":
            where = dotted(issue.path) or "the document"
            yield Hit(
                ctx.at(issue.node), f"{where} {issue.detail}: {ctx.decode_effect(issue.path)}"
            )
