"""Deprecated ``--authkey`` spelling.

``tailscale up`` documents ``--auth-key``; ``--authkey`` is kept only as a hidden alias.

Source: tailscale/tailscale ``cmd/tailscale/cli/cli.go`` and ``up.go``.

Bad::

    #cloud-config
    stages:
      network.after:
        - name: join
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
          commands:
            - |
              tailscale status >/dev/null 2>&1 ||
                tailscale up --authkey=file:/run/key --hostname=edge-1 --timeout=30s

Good::

    #cloud-config
    stages:
      network.after:
        - name: join
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
          commands:
            - |
              tailscale status >/dev/null 2>&1 ||
                tailscale up --auth-key=file:/run/key --hostname=edge-1 --timeout=30s
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ..context import Context, Hit
from ..problem import Level

ID = "PT019"
LEVEL: Level = "info"
SUMMARY = "deprecated --authkey spelling"

_RE: Final = re.compile(r"(?:^|\s)(--authkey)(?:=|\s|$)")


def check(ctx: Context) -> Iterator[Hit]:
    for command, up in ctx.ups:
        match = _RE.search(up.args)
        if match:
            yield ctx.in_command(
                command,
                up.base + match.start(1),
                "--authkey is a deprecated spelling; write --auth-key",
            )
