"""Tailscale API v2 routes of the fake server (``/api/v2/...``)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .tailnet_state import FakeDevice, FakeKey, now, random_hex, stamp

if TYPE_CHECKING:
    from .tailnet_server import FakeTailnet, Reply, Request

DESCRIPTION_RE = re.compile(r"^[A-Za-z0-9 -]{0,50}$")
TAG_RE = re.compile(r"^tag:[A-Za-z][A-Za-z0-9-]*$")


def error(status: int, message: str) -> Reply:
    from .tailnet_server import Reply

    return Reply(status, {"message": message})


def ok(body: Any = None) -> Reply:
    from .tailnet_server import Reply

    return Reply(200, body)


def key_json(key: FakeKey, *, secret: bool = False) -> dict[str, Any]:
    create: dict[str, Any] = {
        "reusable": key.reusable,
        "ephemeral": key.ephemeral,
        "preauthorized": key.preauthorized,
    }
    if key.tags:
        create["tags"] = key.tags
    body: dict[str, Any] = {
        "id": key.id,
        "keyType": "auth",
        "description": key.description,
        "created": stamp(key.created),
        "expires": stamp(key.expires),
        "capabilities": {"devices": {"create": create}},
        "invalid": key.invalid,
    }
    if key.revoked:
        body["revoked"] = stamp(key.revoked)
    if secret:
        body["key"] = key.key
    return body


def device_json(device: FakeDevice, fields_all: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "".join(c for c in device.id if c.isdigit()) or "0",
        "nodeId": device.id,
        "hostname": device.hostname,
        "name": device.name,
        "tags": device.tags,
        "addresses": device.addresses,
        "os": device.os,
        "clientVersion": "1.76.6-t1234",
        "user": device.user,
        "created": stamp(device.created),
        "expires": stamp(device.expires),
        "keyExpiryDisabled": device.key_expiry_disabled,
        "authorized": device.authorized,
        "isExternal": device.is_external,
        "connectedToControl": device.online,
        "multipleConnections": device.multiple_connections,
    }
    if device.last_seen and not device.online:
        body["lastSeen"] = stamp(device.last_seen)
    if fields_all:
        body["advertisedRoutes"] = device.routes
        body["enabledRoutes"] = device.routes
    return body


def route(fake: FakeTailnet, req: Request) -> Reply:
    path = req.path.removeprefix("/api/v2")
    if path == "/oauth/token" and req.method == "POST":
        return fake.oauth_token(req)
    if not fake.authorized(req):
        return error(401, "API token invalid")
    if m := re.fullmatch(r"/tailnet/([^/]+)/(keys|devices)(?:/([^/]+))?", path):
        if m.group(1) not in ("-", fake.tailnet):
            return error(404, "tailnet not found")
        if m.group(2) == "devices":
            return (
                list_devices(fake, req)
                if req.method == "GET" and not m.group(3)
                else error(405, "")
            )
        return keys(fake, req, m.group(3))
    if m := re.fullmatch(r"/device/([^/]+)(?:/(name|tags|authorized))?", path):
        return device(fake, req, m.group(1), m.group(2))
    return error(404, "not found")


def keys(fake: FakeTailnet, req: Request, key_id: str | None) -> Reply:
    if key_id is None and req.method == "POST":
        return create_key(fake, req)
    if key_id is None and req.method == "GET":
        listed = [
            {"id": k.id, "description": k.description}
            for k in fake.state.keys.values()
            if not k.revoked
        ]
        return ok({"keys": listed})
    key = fake.state.keys.get(key_id or "")
    if key is None:
        return error(404, "key not found")
    if req.method == "GET":
        return ok(key_json(key))
    if req.method == "DELETE":
        key.revoked = now()
        return ok()
    return error(405, "method not allowed")


def create_key(fake: FakeTailnet, req: Request) -> Reply:
    body = req.json if isinstance(req.json, dict) else None
    if body is None or not isinstance(body.get("capabilities"), dict):
        return error(400, "capabilities required")
    if fake.read_only:
        return error(403, "calling actor does not have enough permissions to perform this function")
    create = body["capabilities"].get("devices", {}).get("create", {})
    tags = create.get("tags") or []
    description = body.get("description", "")
    if not DESCRIPTION_RE.match(description):
        return error(400, "description must be at most 50 alphanumeric characters")
    if any(not TAG_RE.match(t) for t in tags) or (
        fake.owned_tags is not None and not set(tags) <= fake.owned_tags
    ):
        return error(400, f"requested tags {tags} are invalid or not permitted")
    if req.bearer_is_oauth and not tags:
        return error(400, "tags are required for keys created with an OAuth token")
    number = fake.state.next_number()
    key_id = f"k{number}CNTRL"
    key = fake.state.new_key(
        key_id,
        f"tskey-auth-{key_id}-{random_hex(32)}",
        description=description,
        reusable=bool(create.get("reusable")),
        ephemeral=bool(create.get("ephemeral")),
        preauthorized=bool(create.get("preauthorized")),
        tags=list(tags),
        expires=now() + timedelta(seconds=int(body.get("expirySeconds", 7776000))),
    )
    return ok(key_json(key, secret=True))


def list_devices(fake: FakeTailnet, req: Request) -> Reply:
    fields_all = req.query.get("fields") == ["all"]
    return ok({"devices": [device_json(d, fields_all) for d in fake.state.devices.values()]})


def device(fake: FakeTailnet, req: Request, device_id: str, action: str | None) -> Reply:
    found = fake.state.devices.get(device_id)
    if found is None:
        return error(404, "device not found")
    if action is None and req.method == "GET":
        return ok(device_json(found, req.query.get("fields") == ["all"]))
    if fake.read_only:
        return error(403, "calling actor does not have enough permissions to perform this function")
    if action is None and req.method == "DELETE":
        if found.is_external:
            return error(501, "cannot delete a device shared into the tailnet")
        del fake.state.devices[device_id]
        return ok()
    body = req.json if isinstance(req.json, dict) else {}
    if action == "name" and isinstance(body.get("name"), str):
        label = body["name"].split(".")[0] or found.hostname
        found.name = f"{label}.{fake.state.domain}"
        return ok()
    if action == "tags" and isinstance(body.get("tags"), list):
        if any(not TAG_RE.match(str(t)) for t in body["tags"]):
            return error(400, "invalid tag")
        found.tags = list(body["tags"])
        return ok()
    if action == "authorized" and isinstance(body.get("authorized"), bool):
        found.authorized = body["authorized"]
        return ok()
    return error(400, "bad request")
