"""A step running ``tailscale up`` without a guard against live installer or recovery boots.

User-data stages also run when the host boots the installer ISO (live mode) and in recovery or
autoreset, where there is no persistent partition: each such boot enrols a *new* device
(``localhost-1``, ``-2``...). Guard the step on the markers Kairos writes before ``rootfs``:
``if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'``.

Source: kairos-io/kairos ``immucore/pkg/state/steps_shared.go`` (the ``/run/cos/*_mode``
markers).

Bad::

    #cloud-config
    stages:
      network.after:
        - name: join
          commands:
            - |
              tailscale status >/dev/null 2>&1 ||
                tailscale up --auth-key=file:/run/key --hostname=edge-1 --timeout=30s

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
from ._common import STATE_GUARD_HINT, guarded

ID = "PT011"
LEVEL: Level = "warning"
SUMMARY = "tailscale up without a guard against live installer and recovery boots"


def check(ctx: Context) -> Iterator[Hit]:
    for command, up in ctx.ups:
        if not guarded(ctx, command.step):
            yield ctx.in_command(
                command,
                up.offset,
                "`tailscale up` also runs in the live installer and recovery boots, enrolling a "
                f"new device each time; guard the step with {STATE_GUARD_HINT}",
            )
