"""``sudo`` in stage commands.

Stage commands already run as root. ``sudo`` adds nothing, may be missing from the image, and
with ``requiretty`` or a lecture configured it can fail or wait for input.

Source: mudler/yip ``pkg/console/console.go`` (commands run with ``sh -c`` by the agent, as
root).

Bad::

    #cloud-config
    stages:
      boot:
        - name: motd
          commands:
            - sudo touch /run/motd

Good::

    #cloud-config
    stages:
      boot:
        - name: motd
          commands:
            - touch /run/motd
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ..context import Context, Hit
from ..problem import Level
from ..shell import COMMAND_START, find

ID = "PT017"
LEVEL: Level = "info"
SUMMARY = "sudo in stage commands (stages run as root)"

_SUDO_RE: Final = re.compile(COMMAND_START + r"(sudo)\s")


def check(ctx: Context) -> Iterator[Hit]:
    for command in ctx.commands:
        if "sudo" in command.text:
            for offset, match in find(_SUDO_RE, command.text):
                yield ctx.in_command(
                    command,
                    offset + match.start(1) - match.start(),
                    "`sudo` in a stage command: stages run as root and sudo may be absent",
                )
