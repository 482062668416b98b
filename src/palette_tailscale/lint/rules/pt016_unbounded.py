"""Unbounded waiting in ``fs``, ``boot`` or ``network`` commands.

The ``cos-setup-*`` units that run these stages are oneshot services without a start timeout,
and yip sets none: a command that never returns holds the boot (and everything ordered after
it, such as the Kairos agent) forever. ``while true`` / ``while :`` / ``until`` loops without a
counter, ``sleep infinity`` and a foreground ``tailscale up`` without a bound are flagged: no
``--timeout`` (it blocks until login succeeds), or ``--timeout=0`` (the same: no timeout). A
``tailscale up`` run under ``timeout N`` is bounded. Bound every retry loop with a counter.

Source: kairos-io/kairos ``kairos-init/pkg/bundled/cloudconfigs/09_systemd_services.yaml``
(``Type=oneshot``, no ``TimeoutStartSec``); tailscale/tailscale ``cmd/tailscale/cli/up.go``
(``--timeout``, 0 waits forever).

Bad::

    #cloud-config
    stages:
      network.after:
        - name: wait-for-dns
          commands:
            - until getent hosts example.com; do sleep 5; done

Good::

    #cloud-config
    stages:
      network.after:
        - name: wait-for-dns
          commands:
            - i=0; until getent hosts example.com || [ "$i" -ge 12 ]; do i=$((i+1)); sleep 5; done
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ..context import Command, Context, Hit
from ..problem import Level
from ..shell import COMMAND_START, find
from ._common import stage_base

ID = "PT016"
LEVEL: Level = "warning"
SUMMARY = "unbounded waiting in network or boot commands (holds the boot)"

STAGES: Final = frozenset({"fs", "boot", "network"})
_LOOP_RE: Final = re.compile(
    COMMAND_START + r"(while\s+(?:true|:|\[\s*1\s*\])(?=\s*;|\s*$|\s+do\b)|until\s)"
)
_FOREVER_RE: Final = re.compile(r"\bsleep\s+infinity\b")
_BOUND_RE: Final = re.compile(r"\$\(\(|\s-(?:lt|le|gt|ge)\s|\btimeout\s")
_WRAPPED_RE: Final = re.compile(r"\btimeout\s+(?:-\S+\s+(?:[^-\s]\S*\s+)?)*\d[\w.]*\s+(?:\S*/)?$")
_ZERO_RE: Final = re.compile(r"^(?:0+(?:\.0*)?|\.0+)(?:ns|us|µs|ms|s|m|h)?$")


def check(ctx: Context) -> Iterator[Hit]:
    for command in ctx.commands:
        if stage_base(command.step.stage) in STAGES:
            yield from _loops(ctx, command)
    for command, up in ctx.ups:
        if stage_base(command.step.stage) not in STAGES or _wrapped(command.text, up.offset):
            continue
        found = up.flag("timeout")
        if found is None:
            yield ctx.in_command(
                command,
                up.offset,
                "`tailscale up` without --timeout blocks until it logs in, and this stage has no "
                "timeout: it can hold the boot forever; pass --timeout=30s",
            )
        elif _ZERO_RE.fullmatch(found[0]):
            yield ctx.in_command(
                command,
                found[1],
                f"--timeout={found[0]} means no timeout: `tailscale up` blocks until it logs in, "
                "and this stage has none either; pass --timeout=30s",
            )


def _wrapped(text: str, offset: int) -> bool:
    """``timeout N tailscale up``: the command before ``tailscale`` on its line bounds it."""
    line_start = text.rfind("\n", 0, offset) + 1
    return bool(_WRAPPED_RE.search(text[line_start:offset]))


def _loops(ctx: Context, command: Command) -> Iterator[Hit]:
    text = command.text
    if "while" not in text and "until" not in text and "infinity" not in text:
        return
    bounded = bool(_BOUND_RE.search(text))
    for offset, match in find(_LOOP_RE, text):
        if not bounded:
            loop = match.group(1).strip()
            start = offset + match.start(1) - match.start()
            yield _hit(ctx, command, start, f"`{loop}` loop without a bound")
    for offset, _ in find(_FOREVER_RE, text):
        yield _hit(ctx, command, offset, "`sleep infinity`")


def _hit(ctx: Context, command: Command, offset: int, what: str) -> Hit:
    return ctx.in_command(
        command,
        offset,
        f"{what} in stage {command.step.stage!r}, which has no timeout: it can hold the boot "
        "forever; bound it with a counter",
    )
