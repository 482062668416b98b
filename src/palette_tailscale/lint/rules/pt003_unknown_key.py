"""Unknown key in a stage step: yip ignores it silently.

yip decodes steps with yaml.v3's non-strict mode, so a misspelt key does nothing at all: no
error, no warning, the setting is simply not applied. Common ones come from the docs themselves:
``systctl`` (for ``sysctl``), ``owner_string`` (the field is ``ownerstring``), ``command``
(for ``commands``), ``systemd`` (for ``systemctl``). Keys brought in by a merge key
(``<<: *anchor``) are checked where the anchored text is written.

Source: mudler/yip ``pkg/schema/schema.go`` (``Stage`` and its field types) and
``pkg/schema/loader_yip.go`` (``yaml.Unmarshal``, not strict).

Bad::

    #cloud-config
    stages:
      boot:
        - name: tune
          systctl:
            vm.swappiness: "10"

Good::

    #cloud-config
    stages:
      boot:
        - name: tune
          sysctl:
            vm.swappiness: "10"
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Final

from ..context import Context, Hit
from ..problem import Level
from ._common import dotted

ID = "PT003"
LEVEL: Level = "error"
SUMMARY = "unknown key in a stage step (yip ignores it)"

# Spellings seen in published docs and examples (the yip README, Kairos and Palette docs).
HINTS: Final = {
    "systctl": "sysctl",
    "systemd": "systemctl",
    "owner_string": "ownerstring",
    "command": "commands",
    "cmd": "commands",
    "file": "files",
    "env": "environment",
    "ssh_authorized_keys": "authorized_keys",
    "directory": "directories",
    "download": "downloads",
    "module": "modules",
    "user": "users",
    "permission": "permissions",
    "mode": "permissions",
}


def check(ctx: Context) -> Iterator[Hit]:
    for issue in ctx.issues:
        if issue.kind == "unknown":
            where = dotted(issue.path[:-1])
            hint = suggest(issue.detail, issue.known)
            tip = f"; did you mean {hint!r}?" if hint else ""
            yield Hit(
                ctx.at(issue.node), f"unknown key {issue.detail!r} in {where}: yip ignores it{tip}"
            )


def suggest(key: str, known: tuple[str, ...]) -> str | None:
    hint = HINTS.get(key)
    if hint in known:
        return hint
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
    return close[0] if close else None
