"""``systemctl.start`` in ``fs``, ``boot`` or ``network`` stages: it blocks.

yip starts units synchronously. These stages run inside oneshot ``cos-setup-*`` services
without a timeout, so starting a unit that waits for something ordered after the stage (the
network, the Kairos agent) deadlocks the boot. Enable the unit in ``initramfs`` instead (it
then starts with the boot), or use ``systemctl start --no-block`` in ``commands``.

Source: mudler/yip ``pkg/plugins/systemctl.go`` (``systemctl start``, no ``--no-block``);
kairos-io/kairos ``kairos-init/pkg/bundled/cloudconfigs/09_systemd_services.yaml``.

Bad::

    #cloud-config
    stages:
      network:
        - name: app
          systemctl:
            start:
              - app.service

Good::

    #cloud-config
    stages:
      initramfs:
        - name: app
          systemctl:
            enable:
              - app.service
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ..context import Context, Hit
from ..problem import Level
from ._common import stage_base, strings, sub

ID = "PT031"
LEVEL: Level = "warning"
SUMMARY = "systemctl.start in fs, boot or network stages (blocks the boot)"

STAGES: Final = frozenset({"fs", "boot", "network"})


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        if stage_base(step.stage) not in STAGES:
            continue
        for unit in strings(sub(step.node, "systemctl", "start")):
            yield Hit(
                ctx.at(unit),
                f"systemctl.start {unit.raw!r} in stage {step.stage!r} blocks until the unit is "
                "up, and the stage has no timeout; enable it in initramfs instead",
            )
