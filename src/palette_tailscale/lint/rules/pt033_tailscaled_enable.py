"""``tailscaled`` enabled or started outside ``initramfs``, or without the installed-system guard.

Enabling a unit in ``initramfs`` (before systemd starts) takes effect on the same boot; later
stages need an explicit start, which blocks. Without the ``/run/cos`` mode guard tailscaled
also runs in the live installer and in recovery, where there is no persistent state: each such
boot can enrol a new device.

Source: kairos-io/kairos ``immucore`` (``initramfs`` runs before systemd starts units) and
``kairos-init/pkg/bundled/cloudconfigs/09_systemd_services.yaml``.

Bad::

    #cloud-config
    stages:
      boot:
        - name: ts-enable
          systemctl:
            enable:
              - tailscaled

Good::

    #cloud-config
    stages:
      initramfs:
        - name: ts-enable
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
          systemctl:
            enable:
              - tailscaled
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ..context import Context, Hit, Step
from ..problem import Level
from ._common import STATE_GUARD_HINT, guarded, stage_base, strings, sub

ID = "PT033"
LEVEL: Level = "warning"
SUMMARY = "tailscaled enabled outside initramfs or without the installed-system guard"

_UNIT: Final = re.compile(r"^tailscaled(\.service)?$")


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        for action in ("enable", "start"):
            for unit in strings(sub(step.node, "systemctl", action)):
                if _UNIT.fullmatch(unit.raw):
                    problem = _problem(ctx, step, action)
                    if problem:
                        yield Hit(ctx.at(unit), problem)


def _problem(ctx: Context, step: Step, action: str) -> str | None:
    if stage_base(step.stage) != "initramfs":
        return (
            f"tailscaled is {action}d in stage {step.stage!r}; enable it in initramfs, where it "
            "takes effect on the same boot"
        )
    if not guarded(ctx, step):
        return f"tailscaled is {action}d in every boot mode; guard the step with {STATE_GUARD_HINT}"
    return None
