"""Unknown stage name: a misspelt stage never runs.

Stage names are free strings to yip: ``netwrok`` or ``after_install`` is accepted and simply
never triggered. Known stages are the boot stages (``rootfs``, ``initramfs``, ``fs``, ``boot``,
``network``, ``reconcile``), the install, upgrade and reset hooks, each with ``.before`` and
``.after`` variants, and ``provider-kairos.bootstrap.{before,after}.<role>``.

Source: kairos-io/kairos ``agent/pkg/utils/runstage.go`` (``S.before``, ``S``, ``S.after``) and
``agent/pkg/action/install.go`` (hook names); mudler/yip ``pkg/schema/schema.go`` (stages are a
free map).

Bad::

    #cloud-config
    stages:
      netwrok:
        - name: hello
          commands:
            - echo hello

Good::

    #cloud-config
    stages:
      network:
        - name: hello
          commands:
            - echo hello
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ...kairos import KNOWN_STAGES, is_known_stage
from ...yamlio import Map
from ..context import Context, Hit
from ..problem import Level

ID = "PT006"
LEVEL: Level = "error"
SUMMARY = "unknown stage name (never runs)"


def check(ctx: Context) -> Iterator[Hit]:
    stages = ctx.top("stages")
    if not isinstance(stages, Map):
        return
    for key, _ in stages.items():
        if not is_known_stage(key.raw):
            hint = suggest(key.raw)
            tip = f"; did you mean {hint!r}?" if hint else ""
            yield Hit(ctx.at(key), f"unknown stage {key.raw!r}: it never runs{tip}")


def suggest(name: str) -> str | None:
    normal = name.strip().lower().replace("_", "-")
    if is_known_stage(normal):
        return normal
    close = difflib.get_close_matches(normal, sorted(KNOWN_STAGES), n=1, cutoff=0.6)
    return close[0] if close else None
