"""``tailscale up`` in a stage that runs before the network is up.

``rootfs``, ``initramfs``, ``fs`` and ``boot`` (and their ``.before``/``.after``) run before
any link is configured; in ``rootfs``/``initramfs`` not even systemd (so no ``tailscaled``)
runs. ``tailscale up`` there fails or, without ``--timeout``, hangs the boot. Join in
``network.after``. The cloud-init ``runcmd`` list runs in ``boot``.

Source: kairos-io/kairos ``kairos-init/pkg/bundled/cloudconfigs/09_systemd_services.yaml``
(``cos-setup-*`` ordering) and ``immucore`` (``rootfs``, ``initramfs`` before systemd).

Bad::

    #cloud-config
    stages:
      boot:
        - name: join
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
          commands:
            - tailscale up --auth-key=file:/run/key --hostname=edge-1 --timeout=30s

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

from ...kairos import PRE_NETWORK_STAGES
from ..context import Context, Hit
from ..problem import Level

ID = "PT010"
LEVEL: Level = "error"
SUMMARY = "tailscale up in a stage that runs before the network is up"


def check(ctx: Context) -> Iterator[Hit]:
    for command, up in ctx.ups:
        stage = command.step.stage
        if stage in PRE_NETWORK_STAGES:
            yield ctx.in_command(
                command,
                up.offset,
                f"`tailscale up` in stage {stage!r}, which runs before the network is up; "
                "run it in network.after",
            )
