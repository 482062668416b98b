"""Headscale REST API v1 backend (reference §5.2): ``node`` API of 0.23+, ``machine`` of 0.22.

Headscale does not report its version, so shapes are probed once and remembered: the node API
first, the machine API on a 404; key shapes as described in :mod:`.headscale_keys`. Headscale
keeps no key description and has no device approval: ``description`` is not sent and
``authorize_device(True)`` is a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..secrets import Secret
from .base import CreatedKey, Device, KeyInfo, KeyRequest
from .errors import InvalidRequest, NotFound
from .headscale_keys import (
    KEYS,
    SHAPE_ERRORS,
    ExpirationTokens,
    HeadscaleKeyShapes,
    HeadscaleUsers,
    expiration_text,
    key_info,
    orphan_ids,
)
from .http import Call, HttpClient, segment
from .mint import InFlight, create_key_safely
from .parse import as_list, as_map, minted_key, strings, text, timestamp
from .redaction import register
from .validate import check_device_name, check_key_request, check_tags


class HeadscaleBackend:
    kind = "headscale"

    def __init__(self, http: HttpClient, *, user: str | None = None) -> None:
        self.http = http
        self.users = HeadscaleUsers(http, user)
        self.shapes = HeadscaleKeyShapes(http, self.users)
        self.family: str | None = None  # "node" (0.23+) or "machine" (0.22)
        self._tokens = ExpirationTokens()
        self._inflight = InFlight()

    def __repr__(self) -> str:
        return f"HeadscaleBackend(user={self.users.user!r}, http={self.http!r})"

    # keys

    def create_key(self, request: KeyRequest) -> CreatedKey:
        check_key_request(request, lowercase_tags=True)
        if self.users.user is None and not request.tags:
            raise InvalidRequest(_no_user_no_tags())
        sent = self._tokens.next(request.expiry_seconds)
        body: dict[str, Any] = {
            "reusable": request.reusable,
            "ephemeral": request.ephemeral,
            "expiration": expiration_text(sent),
            "aclTags": list(request.tags),
        }
        created = create_key_safely(
            lambda: self._post_key(body),
            lambda: [
                k
                for k in orphan_ids(self.shapes.raw_keys(), sent, request.tags)
                if not self._inflight.was_issued(k)
            ],
            self.revoke_key,
            self.http.pause,
        )
        self._inflight.add_issued(created.info.id)
        return created

    def _post_key(self, body: dict[str, Any]) -> CreatedKey:
        if self.users.user is None:
            return self._send_key(body, retries=True)
        forms = self.users.forms()
        for index, (shape, value) in enumerate(forms):
            last = index == len(forms) - 1
            try:
                created = self._send_key({**body, "user": value}, retries=last)
            except SHAPE_ERRORS:
                if last or self.users.shape is not None:
                    raise
                continue
            self.users.shape = shape
            return created
        raise AssertionError("unreachable")

    def _send_key(self, body: dict[str, Any], *, retries: bool) -> CreatedKey:
        call = Call(
            "create a pre-auth key", "no pre-auth key API", idempotent=False, retries=retries
        )
        answer = as_map(self.http.json("POST", KEYS, call, json_body=body), "pre-auth key")
        entry = as_map(answer.get("preAuthKey"), "pre-auth key")
        secret = minted_key(entry.get("key"), "Headscale API: create a pre-auth key")
        key = Secret(secret, "minted pre-auth key")
        register(key)
        return CreatedKey(info=key_info(entry), key=key)

    def list_keys(self) -> Sequence[KeyInfo]:
        infos = [key_info(e) for e in self.shapes.raw_keys()]
        return sorted(infos, key=lambda i: (i.created.isoformat() if i.created else "", i.id))

    def get_key(self, key_id: str) -> KeyInfo:
        for info in self.list_keys():
            if info.id == key_id:
                return info
        raise NotFound(f"Headscale API: get key: key {key_id!r} not found", status=404)

    def revoke_key(self, key_id: str) -> None:
        self.shapes.revoke(key_id)

    # devices

    def _family(self) -> str:
        if self.family is None:
            self._list_raw()
        assert self.family is not None
        return self.family

    def _list_raw(self) -> list[Mapping[str, Any]]:
        families = [self.family] if self.family else ["node", "machine"]
        for family in families:
            call = Call("list nodes", "no node API on this server")
            try:
                body = as_map(self.http.json("GET", f"/api/v1/{family}", call), "nodes")
            except NotFound:
                if family == families[-1]:
                    raise
                continue
            self.family = family
            return as_list(body.get(f"{family}s"), "nodes")
        raise AssertionError("unreachable")

    def list_devices(self) -> Sequence[Device]:
        return [device_from_headscale(n) for n in self._list_raw()]

    def _path(self, device_id: str, tail: str = "") -> str:
        return f"/api/v1/{self._family()}/{segment(device_id)}{tail}"

    def get_device(self, device_id: str) -> Device:
        call = Call("get node", f"node {device_id!r} not found")
        body = as_map(self.http.json("GET", self._path(device_id), call), "node")
        return device_from_headscale(as_map(body.get(self._family()), "node"))

    def delete_device(self, device_id: str) -> None:
        self.http.request(
            "DELETE", self._path(device_id), Call("delete node", f"node {device_id!r} not found")
        )

    def rename_device(self, device_id: str, name: str) -> None:
        check_device_name(name)
        call = Call("rename node", f"node {device_id!r} not found")
        self.http.request("POST", self._path(device_id, f"/rename/{segment(name)}"), call)

    def set_device_tags(self, device_id: str, tags: Sequence[str]) -> None:
        check_tags(tags, lowercase=True)
        call = Call("set node tags", f"node {device_id!r} not found")
        self.http.request(
            "POST", self._path(device_id, "/tags"), call, json_body={"tags": list(tags)}
        )

    def authorize_device(self, device_id: str, authorized: bool = True) -> None:
        if not authorized:
            raise InvalidRequest("Headscale has no device approval: a node cannot be de-authorised")

    def close(self) -> None:
        self.http.close()


def _no_user_no_tags() -> str:
    return (
        "a Headscale pre-auth key needs a user or tags: set HEADSCALE_USER "
        "(or tailscale.api.headscale_user), or add --tag (Headscale 0.28+)"
    )


def device_from_headscale(entry: Mapping[str, Any]) -> Device:
    user = entry.get("user")
    user_name = text(user.get("name")) if isinstance(user, Mapping) else text(user)
    if "tags" in entry:
        tags = strings(entry.get("tags"))
    else:  # up to 0.27: forced (admin-set) and valid (advertised and allowed) tags
        tags = tuple(
            sorted(set(strings(entry.get("forcedTags"))) | set(strings(entry.get("validTags"))))
        )
    expires = timestamp(entry.get("expiry"))
    online = entry.get("online")
    return Device(
        id=text(entry.get("id")),
        hostname=text(entry.get("name")),
        name=text(entry.get("givenName")),
        tags=tags,
        addresses=strings(entry.get("ipAddresses")),
        created=timestamp(entry.get("createdAt")),
        last_seen=timestamp(entry.get("lastSeen")),
        online=online if isinstance(online, bool) else None,
        expires=expires,
        key_expiry_disabled=expires is None,
        user=user_name,
        extra={k: entry[k] for k in ("registerMethod", "invalidTags") if k in entry},
    )
