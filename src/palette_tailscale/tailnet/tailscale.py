"""Tailscale API v2 backend (reference §1; OpenAPI document in ``reference/``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ..secrets import Secret
from .base import CreatedKey, Device, KeyInfo, KeyRequest
from .bulk import run_bulk
from .errors import InvalidRequest
from .http import Call, HttpClient, segment
from .mint import InFlight, create_key_safely
from .parse import as_list, as_map, flag, minted_key, strings, text, timestamp
from .redaction import register
from .validate import check_key_request, check_tags

_READ_KEYS = "it needs the auth_keys:read scope"
_WRITE_KEYS = "it needs the auth_keys scope, and tags owned by the OAuth client (tagOwners)"
_READ_DEVICES = "it needs the devices:core:read scope"
_WRITE_DEVICES = "it needs the devices:core scope"
_ORPHAN_WINDOW = timedelta(minutes=10)


class TailscaleBackend:
    """Keys and devices of one tailnet (``-`` = the credential's own)."""

    kind = "tailscale"

    def __init__(self, http: HttpClient, *, tailnet: str = "-", oauth: bool = False) -> None:
        self.http = http
        self.tailnet = tailnet or "-"
        self.oauth = oauth
        self._inflight = InFlight()

    def __repr__(self) -> str:
        return f"TailscaleBackend(tailnet={self.tailnet!r}, http={self.http!r})"

    @property
    def _tn(self) -> str:
        return f"/api/v2/tailnet/{segment(self.tailnet, safe='@-.')}"

    def _no_tailnet(self) -> str:
        hint = " ('-' means the credential's own tailnet)" if self.tailnet != "-" else ""
        return f"tailnet {self.tailnet!r} not found: check TAILSCALE_TAILNET{hint}"

    # keys

    def create_key(self, request: KeyRequest) -> CreatedKey:
        check_key_request(request)
        if self.oauth and not request.tags:
            raise InvalidRequest(
                "keys created with an OAuth client must carry tags: add --tag tag:NAME "
                "(a tag the client owns)"
            )
        started = datetime.now(timezone.utc)
        with self._inflight.track(request.description):
            created = create_key_safely(
                lambda: self._post_key(request),
                lambda: self._orphans(request.description, started),
                self.revoke_key,
                self.http.pause,
            )
        self._inflight.add_issued(created.info.id)
        return created

    def _post_key(self, request: KeyRequest) -> CreatedKey:
        create: dict[str, Any] = {
            "reusable": request.reusable,
            "ephemeral": request.ephemeral,
            "preauthorized": request.preauthorized,
        }
        if request.tags:
            create["tags"] = list(request.tags)
        body = {
            "keyType": "auth",
            "capabilities": {"devices": {"create": create}},
            "expirySeconds": request.expiry_seconds,
            "description": request.description,
        }
        call = Call("create a key", self._no_tailnet(), _WRITE_KEYS, idempotent=False)
        answer = as_map(self.http.json("POST", f"{self._tn}/keys", call, json_body=body), "key")
        secret = minted_key(answer.get("key"), "Tailscale API: create a key")
        key = Secret(secret, "minted auth key")
        register(key)
        return CreatedKey(info=_key_info(answer), key=key)

    def _orphans(self, description: str, started: datetime) -> list[str]:
        if not self._inflight.alone(description):
            return []  # a sibling request with the same description may own the match
        found = []
        for entry in self._raw_keys():
            key_id = text(entry.get("id"))
            if text(entry.get("description")) != description or self._inflight.was_issued(key_id):
                continue
            info = self.get_key(key_id)
            if info.created and info.created >= started - _ORPHAN_WINDOW and not info.invalid:
                found.append(key_id)
        return found

    def _raw_keys(self) -> list[Mapping[str, Any]]:
        call = Call("list keys", self._no_tailnet(), _READ_KEYS)
        return as_list(
            as_map(self.http.json("GET", f"{self._tn}/keys", call), "keys").get("keys"), "keys"
        )

    def list_keys(self) -> Sequence[KeyInfo]:
        entries = self._raw_keys()
        # The list may carry only id and description (OpenAPI): fetch the rest per key.
        detailed = [e for e in entries if "created" in e]
        sparse = [text(e.get("id")) for e in entries if "created" not in e]
        infos = [_key_info(e) for e in detailed]
        infos += [r.unwrap() for r in run_bulk(self.get_key, sparse)]
        return sorted((i for i in infos if i.id), key=_key_order)

    def get_key(self, key_id: str) -> KeyInfo:
        call = Call("get key", f"key {key_id!r} not found in tailnet {self.tailnet!r}", _READ_KEYS)
        path = f"{self._tn}/keys/{segment(key_id)}"
        return _key_info(as_map(self.http.json("GET", path, call), "key"))

    def revoke_key(self, key_id: str) -> None:
        call = Call(
            "revoke key", f"key {key_id!r} not found in tailnet {self.tailnet!r}", _WRITE_KEYS
        )
        self.http.request("DELETE", f"{self._tn}/keys/{segment(key_id)}", call)

    # devices

    def list_devices(self) -> Sequence[Device]:
        call = Call("list devices", self._no_tailnet(), _READ_DEVICES)
        body = as_map(
            self.http.json("GET", f"{self._tn}/devices", call, params={"fields": "all"}), "devices"
        )
        return [device_from_tailscale(d) for d in as_list(body.get("devices"), "devices")]

    def _device_call(self, what: str, device_id: str, denied: str = _WRITE_DEVICES) -> Call:
        return Call(what, f"device {device_id!r} not found", denied)

    def _device_path(self, device_id: str, tail: str = "") -> str:
        return f"/api/v2/device/{segment(device_id)}{tail}"

    def get_device(self, device_id: str) -> Device:
        call = self._device_call("get device", device_id, _READ_DEVICES)
        body = self.http.json("GET", self._device_path(device_id), call, params={"fields": "all"})
        return device_from_tailscale(as_map(body, "device"))

    def delete_device(self, device_id: str) -> None:
        self.http.request(
            "DELETE", self._device_path(device_id), self._device_call("delete device", device_id)
        )

    def rename_device(self, device_id: str, name: str) -> None:
        call = self._device_call("rename device", device_id)
        self.http.request(
            "POST", self._device_path(device_id, "/name"), call, json_body={"name": name}
        )

    def set_device_tags(self, device_id: str, tags: Sequence[str]) -> None:
        check_tags(tags)
        call = self._device_call(
            "set device tags", device_id, _WRITE_DEVICES + " and ownership of the tags"
        )
        self.http.request(
            "POST", self._device_path(device_id, "/tags"), call, json_body={"tags": list(tags)}
        )

    def authorize_device(self, device_id: str, authorized: bool = True) -> None:
        call = self._device_call("authorize device", device_id)
        body = {"authorized": authorized}
        self.http.request("POST", self._device_path(device_id, "/authorized"), call, json_body=body)

    def close(self) -> None:
        self.http.close()


def _key_order(info: KeyInfo) -> tuple[str, str]:
    return (info.created.isoformat() if info.created else "", info.id)


def _key_info(entry: Mapping[str, Any]) -> KeyInfo:
    caps = entry.get("capabilities")
    devices = caps.get("devices") if isinstance(caps, Mapping) else None
    create = devices.get("create") if isinstance(devices, Mapping) else None
    create = create if isinstance(create, Mapping) else {}
    expires = timestamp(entry.get("expires"))
    revoked = bool(entry.get("revoked"))
    expired = expires is not None and expires <= datetime.now(timezone.utc)
    return KeyInfo(
        id=text(entry.get("id")),
        description=text(entry.get("description")),
        created=timestamp(entry.get("created")),
        expires=expires,
        revoked=revoked,
        invalid=flag(entry.get("invalid")) or revoked or expired,
        reusable=flag(create.get("reusable")),
        ephemeral=flag(create.get("ephemeral")),
        preauthorized=flag(create.get("preauthorized")),
        tags=strings(create.get("tags")),
    )


def device_from_tailscale(entry: Mapping[str, Any]) -> Device:
    connected = entry.get("connectedToControl")
    extra = {
        k: entry[k]
        for k in ("advertisedRoutes", "advertiseRoutes", "enabledRoutes", "isEphemeral", "distro")
        if k in entry
    }
    routes = entry.get("advertisedRoutes", entry.get("advertiseRoutes"))
    if routes is not None:
        extra["advertisedRoutes"] = routes
    return Device(
        id=text(entry.get("nodeId")) or text(entry.get("id")),
        hostname=text(entry.get("hostname")),
        name=text(entry.get("name")),
        tags=strings(entry.get("tags")),
        addresses=strings(entry.get("addresses")),
        os=text(entry.get("os")),
        client_version=text(entry.get("clientVersion")),
        created=timestamp(entry.get("created")),
        last_seen=timestamp(entry.get("lastSeen")),
        online=connected if isinstance(connected, bool) else None,
        expires=timestamp(entry.get("expires")),
        key_expiry_disabled=flag(entry.get("keyExpiryDisabled")),
        authorized=flag(entry.get("authorized"), True),
        multiple_connections=flag(entry.get("multipleConnections")),
        is_external=flag(entry.get("isExternal")),
        user=text(entry.get("user")),
        extra=extra,
    )
