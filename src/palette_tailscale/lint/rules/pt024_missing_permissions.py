"""``files`` or ``directories`` item without ``permissions``: yip uses mode 0000.

yip's ``permissions`` defaults to zero, and it applies the mode it has: a file written without
``permissions`` is ``----------``, unreadable by every service but root and not executable by
anyone (and an existing directory is chmod-ed to 0000). A file without ``content`` is a marker
whose existence is what counts (``[ -f ... ]`` works whatever its mode), so it is not reported.

Source: mudler/yip ``pkg/schema/schema.go`` (``File.Permissions uint32``, zero when absent) and
``pkg/plugins/files.go`` (the mode is applied as given).

Bad::

    #cloud-config
    stages:
      boot:
        - name: settings
          files:
            - path: /etc/default/app
              content: A=1

Good::

    #cloud-config
    stages:
      boot:
        - name: settings
          files:
            - path: /etc/default/app
              permissions: 0644
              content: A=1
"""

from __future__ import annotations

from collections.abc import Iterator

from ...yamlio import Map
from ..context import Context, Hit
from ..problem import Level
from ._common import items

ID = "PT024"
LEVEL: Level = "error"
SUMMARY = "files or directories item without permissions (mode 0000)"


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        for field in ("files", "directories"):
            for item in items(step, field):
                if item.key_node("permissions") is None and _has_content(item, field):
                    yield Hit(
                        ctx.at(item),
                        f"{field} item without permissions: yip sets mode 0000; add "
                        "permissions: 0644 (or the mode you need)",
                    )


def _has_content(item: Map, field: str) -> bool:
    return field == "directories" or item.key_node("content") is not None
