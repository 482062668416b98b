"""Booleans spelt ``yes``/``no``/``on``/``off``/``y``/``n``: they break after the installer.

yaml.v3 accepts these words in a Go ``bool`` field, so the file works as written. But the
installer merges user-data into ``/oem/90_custom.yaml`` by decoding it generically and writing
it back: the word becomes the quoted string ``"yes"``, which is a type error in the installed
file (what that costs depends on where the word sits: every stage of the file, the whole
file, or the install section). Write ``true`` or ``false``. Only user-data makes that round
trip; system files are read as they are.

Source: kairos-io/kairos ``sdk/collector/collector.go`` (``String``: the merged config written
back with yaml.v3).

Bad::

    #cloud-config
    install:
      poweroff: yes

Good::

    #cloud-config
    install:
      poweroff: true
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, Hit
from ..problem import Level
from ._common import dotted

ID = "PT026"
LEVEL: Level = "error"
SUMMARY = "booleans spelt yes/no/on/off (break after the installer round trip)"
APPLIES_TO = ("installer", "site")  # the round trip happens to user-data only


def check(ctx: Context) -> Iterator[Hit]:
    for issue in ctx.issues:
        if issue.kind == "bool":
            value = "true" if issue.detail.lower() in ("y", "yes", "on") else "false"
            effect = ctx.decode_effect(issue.path)
            yield Hit(
                ctx.at(issue.node),
                f'{dotted(issue.path)}: {issue.detail!r} becomes the string "{issue.detail}" in '
                f"the installed /oem/90_custom.yaml, a type error there ({effect}); write {value}",
            )
