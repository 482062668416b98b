"""The first line must be exactly ``#cloud-config``.

Kairos' config collector and Palette only treat a file as cloud-config when it carries this
header, and yip only decodes the cloud-init keys (``runcmd``, ``write_files``, ``users``) and
loads stages leniently when it is there. A byte-order mark, an indent, trailing blanks or a
comment above it defeat the detection (yip ``pkg/schema/cloudinit``, Kairos ``sdk/collector``).

Bad::

    # user-data for the edge hosts
    #cloud-config
    install:
      poweroff: true

Good::

    #cloud-config
    # user-data for the edge hosts
    install:
      poweroff: true
"""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import Mark
from ..context import HEADER, Context, Hit
from ..problem import Level

ID = "PT001"
LEVEL: Level = "error"
SUMMARY = "first line is not exactly #cloud-config"
NEEDS_YAML = False


def check(ctx: Context) -> Iterator[Hit]:
    first = ctx.text.split("\n", 1)[0].removesuffix("\r")
    if first == HEADER:
        return
    yield Hit(Mark(ctx.path, 1, 1), _why(ctx, first))


def _why(ctx: Context, first: str) -> str:
    if first.startswith("\ufeff"):
        return (
            "the file starts with a byte-order mark: Kairos does not see the #cloud-config header"
        )
    if first.strip() == HEADER:
        return "the #cloud-config header must be exactly that text, without blanks around it"
    later = [i for i, line in enumerate(ctx.lines[:10], start=1) if line.strip() == HEADER]
    if later:
        return f"#cloud-config is on line {later[0]}: it must be the first line of the file"
    return "the first line is not #cloud-config: Kairos and Palette do not read this as user-data"
