"""Headscale REST v1 routes of the fake server, shaped per version (0.22, 0.25, 0.26, 0.28).

Errors are grpc-gateway bodies ``{"code", "message", "details"}``: an unknown user is 404 up to
0.25 (looked up by name) and a non-numeric user 400 from 0.26 (an ID is required).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .tailnet_state import FakeDevice, FakeKey, now, random_hex, stamp

if TYPE_CHECKING:
    from .tailnet_server import FakeTailnet, Reply, Request

TAG_RE = re.compile(r"^tag:[a-z][a-z0-9-]*$")
ZERO_TIME = "0001-01-01T00:00:00Z"


def error(status: int, message: str, code: int = 3) -> Reply:
    from .tailnet_server import Reply

    return Reply(status, {"code": code, "message": message, "details": []})


def ok(body: Any = None) -> Reply:
    from .tailnet_server import Reply

    return Reply(200, {} if body is None else body)


def version(fake: FakeTailnet) -> tuple[int, int]:
    major, minor = fake.headscale_version.split(".")[:2]
    return int(major), int(minor)


def family(fake: FakeTailnet) -> str:
    return "machine" if version(fake) < (0, 23) else "node"


def user_json(fake: FakeTailnet, user_id: str) -> Any:
    name = fake.state.users.get(user_id, "tagged-devices")
    return name if version(fake) <= (0, 25) else {"id": user_id, "name": name}


def key_json(fake: FakeTailnet, key: FakeKey, *, listing: bool) -> dict[str, Any]:
    secret = key.key
    if listing and version(fake) >= (0, 28):
        secret = secret.rsplit("-", 1)[0] + "-***"
    return {
        "user": user_json(fake, key.user),
        "id": key.id,
        "key": secret,
        "reusable": key.reusable,
        "ephemeral": key.ephemeral,
        "used": key.used,
        "expiration": stamp(key.expires) if key.expires else ZERO_TIME,
        "createdAt": stamp(key.created),
        "aclTags": key.tags,
    }


def node_json(fake: FakeTailnet, device: FakeDevice) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": device.id,
        "machineKey": f"mkey:{device.id}",
        "nodeKey": f"nodekey:{device.id}",
        "ipAddresses": device.addresses,
        "name": device.hostname,
        "givenName": device.name.split(".")[0],
        "user": {"id": "1", "name": "edge"},
        "lastSeen": stamp(device.last_seen) if device.last_seen else None,
        "expiry": stamp(device.expires) if device.expires else None,
        "createdAt": stamp(device.created),
        "registerMethod": "REGISTER_METHOD_AUTH_KEY",
        "online": device.online,
    }
    if version(fake) >= (0, 28):
        body["tags"] = device.tags
    else:
        body.update(forcedTags=device.tags, validTags=[], invalidTags=[])
    return body


def route(fake: FakeTailnet, req: Request) -> Reply:
    if not fake.authorized(req, bearer_only=True):
        return error(401, "Unauthorized", 16)
    path = req.path.removeprefix("/api/v1")
    if path == "/user" and req.method == "GET":
        users = [
            {"id": i, "name": n, "createdAt": stamp(now())} for i, n in fake.state.users.items()
        ]
        return ok({"users": users})
    if path.startswith("/preauthkey"):
        return preauthkeys(fake, req, path)
    fam = family(fake)
    if m := re.fullmatch(rf"/{fam}(?:/([^/]+))?(/tags|/rename/[^/]+)?", path):
        return nodes(fake, req, m.group(1), m.group(2))
    return error(404, "Not Found", 5)


def find_user(fake: FakeTailnet, value: Any) -> str | Reply | None:
    """The user ID for ``value`` in this version's shape, or an error reply."""
    if value in (None, ""):
        return None
    value = str(value)
    if version(fake) <= (0, 25):
        for uid, name in fake.state.users.items():
            if name == value:
                return uid
        return error(404, "user not found", 5)
    if not value.isdigit():
        return error(400, f"invalid user ID {value!r}", 3)
    return value if value in fake.state.users else error(404, "user not found", 5)


