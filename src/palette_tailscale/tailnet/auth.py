"""Credentials on the wire: a static API token, or an OAuth client's cached access token.

OAuth (reference §1.2): ``POST /api/v2/oauth/token`` with ``client_id``, ``client_secret`` and
``grant_type=client_credentials``; the token lives an hour and is renewed five minutes (or a
tenth of its life, if shorter) before it runs out. One lock makes concurrent workers share a
single token request.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal

from ..secrets import Secret
from .errors import BadResponse
from .redaction import register

if TYPE_CHECKING:
    from .http import HttpClient

TOKEN_PATH = "/api/v2/oauth/token"
REFRESH_MARGIN = 300.0


class StaticToken:
    """An API key sent as ``Bearer`` (default) or as the Basic user name with no password."""

    def __init__(self, token: Secret, *, scheme: Literal["bearer", "basic"] = "bearer") -> None:
        register(token)
        self._token = token
        self.scheme = scheme

    def headers(self) -> Mapping[str, str]:
        if self.scheme == "basic":
            raw = base64.b64encode(f"{self._token.reveal()}:".encode()).decode("ascii")
            return {"Authorization": f"Basic {raw}"}
        return {"Authorization": f"Bearer {self._token.reveal()}"}

    def invalidate(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"StaticToken(scheme={self.scheme!r}, token={self._token!r})"


class OAuthClient:
    """Client credentials exchanged for an access token, cached until shortly before expiry."""

    def __init__(
        self,
        client_id: str,
        client_secret: Secret,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        register(client_secret)
        self.client_id = client_id
        self._secret = client_secret
        self._clock = clock
        self._lock = threading.Lock()
        self._token: Secret | None = None
        self._renew_at = 0.0
        self.http: HttpClient | None = None
        self.fetches = 0

    def headers(self) -> Mapping[str, str]:
        with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                self._fetch()
            assert self._token is not None
            return {"Authorization": f"Bearer {self._token.reveal()}"}

    def invalidate(self) -> bool:
        with self._lock:
            self._token = None
        return True

    def _fetch(self) -> None:
        from .http import Call

        assert self.http is not None, "OAuthClient.http is set by the backend"
        form = {
            "client_id": self.client_id,
            "client_secret": self._secret.reveal(),
            "grant_type": "client_credentials",
        }
        call = Call("get an OAuth access token", authenticated=False, denied="check the client")
        body = self.http.json("POST", TOKEN_PATH, call, form=form)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise BadResponse("Tailscale API: the OAuth token answer has no access_token")
        life = _expires_in(body.get("expires_in"))
        self._token = Secret(token, "OAuth access token")
        register(self._token)
        self._renew_at = self._clock() + life - min(REFRESH_MARGIN, life / 10)
        self.fetches += 1

    def __repr__(self) -> str:
        return f"OAuthClient(client_id={self.client_id!r}, secret={self._secret!r})"


def _expires_in(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return 3600.0
