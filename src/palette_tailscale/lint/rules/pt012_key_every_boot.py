"""``tailscale up`` passes an auth key on every boot without checking that the node needs login.

Network stages run at every boot. Re-running ``tailscale up --auth-key=...`` on a node that is
already logged in is at best useless and, once the single-use key has been used or has
expired, can log the device out. Only pass the key when the node is not logged in: check
``tailscale status`` (or ``BackendState``) first, or guard the step on a marker file written
after a successful join.

Source: tailscale/tailscale ``cmd/tailscale/cli/up.go`` and ``cmd/tailscale/cli/status.go``.

Bad::

    #cloud-config
    stages:
      network.after:
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
from typing import Final

from ..context import Context, Hit, Step
from ..problem import Level

ID = "PT012"
LEVEL: Level = "warning"
SUMMARY = "tailscale up passes an auth key on every boot without a login check"

LOGIN_CHECKS: Final = ("tailscale status", "BackendState", "NeedsLogin", "[ ! -e ", "[ ! -f ",
                       "test ! -e", "test ! -f")  # fmt: skip


def check(ctx: Context) -> Iterator[Hit]:
    for command, up in ctx.ups:
        if up.has_flag("auth-key", "authkey") and not _checks_login(ctx, command.step):
            yield ctx.in_command(
                command,
                up.offset,
                "`tailscale up` passes the auth key at every boot without checking that the node "
                "needs login (an expired key can log it out); run it only when "
                "`tailscale status` fails",
            )


def _checks_login(ctx: Context, step: Step) -> bool:
    texts = [step.guard, *(c.text for c in ctx.commands if c.step is step)]
    return any(check in text for text in texts for check in LOGIN_CHECKS)
