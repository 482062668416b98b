"""``--advertise-tags`` values that are not valid tags.

A tag is ``tag:`` followed by a letter and then letters, digits or hyphens. The control server
refuses the whole ``tailscale up`` when one tag is malformed, so the device never joins.

Source: tailscale/tailscale ``tailcfg`` (``CheckTag``) and ``cmd/tailscale/cli/up.go``
(``--advertise-tags``).

Bad::

    #cloud-config
    stages:
      network.after:
        - name: join
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
          commands:
            - |
              tailscale status >/dev/null 2>&1 ||
                tailscale up --hostname=edge-1 --timeout=30s --advertise-tags=edge

Good::

    #cloud-config
    stages:
      network.after:
        - name: join
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
          commands:
            - |
              tailscale status >/dev/null 2>&1 ||
                tailscale up --hostname=edge-1 --timeout=30s --advertise-tags=tag:edge
"""

from __future__ import annotations

from collections.abc import Iterator

from ...kairos import is_valid_tag
from ..context import Context, Hit
from ..problem import Level

ID = "PT018"
LEVEL: Level = "error"
SUMMARY = "--advertise-tags values that are not valid tags"


def check(ctx: Context) -> Iterator[Hit]:
    for command, up in ctx.ups:
        found = up.flag("advertise-tags")
        if found is None or "$" in found[0] or "{{" in found[0]:
            continue
        value, offset = found
        start = command.text.find(value, offset)
        start = offset if start < 0 else start
        for tag in value.split(","):
            if tag and not is_valid_tag(tag):
                yield ctx.in_command(
                    command,
                    start,
                    f"{tag!r} is not a valid tag: write tag:NAME (a letter, then letters, "
                    "digits or hyphens)",
                )
            start += len(tag) + 1
