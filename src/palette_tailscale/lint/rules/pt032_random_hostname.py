"""Step ``hostname`` templated with ``.UUID`` or ``.Random``: a new name every boot.

yip renders a step's ``hostname`` with ``.UUID`` and ``.Random`` freshly generated at each
boot, so the host, Palette and the tailnet see a different name after every reboot. Use
``.MachineID`` (stable) or a fixed per-host name.

Source: mudler/yip ``pkg/plugins/hostname.go`` (``.UUID``, ``.Random`` drawn at each run).

Bad::

    #cloud-config
    stages:
      initramfs:
        - name: name-it
          hostname: edge-{{ trunc 4 .Random }}

Good::

    #cloud-config
    stages:
      initramfs:
        - name: name-it
          hostname: edge-{{ trunc 4 .MachineID }}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ..context import Context, Hit
from ..problem import Level

ID = "PT032"
LEVEL: Level = "warning"
SUMMARY = "hostname templated with .UUID or .Random (changes every boot)"

_RE: Final = re.compile(r"\{\{[^}]*\.(UUID|Random)\b")


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        node = step.scalar("hostname")
        match = _RE.search(node.raw) if node is not None else None
        if node is not None and match:
            yield Hit(
                ctx.at(node),
                f"hostname uses .{match.group(1)}, which changes at every boot; use .MachineID "
                "or a fixed name",
            )
