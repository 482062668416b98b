"""``tailscale up`` without ``--hostname``.

tailscaled takes the OS host name when it starts. Early in boot that is ``localhost`` on older
bases (the control server then names the device ``localhost-N``) or ``kairos-xxxx`` on newer
ones: nothing tells the devices apart. Pass ``--hostname`` explicitly.

Source: tailscale/tailscale ``cmd/tailscale/cli/up.go`` (``--hostname``).

Bad::

    #cloud-config
    stages:
      network.after:
        - name: join
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
          commands:
            - |
              tailscale status >/dev/null 2>&1 ||
                tailscale up --auth-key=file:/run/key --timeout=30s

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

from collections.abc import Iterator

from ..context import Context, Hit
from ..problem import Level

ID = "PT015"
LEVEL: Level = "warning"
SUMMARY = "tailscale up without --hostname"


def check(ctx: Context) -> Iterator[Hit]:
    for command, up in ctx.ups:
        if not up.has_flag("hostname"):
            yield ctx.in_command(
                command,
                up.offset,
                "`tailscale up` without --hostname: the device registers as localhost-N or "
                "kairos-xxxx; pass --hostname=NAME",
            )
