"""``tailscale up`` in ``reconcile`` or in an install, upgrade or reset stage.

``reconcile`` runs five minutes after boot and then every hour: ``up`` there re-runs forever
(and with a key, can log the node out once the key expires). Install, upgrade and reset stages
run in the installer or a chroot of the image, not on the booted host, so the node state lands
in the wrong place or the join fails. Join in ``network.after``.

Source: kairos-io/kairos ``kairos-init/pkg/bundled/cloudconfigs/09_systemd_services.yaml``
(the reconcile timer) and ``agent/pkg/action/install.go``.

Bad::

    #cloud-config
    stages:
      reconcile:
        - name: join
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
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

from ...kairos import BOOT_STAGES
from ..context import Context, Hit
from ..problem import Level
from ._common import stage_base

ID = "PT039"
LEVEL: Level = "warning"
SUMMARY = "tailscale up in reconcile or an install, upgrade or reset stage"


def check(ctx: Context) -> Iterator[Hit]:
    for command, up in ctx.ups:
        base = stage_base(command.step.stage)
        if base == "reconcile" or base not in BOOT_STAGES:
            yield ctx.in_command(
                command,
                up.offset,
                f"`tailscale up` in stage {command.step.stage!r}: "
                + (
                    "it re-runs every hour"
                    if base == "reconcile"
                    else "it does not run on the booted host"
                )
                + "; join in network.after",
            )
