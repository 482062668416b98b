"""palette-tailscale: Palette edge hosts on a Tailscale tailnet from their first boot."""

__version__ = "0.1.0"
