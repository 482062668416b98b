"""Auth keys and devices on Tailscale's API v2 and on self-hosted Headscale."""

from .base import Backend, CreatedKey, Device, KeyInfo, KeyRequest

__all__ = ["Backend", "CreatedKey", "Device", "KeyInfo", "KeyRequest"]
