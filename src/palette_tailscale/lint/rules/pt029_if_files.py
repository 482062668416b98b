"""``if_files`` key other than ``any``, ``all`` or ``none``: the step is always skipped.

Source: mudler/yip ``pkg/plugins/if_files_dirs.go`` and ``pkg/schema/schema.go``
(``IfCheckType``).

Bad::

    #cloud-config
    stages:
      boot:
        - name: marker
          if_files:
            exists:
              - /etc/app.conf
          commands:
            - echo found

Good::

    #cloud-config
    stages:
      boot:
        - name: marker
          if_files:
            any:
              - /etc/app.conf
          commands:
            - echo found
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..context import Context, Hit
from ..problem import Level

ID = "PT029"
LEVEL: Level = "warning"
SUMMARY = "if_files key other than any, all or none (step skipped)"


def check(ctx: Context) -> Iterator[Hit]:
    for issue in ctx.issues:
        if issue.kind == "if_files":
            close = difflib.get_close_matches(issue.detail, ("any", "all", "none"), n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            yield Hit(
                ctx.at(issue.node),
                f"if_files key {issue.detail!r} is not any, all or none: yip skips the step{tip}",
            )
