"""``after:`` in a ``#cloud-config`` file: the names it refers to do not exist.

yip names the steps of a ``#cloud-config`` file after the file's *path* (the loader drops the
top-level ``name``), and the path differs between the ISO, ``/oem/90_custom.yaml`` and site
data. An ``after:`` dependency therefore never matches, and the order you wanted is not the
order you get. Steps of one stage already run in file order: rely on that.

Source: mudler/yip ``pkg/executor/default.go`` (``genOpFromSchema``: op names) and
``pkg/schema/loader_cloudinit.go`` (``name`` dropped).

Bad::

    #cloud-config
    stages:
      network.after:
        - name: two
          after:
            - name: one
          commands:
            - echo two

Good::

    #cloud-config
    stages:
      network.after:
        - name: one
          commands:
            - echo one
        - name: two
          commands:
            - echo two
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import HEADER, Context, Hit
from ..problem import Level

ID = "PT037"
LEVEL: Level = "warning"
SUMMARY = "after: in a #cloud-config file (step names are path-based)"


def check(ctx: Context) -> Iterator[Hit]:
    if not ctx.text.startswith(HEADER):
        return
    for step in ctx.steps:
        key = step.node.key_node("after")
        if key is not None:
            yield Hit(
                ctx.at(key),
                "after: in a #cloud-config file never matches (yip names these steps after the "
                "file path); steps of a stage already run in file order",
            )
