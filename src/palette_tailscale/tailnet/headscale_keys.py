"""Headscale pre-auth keys across versions (reference §5.2).

Request shapes changed, and Headscale reports no version, so each shape is probed once, newest
first, and the one that worked is remembered:

* creating: ``user`` as a numeric ID (0.26+), else by name (0.22-0.25); with tags and no user
  configured, no ``user`` at all (0.28+). ``expiration`` is always sent (0.29 stores an omitted
  one as the zero time, i.e. already expired).
* listing: ``GET /api/v1/preauthkey`` for all keys (0.28+), else ``?user=`` per user.
* revoking: ``POST /api/v1/preauthkey/expire`` with ``{"id"}`` (0.28+), else ``{"user", "key"}``
  (the key string is read from the listing, which before 0.28 is not masked).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ..secrets import Secret
from .base import KeyInfo
from .errors import InvalidRequest, NotFound, RequestRejected, ServerError, TailnetError
from .http import Call, HttpClient
from .parse import as_list, as_map, flag, rfc3339, strings, text, timestamp
from .redaction import register

KEYS = "/api/v1/preauthkey"
SHAPE_ERRORS = (RequestRejected, NotFound, ServerError)  # pre-0.30 answers 500 for bad input
_NEED_USER = (
    "this Headscale needs a user for pre-auth keys (tags alone are enough from 0.28): "
    "set tailscale.api.headscale_user or HEADSCALE_USER"
)


class HeadscaleUsers:
    """Resolves the configured user to the forms a server may accept: ID first, then name."""

    def __init__(self, http: HttpClient, user: str | None) -> None:
        self.http = http
        self.user = user
        self.shape: str | None = None  # "id" or "name" once one worked
        self._forms: list[tuple[str, str]] | None = None

    def forms(self) -> list[tuple[str, str]]:
        if self.user is None:
            raise InvalidRequest(_NEED_USER)
        if self._forms is None:
            self._forms = self._resolve(self.user)
        if self.shape is not None:
            return [f for f in self._forms if f[0] == self.shape] or self._forms
        return self._forms

    def _resolve(self, user: str) -> list[tuple[str, str]]:
        call = Call("list users", "no user API on this server")
        body = as_map(self.http.json("GET", "/api/v1/user", call), "users")
        for entry in as_list(body.get("users"), "users"):
            if user in (text(entry.get("name")), text(entry.get("id"))):
                return [("id", text(entry.get("id"))), ("name", text(entry.get("name")))]
        raise InvalidRequest(f"Headscale user {user!r} does not exist: check HEADSCALE_USER")


class ExpirationTokens:
    """Unique expiration times: the exact value sent identifies a key whose answer was lost."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = datetime.min.replace(tzinfo=timezone.utc)

    def next(self, seconds: int) -> datetime:
        with self._lock:
            when = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=seconds)
            when = max(when, self._last + timedelta(microseconds=1000))
            self._last = when
            return when


class HeadscaleKeyShapes:
    """Listing and revoking in whichever shape this server speaks."""

    def __init__(self, http: HttpClient, users: HeadscaleUsers) -> None:
        self.http = http
        self.users = users
        self.list_all: bool | None = None

    def raw_keys(self) -> list[Mapping[str, Any]]:
        if self.list_all is not False:
            try:
                entries = self._get({}, retries=self.list_all is True)
            except SHAPE_ERRORS:
                if self.list_all is True:
                    raise
                self.list_all = False
            else:
                self.list_all = True
                return entries
        return self._per_user()

    def _per_user(self) -> list[Mapping[str, Any]]:
        last: TailnetError | None = None
        for shape, value in self.users.forms():
            try:
                entries = self._get({"user": value}, retries=self.users.shape is not None)
            except SHAPE_ERRORS as exc:
                last = exc
                continue
            self.users.shape = shape
            return entries
        assert last is not None
        raise last

    def _get(self, params: dict[str, str], *, retries: bool) -> list[Mapping[str, Any]]:
        call = Call("list pre-auth keys", "no pre-auth key API", retries=retries)
        body = as_map(self.http.json("GET", KEYS, call, params=params), "pre-auth keys")
        entries = as_list(body.get("preAuthKeys"), "pre-auth keys")
        for entry in entries:
            secret = text(entry.get("key"))
            if secret and "***" not in secret:
                register(secret)  # before 0.28 listings are not masked
        return entries

    def revoke(self, key_id: str) -> None:
        entries = self.raw_keys()
        match = [e for e in entries if text(e.get("id")) == key_id]
        if not match:
            raise NotFound(f"Headscale API: revoke key: key {key_id!r} not found", status=404)
        call = Call("revoke key", f"key {key_id!r} not found")
        if self.list_all:
            self.http.request("POST", f"{KEYS}/expire", call, json_body={"id": key_id})
            return
        key = Secret(text(match[0].get("key")), "listed pre-auth key")
        _, value = self.users.forms()[0]
        body = {"user": value, "key": key.reveal()}
        self.http.request("POST", f"{KEYS}/expire", call, json_body=body)


def key_info(entry: Mapping[str, Any], now: datetime | None = None) -> KeyInfo:
    now = now or datetime.now(timezone.utc)
    expires = timestamp(entry.get("expiration"))
    used = flag(entry.get("used"))
    reusable = flag(entry.get("reusable"))
    expired = expires is None or expires <= now
    return KeyInfo(
        id=text(entry.get("id")),
        created=timestamp(entry.get("createdAt")),
        expires=expires,
        invalid=expired or (used and not reusable),
        reusable=reusable,
        ephemeral=flag(entry.get("ephemeral")),
        preauthorized=True,  # Headscale has no device approval
        used=used,
        tags=strings(entry.get("aclTags")),
    )


def same_time(a: object, b: datetime) -> bool:
    when = timestamp(a)
    return when is not None and abs((when - b).total_seconds()) < 0.0005


def expiration_text(when: datetime) -> str:
    return rfc3339(when)


def orphan_ids(
    entries: Sequence[Mapping[str, Any]], sent: datetime, tags: Sequence[str]
) -> list[str]:
    return [
        text(e.get("id"))
        for e in entries
        if same_time(e.get("expiration"), sent)
        and sorted(strings(e.get("aclTags"))) == sorted(tags)
        and not flag(e.get("used"))
    ]
