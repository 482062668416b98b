"""``connect``: settings in, a ready backend out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from . import retry
from .auth import OAuthClient, StaticToken
from .base import Backend
from .errors import MissingCredentials
from .headscale import HeadscaleBackend
from .http import Authenticator, HttpClient
from .settings import ApiSettings
from .tailscale import TailscaleBackend

_TS_CREDS = "TAILSCALE_API_KEY, or TAILSCALE_OAUTH_CLIENT_ID and TAILSCALE_OAUTH_CLIENT_SECRET"


@dataclass(frozen=True, slots=True)
class Wiring:
    """How the client reaches the network; tests swap the transport and the sleep."""

    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = retry.default_sleep
    policy: retry.RetryPolicy = retry.DEFAULT_POLICY
    max_connections: int = 32

    def client(
        self, settings: ApiSettings, service: str, hint: str, auth: Authenticator
    ) -> HttpClient:
        return HttpClient(
            settings.base_url,
            service=service,
            credential_hint=hint,
            auth=auth,
            timeouts=settings.timeouts,
            policy=self.policy,
            transport=self.transport,
            sleep=self.sleep,
            max_connections=self.max_connections,
        )


def connect(settings: ApiSettings, wiring: Wiring | None = None) -> Backend:
    """A backend for ``settings``; raises :class:`MissingCredentials` when something is unset."""
    wiring = wiring or Wiring()
    if settings.provider == "headscale":
        return _headscale(settings, wiring)
    return _tailscale(settings, wiring)


def _hint(source: str, name: str) -> str:
    return name if name in source else source


def _tailscale(settings: ApiSettings, wiring: Wiring) -> TailscaleBackend:
    auth: StaticToken | OAuthClient
    if settings.api_key is not None:
        auth = StaticToken(settings.api_key, scheme=settings.auth_scheme)
        hint = _hint(settings.api_key.source, "TAILSCALE_API_KEY")
    elif settings.oauth_client_id and settings.oauth_client_secret is not None:
        auth = OAuthClient(settings.oauth_client_id, settings.oauth_client_secret)
        hint = "TAILSCALE_OAUTH_CLIENT_ID and TAILSCALE_OAUTH_CLIENT_SECRET"
    else:
        raise MissingCredentials(
            f"no Tailscale API credentials: set {_TS_CREDS}, or pass --api-key-file"
        )
    http = wiring.client(settings, "Tailscale", hint, auth)
    if isinstance(auth, OAuthClient):
        auth.http = http
    return TailscaleBackend(http, tailnet=settings.tailnet, oauth=isinstance(auth, OAuthClient))


def _headscale(settings: ApiSettings, wiring: Wiring) -> HeadscaleBackend:
    if not settings.base_url:
        raise MissingCredentials("no Headscale URL: set HEADSCALE_URL or pass --base-url")
    if settings.api_key is None:
        raise MissingCredentials(
            "no Headscale API key: set HEADSCALE_API_KEY or pass --api-key-file "
            "(create one with `headscale apikeys create --expiration 90d`)"
        )
    auth = StaticToken(settings.api_key, scheme="bearer")  # Headscale accepts Bearer only
    hint = _hint(settings.api_key.source, "HEADSCALE_API_KEY")
    return HeadscaleBackend(
        wiring.client(settings, "Headscale", hint, auth), user=settings.headscale_user
    )
