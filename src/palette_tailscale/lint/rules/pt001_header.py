"""User-data without a header Kairos accepts (``#cloud-config`` in the first ten lines).

Kairos's config collector reads installer and site user-data only when one of the file's first
ten lines is exactly ``#cloud-config`` (or the older ``#kairos-config`` / ``#node-config``);
trailing blanks are ignored, but a byte-order mark or an indent before the ``#`` defeats it,
and the whole file is then skipped: no install settings, no stages, no Palette registration.
Put ``#cloud-config`` on line 1: yip, which runs the stages, also wants it before anything but
comments and blank lines.

Files that yip runs from a stage directory (``/system/oem``, ``/oem``,
``/usr/local/cloud-config``) need no header; this rule does not check them (``--kind system``,
or a file without a header that has ``stages:``).

Source: kairos-io/kairos ``sdk/collector/collector.go`` (``HasValidHeader``); mudler/yip
``pkg/schema/cloudinit/config.go`` (``IsCloudConfig``).

Bad::

    #  cloud-config
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
from ..kinds import HEADER_LINES, HEADERS, header_line
from ..problem import Level

ID = "PT001"
LEVEL: Level = "error"
SUMMARY = "no #cloud-config header in the first ten lines (Kairos skips the file)"
NEEDS_YAML = False
APPLIES_TO = ("installer", "site")


def check(ctx: Context) -> Iterator[Hit]:
    if header_line(ctx.text) is None:
        yield Hit(Mark(ctx.path, 1, 1), _why(ctx))


def _why(ctx: Context) -> str:
    skipped = "Kairos skips the whole file"
    for number, line in enumerate(ctx.lines[:HEADER_LINES], start=1):
        stripped = line.strip().lstrip("\ufeff").strip()
        if stripped in HEADERS or stripped.replace(" ", "") == HEADER:
            return f"line {number}: {_spoilt(line, stripped)}: {skipped}; write {HEADER} alone"
    return (
        f"no {HEADER} header in the first {HEADER_LINES} lines: {skipped} as user-data "
        f"(put {HEADER} on line 1; a stage-directory file needs --kind system)"
    )


def _spoilt(line: str, stripped: str) -> str:
    if line.startswith("\ufeff"):
        return "a byte-order mark hides the header"
    if line[:1].isspace():
        return "the header is indented"
    if line.rstrip() == stripped:  # only Go's SplitN(text, "\n", 10) kept it from counting
        return f"a header on line {HEADER_LINES} counts only as the file's last line"
    return f"{stripped!r} is not the header"