def preauthkeys(fake: FakeTailnet, req: Request, path: str) -> Reply:
    from .tailnet_server import Reply

    if path == "/preauthkey" and req.method == "POST":
        return create_key(fake, req)
    if path == "/preauthkey" and req.method == "GET":
        user = find_user(fake, (req.query.get("user") or [None])[0])
        if isinstance(user, Reply):
            return user
        if user is None and version(fake) < (0, 28):
            return error(400, "user is required", 3)
        keys = [k for k in fake.state.keys.values() if user is None or k.user == user]
        return ok({"preAuthKeys": [key_json(fake, k, listing=True) for k in keys]})
    if path == "/preauthkey/expire" and req.method == "POST":
        return expire_key(fake, req)
    return error(404, "Not Found", 5)


def create_key(fake: FakeTailnet, req: Request) -> Reply:
    from .tailnet_server import Reply

    body = req.json if isinstance(req.json, dict) else {}
    tags = list(body.get("aclTags") or [])
    if any(not TAG_RE.match(str(t)) for t in tags):
        return error(400, "invalid tag", 3)
    user = find_user(fake, body.get("user"))
    if isinstance(user, Reply):
        return user
    if user is None and (version(fake) < (0, 28) or not tags):
        return error(400, "a user or tags are required", 3)
    expiration = body.get("expiration")
    expires = _parse_time(expiration) if isinstance(expiration, str) else None
    number = fake.state.next_number()
    secret = (
        f"hskey-auth-{random_hex(12)}-{random_hex(32)}"
        if version(fake) >= (0, 28)
        else random_hex(48)
    )
    key = fake.state.new_key(
        str(number),
        secret,
        reusable=bool(body.get("reusable")),
        ephemeral=bool(body.get("ephemeral")),
        tags=tags,
        expires=expires,
        user=user or "0",
    )
    key.preauthorized = True
    return ok({"preAuthKey": key_json(fake, key, listing=False)})


def _parse_time(text: str) -> Any:
    from datetime import datetime

    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def expire_key(fake: FakeTailnet, req: Request) -> Reply:
    body = req.json if isinstance(req.json, dict) else {}
    if version(fake) >= (0, 28):
        key = fake.state.keys.get(str(body.get("id", "")))
    else:
        key = next((k for k in fake.state.keys.values() if k.key == body.get("key")), None)
        if key is not None and find_user(fake, body.get("user")) != key.user:
            key = None
    if key is None:
        return error(404, "key not found", 5)
    key.expires = now()
    return ok()


def nodes(fake: FakeTailnet, req: Request, node_id: str | None, action: str | None) -> Reply:
    fam = family(fake)
    if node_id is None:
        if req.method != "GET":
            return error(405, "Method Not Allowed", 12)
        return ok({f"{fam}s": [node_json(fake, d) for d in fake.state.devices.values()]})
    device = fake.state.devices.get(node_id)
    if device is None:
        return error(404, "node not found", 5)
    if action is None and req.method == "GET":
        return ok({fam: node_json(fake, device)})
    if action is None and req.method == "DELETE":
        del fake.state.devices[node_id]
        return ok()
    if action == "/tags" and req.method == "POST":
        tags = (req.json or {}).get("tags") if isinstance(req.json, dict) else None
        if not isinstance(tags, list) or any(not TAG_RE.match(str(t)) for t in tags):
            return error(400, "invalid tags", 3)
        device.tags = [str(t) for t in tags]
        return ok({fam: node_json(fake, device)})
    if action and action.startswith("/rename/") and req.method == "POST":
        device.name = f"{action.removeprefix('/rename/')}.{fake.state.domain}"
        return ok({fam: node_json(fake, device)})
    return error(400, "bad request", 3)
