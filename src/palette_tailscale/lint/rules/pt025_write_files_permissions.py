"""Cloud-init ``write_files[].permissions`` that do not mean what they seem.

In the cloud-init section yip reads ``permissions`` as text parsed in base 8: ``0644`` and
``644`` both give 0o644, but ``420`` (0644 written in decimal) gives 0o420, and ``0o644`` or
any non-octal text makes the whole file fail to load (and with it the other files of its
directory, such as ``/oem``).

Source: mudler/yip ``pkg/schema/loader_cloudinit.go`` (``parseOctal``: ``ParseUint(s, 8, 32)``,
its error returned from ``Load``).

Bad::

    #cloud-config
    write_files:
      - path: /etc/motd
        permissions: 0o644
        content: hello

Good::

    #cloud-config
    write_files:
      - path: /etc/motd
        permissions: "0644"
        content: hello
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ...yamlio import Map, Scalar, Seq
from ..context import Context, Hit
from ..problem import Level
from ._common import shown

ID = "PT025"
LEVEL: Level = "error"
SUMMARY = "write_files permissions that are not octal text"

_OCTAL: Final = re.compile(r"^[0-7]{1,4}$")
# Common modes written in decimal: base 8 reads them as other modes (420 -> 0o420).
DECIMAL_MODES: Final = frozenset({"256", "292", "288", "384", "416", "420", "432", "436", "448",
                                  "488", "493", "509", "511"})  # fmt: skip


def check(ctx: Context) -> Iterator[Hit]:
    entries = ctx.top("write_files")
    if not isinstance(entries, Seq) or not ctx.cloud_init:
        return  # without the cloud-init loader write_files is ignored (PT041)
    for entry in entries.items:
        node = entry.get("permissions") if isinstance(entry, Map) else None
        if isinstance(node, Scalar) and node.raw:
            message = _judge(node.raw, ctx.decode_effect(("write_files",)))
            if message:
                yield Hit(ctx.at(node), message)


def _judge(raw: str, effect: str) -> str | None:
    if raw in DECIMAL_MODES:
        return (
            f"write_files permissions {raw} is read as octal 0o{raw}, not decimal; "
            f'write "0{int(raw):o}"'
        )
    if not _OCTAL.fullmatch(raw):
        shown_raw = shown(raw)
        return (
            f"write_files permissions {shown_raw!r} is not octal digits: {effect}; "
            'write e.g. "0644"'
        )
    return None
