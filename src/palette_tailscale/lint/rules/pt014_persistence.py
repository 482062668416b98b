"""Tailscale is used but ``/var/lib/tailscale`` is not persisted (``install.bind_mounts``).

Kairos keeps ``/var`` on a tmpfs overlay. ``/var/lib/tailscale`` became a default persistent
path only in mid-2024 (kairos-io/packages d5c943d5, Kairos ~3.1); on older bases the node key
is lost at every reboot and the host enrols again as a new device. Listing it in
``install.bind_mounts`` is harmless where it is already persistent. Only for installer data
(``bind_mounts`` is read at install time).

Source: kairos-io/kairos ``kairos-init/pkg/bundled/cloudconfigs/00_rootfs.yaml``
(``PERSISTENT_STATE_PATHS``); kairos-io/packages ``d5c943d5``.

Bad::

    #cloud-config
    stages:
      initramfs:
        - name: ts-enable
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
          systemctl:
            enable:
              - tailscaled

Good::

    #cloud-config
    install:
      bind_mounts:
        - /var/lib/tailscale
    stages:
      initramfs:
        - name: ts-enable
          if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'
          systemctl:
            enable:
              - tailscaled
"""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import Mark
from ...kairos import TAILSCALE_STATE_DIR
from ..context import Context, Hit
from ..problem import Level
from ._common import strings, sub

ID = "PT014"
LEVEL: Level = "warning"
SUMMARY = "Tailscale is used but /var/lib/tailscale is not persisted (install.bind_mounts)"
APPLIES_TO = ("installer",)  # bind_mounts are read at install time


def check(ctx: Context) -> Iterator[Hit]:
    if not _uses_tailscale(ctx) or _persisted(ctx):
        return
    mounts = sub(ctx.root, "install", "bind_mounts")
    where = ctx.at(mounts) if mounts is not None else Mark(ctx.path, 1, 1)
    yield Hit(
        where,
        f"Tailscale is used but {TAILSCALE_STATE_DIR} is not in install.bind_mounts: on bases "
        "older than mid-2024 the node identity is lost at every boot; add it",
    )


def _uses_tailscale(ctx: Context) -> bool:
    if any("tailscale" in c.text for c in ctx.commands):
        return True
    for step in ctx.steps:
        systemctl = step.node.get("systemctl")
        for key in ("enable", "start"):
            if any(s.raw.startswith("tailscaled") for s in strings(sub(systemctl, key))):
                return True
    return False


def _persisted(ctx: Context) -> bool:
    for node in strings(sub(ctx.root, "install", "bind_mounts")):
        path = node.raw.rstrip("/") or "/"
        if path == TAILSCALE_STATE_DIR or TAILSCALE_STATE_DIR.startswith(path + "/"):
            return True
    return False
