"""``install.bind_mounts`` / ``ephemeral_mounts`` entries that cannot work.

Each entry must be an absolute path, listed once, and not ``/``, ``/usr/local`` or ``/oem``
(already persistent partitions). The list is read at install time only: changing it later in
``/oem`` has no effect.

Source: kairos-io/kairos ``sdk/types/install`` (``bind_mounts``, ``ephemeral_mounts``) and
``immucore/pkg/op/fs.go``.

Bad::

    #cloud-config
    install:
      bind_mounts:
        - var/lib/tailscale

Good::

    #cloud-config
    install:
      bind_mounts:
        - /var/lib/tailscale
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ..context import Context, Hit
from ..problem import Level
from ._common import strings, sub

ID = "PT034"
LEVEL: Level = "warning"
SUMMARY = "install.bind_mounts or ephemeral_mounts entries that cannot work"

RESERVED: Final = frozenset({"/", "/usr/local", "/oem"})


def check(ctx: Context) -> Iterator[Hit]:
    for key in ("bind_mounts", "ephemeral_mounts"):
        seen: set[str] = set()
        for node in strings(sub(ctx.root, "install", key)):
            path = node.raw.rstrip("/") or "/"
            problem = _problem(path, seen)
            seen.add(path)
            if problem:
                yield Hit(ctx.at(node), f"install.{key} entry {node.raw!r} {problem}")


def _problem(path: str, seen: set[str]) -> str | None:
    if not path.startswith("/"):
        return "is not an absolute path"
    if path in RESERVED:
        return "is a partition mount point, not a path to bind"
    if path in seen:
        return "is listed twice"
    return None
