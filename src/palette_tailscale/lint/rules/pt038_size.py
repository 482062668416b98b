"""File larger than 1 MiB: Kairos' config collector skips it.

The collector reads config files of at most 1 MiB; a larger user-data file is ignored as a
whole. Nothing else is checked in such a file. Ship large payloads as image content or
downloads instead of inline ``content``.

Source: kairos-io/kairos ``sdk/collector/collector.go`` (``parseFiles``: over 1 MiB skipped).

Bad: any file over 1 MiB (1,048,576 bytes), such as one embedding a large binary in base64.

Good::

    #cloud-config
    install:
      poweroff: true
"""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import Mark
from ..context import Context, Hit
from ..problem import Level

ID = "PT038"
LEVEL: Level = "error"
SUMMARY = "file larger than 1 MiB (Kairos skips it)"
NEEDS_YAML = False
MAX_BYTES = 1024 * 1024


def check(ctx: Context) -> Iterator[Hit]:
    size = len(ctx.text.encode("utf-8", "replace")) if len(ctx.text) * 4 > MAX_BYTES else 0
    if size > MAX_BYTES:
        yield Hit(Mark(ctx.path, 1, 1), f"the file is {size} bytes; Kairos skips files over 1 MiB")
