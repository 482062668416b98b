"""What we know of Kairos stages and steps, shared by the renderer and the linter.

Facts: reference/kairos-cloud-config.md §2-§4 and the derived step schema
(reference/yip-stage-step.schema.json, mudler/yip 62df27ab).
"""

from __future__ import annotations

import re
from typing import Final

BOOT_STAGES: Final = ("rootfs", "initramfs", "fs", "boot", "network", "reconcile")
INSTALL_STAGES: Final = (
    "kairos-install.pre",
    "before-install",
    "after-install-chroot",
    "after-install",
    "kairos-install.after",
    "before-upgrade",
    "after-upgrade-chroot",
    "after-upgrade",
    "before-reset",
    "after-reset-chroot",
    "after-reset",
    "kairos-uki-install.pre",
    "kairos-uki-install.after",
    "kairos-uki-upgrade.pre",
    "kairos-uki-upgrade.after",
    "kairos-uki-reset.pre",
    "kairos-uki-reset.after",
)
# `kairos-agent` runs every stage S, install hooks included, as S.before, S and S.after
# (kairos-io/kairos agent/pkg/utils/runstage.go), so `kairos-install.pre.before` runs too.
KNOWN_STAGES: Final = frozenset(
    f"{base}{suffix}"
    for base in BOOT_STAGES + INSTALL_STAGES
    for suffix in ("", ".before", ".after")
)
PROVIDER_STAGE_RE: Final = re.compile(r"^provider-kairos\.bootstrap\.(before|after)\.[a-z0-9-]+$")

# Stages that run before the network is up: `tailscale up` there cannot work (PT010).
PRE_NETWORK_STAGES: Final = frozenset(
    f"{b}{s}" for b in ("rootfs", "initramfs", "fs", "boot") for s in ("", ".before", ".after")
)

# Step keys, their yaml.v3 kind, and the first yip version that reads them (None: always).
STEP_FIELDS: Final[dict[str, str]] = {
    "name": "scalar",
    "after": "list",
    "node": "scalar",
    "if": "string",
    "only_os": "scalar",
    "only_os_version": "scalar",
    "only_arch": "scalar",
    "only_service_manager": "string",
    "if_files": "map",
    "files": "list",
    "downloads": "list",
    "directories": "list",
    "git": "map",
    "commands": "list",
    "ensure_entities": "list",
    "delete_entities": "list",
    "systemctl": "map",
    "environment": "map",
    "environment_file": "scalar",
    "hostname": "scalar",
    "sysctl": "map",
    "timesyncd": "map",
    "systemd_firstboot": "map",
    "modules": "list",
    "dns": "map",
    "users": "map",
    "authorized_keys": "map",
    "datasource": "map",
    "layout": "map",
    "packages": "map",
    "package_pins": "map",
    "unpack_images": "list",
}
VERSION_GATED_FIELDS: Final[dict[str, str]] = {
    "only_os": "yip v1.14.0",
    "only_os_version": "yip v1.14.0",
    "only_arch": "yip v1.14.1",
    "only_service_manager": "yip v1.14.1",
    "if_files": "yip v1.18.0",
    "packages": "yip v1.13.0",
    "package_pins": "yip v1.22.0",
    "unpack_images": "yip v1.14.0",
}

# Kairos writes exactly one of these before `rootfs` (immucore steps_shared.go).
MODE_DIR: Final = "/run/cos"
INSTALLED_GUARD: Final = "[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]"

# Palette does not copy site user-data steps with this name prefix to the host's /oem.
SKIP_COPY_PREFIX: Final = "skip-copy-"

# Must stay persistent for Tailscale's node identity (reference/canvos-palette.md §8).
TAILSCALE_STATE_DIR: Final = "/var/lib/tailscale"
TAILSCALE_STATE_FILE: Final = TAILSCALE_STATE_DIR + "/tailscaled.state"
# The key step runs only where the node has not logged in yet: a site medium left in a host that
# has joined never writes the key again (its persisted copy runs at every boot). tailscaled
# writes its state file as soon as it starts ("{}", then the machine key), and adds
# "_current-profile" with the first successful login (tailscale 1.34 and later; older releases
# keep no profiles, so there the key is written again and the enrollment script removes it).
KEY_GUARD: Final = (
    f"! grep -qs '\"_current-profile\"' {TAILSCALE_STATE_FILE} && {{ {INSTALLED_GUARD}; }}"
)

HOSTNAME_RE: Final = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
TAG_RE: Final = re.compile(r"^tag:[A-Za-z][A-Za-z0-9-]*$")


def is_known_stage(name: str) -> bool:
    return name in KNOWN_STAGES or bool(PROVIDER_STAGE_RE.fullmatch(name))


def is_valid_hostname(name: str) -> bool:
    """One lowercase DNS label of at most 63 characters (reference/canvos-palette.md §7)."""
    return bool(HOSTNAME_RE.fullmatch(name))


def is_valid_tag(tag: str) -> bool:
    return bool(TAG_RE.fullmatch(tag))
