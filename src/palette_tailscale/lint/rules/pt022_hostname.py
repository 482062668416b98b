"""Invalid host name in ``stylus.site.name``, ``stylus.site.hostName`` or ``--hostname``.

Palette uses these as the edge host ID and the OS host name, and Tailscale as the device name:
one lowercase DNS label, ``a-z``, ``0-9`` and ``-``, at most 63 characters, starting and ending
with a letter or digit. Values with shell or template expansion (``$``, ``{{``) are not judged.

Source: tailscale/tailscale ``cmd/tailscale/cli/up.go`` (``--hostname``: one DNS label);
Palette's installer configuration reference (spectrocloud/librarium).

Bad::

    #cloud-config
    stylus:
      site:
        name: Edge_Store_01

Good::

    #cloud-config
    stylus:
      site:
        name: edge-store-01
"""

from __future__ import annotations

from collections.abc import Iterator

from ...kairos import is_valid_hostname
from ...yamlio import Scalar
from ..context import Context, Hit
from ..problem import Level
from ._common import sub

ID = "PT022"
LEVEL: Level = "error"
SUMMARY = "invalid host name (stylus.site.name, hostName, --hostname)"


def check(ctx: Context) -> Iterator[Hit]:
    for key in ("name", "hostName"):
        node = sub(ctx.root, "stylus", "site", key)
        if isinstance(node, Scalar) and _bad(node.raw):
            yield Hit(ctx.at(node), _message(f"stylus.site.{key}", node.raw))
    for command, up in ctx.ups:
        found = up.flag("hostname")
        if found and _bad(found[0]):
            yield ctx.in_command(
                command,
                found[1],
                _message("--hostname", found[0]),
            )


def _bad(value: str) -> bool:
    if not value or any(mark in value for mark in ("$", "{{", "`")):
        return False
    return not is_valid_hostname(value)


def _message(where: str, value: str) -> str:
    return (
        f"{where} {value!r} is not a valid host name: one lowercase DNS label "
        "(a-z, 0-9, -; at most 63 characters)"
    )
