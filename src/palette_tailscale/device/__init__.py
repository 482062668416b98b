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

# The oldest tailscale the script drives: --auth-key=file: since 1.16, the --auth-key spelling
# since 1.22, --timeout since 1.26 (reference/tailscale-headscale.md §8). The script checks the
# same numbers (MIN_MAJOR, MIN_MINOR), and a test keeps the two equal.
MIN_TAILSCALE: Final = (1, 26)

# Step names this tool owns in user-data; `render --canvos` replaces exactly these.
STEP_PREFIX: Final = "palette-tailscale-"
KEY_STEP_NAME: Final = "skip-copy-palette-tailscale-authkey"


def script_text() -> str:
    """The enrollment script shipped with this package."""
    return files(__package__).joinpath("enroll.sh").read_text(encoding="utf-8")


def is_owned_step(name: str) -> bool:
    return name.startswith(STEP_PREFIX) or name == KEY_STEP_NAME
