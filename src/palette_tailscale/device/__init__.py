"""The device side: the first-boot enrollment script and where it lives on the host.

The script is POSIX sh (package data ``enroll.sh``); its interface (the ``PT_*`` variables) is
fixed so it can be tested off-device. These constants are the on-device paths the rendered
user-data and the script agree on.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Final

# /usr/local is the persistent partition (COS_PERSISTENT) on Kairos.
SCRIPT_PATH: Final = "/usr/local/lib/palette-tailscale/enroll.sh"
CONFIG_PATH: Final = "/usr/local/etc/palette-tailscale/enroll.env"
HOST_CONFIG_PATH: Final = "/usr/local/etc/palette-tailscale/host.env"
AUTH_KEY_PATH: Final = "/usr/local/etc/palette-tailscale/authkey"
LOG_PATH: Final = "/var/log/palette-tailscale.log"
DEFAULT_DEADLINE: Final = 300

# During `after-install` the target's persistent partition is mounted here, so /usr/local/X on
# the installed host is /run/cos/persistent/X (reference/kairos-cloud-config.md §3).
INSTALL_PERSISTENT_MOUNT: Final = "/run/cos/persistent"

# Step names this tool owns in user-data; `render --canvos` replaces exactly these.
STEP_PREFIX: Final = "palette-tailscale-"
KEY_STEP_NAME: Final = "skip-copy-palette-tailscale-authkey"


def script_text() -> str:
    """The enrollment script shipped with this package."""
    return files(__package__).joinpath("enroll.sh").read_text(encoding="utf-8")


def is_owned_step(name: str) -> bool:
    return name.startswith(STEP_PREFIX) or name == KEY_STEP_NAME
