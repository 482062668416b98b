"""Palette's side: registration tokens, projects and edge hosts, over the tailnet's HTTP layer.

``connect_palette(resolve_palette_settings(loaded, os.environ, flags))`` gives a
:class:`PaletteClient`. Failures are the shared API errors of :mod:`..tailnet.errors` (one
family for both control planes: exit 2 for credentials and refusals, 1 for outages), plus
:class:`TokenRejected` (exit 2) when the configured registration token cannot register hosts.
"""

from .client import DEFAULT_CONCURRENCY, ApiKeyAuth, PaletteClient, connect_palette
from .model import EdgeHost, Project, Token
from .settings import PaletteFlags, PaletteSettings, resolve_palette_settings
from .tokens import TokenRejected, TokenVerdict, check_token, judge_token

__all__ = [
    "DEFAULT_CONCURRENCY",
    "ApiKeyAuth",
    "EdgeHost",
    "PaletteClient",
    "PaletteFlags",
    "PaletteSettings",
    "Project",
    "Token",
    "TokenRejected",
    "TokenVerdict",
    "check_token",
    "connect_palette",
    "judge_token",
    "resolve_palette_settings",
]
