"""A local fake of Palette's edge host API, stateful, with faults on demand.

It never touches the internet, and answers in the shapes of
``../shared/reference/palette-edge-openapi.json`` (the contract test validates its answers too)::

    from tests.fakes.palette_server import FakePalette, Fault

    with FakePalette() as fake:
        fake.url                                     # http://127.0.0.1:PORT (PALETTE_BASE_URL)
        fake.api_key                                 # the accepted ApiKey header
        uid = fake.state.add_project("Retail")       # the tenant starts with project "Default"
        token = fake.state.add_token("site", uid)    # token.value is what hosts present
        fake.state.add_edge_host("edge-1", uid, health="healthy", clusters=["store-1"])
        fake.requests                                # every request: method, path, query, json…
        fake.add_fault(Fault("status", path="/search", status=503, times=2, retry_after="1"))

Scope as in Palette: registration tokens and the project list belong to the tenant; edge hosts
to the project named by the ``ProjectUid`` header (without it, the whole tenant). A UID is unique
in the tenant: registering one that exists answers 409. Lists come at most 50 items a page, by
``offset`` or by the ``continue`` token of the previous page, in creation order.

Options and faults are those of :class:`~tests.fakes.tailnet_server.FakeTailnet`: ``latency``,
``rate_limit`` (429 with ``Retry-After``), and :class:`Fault` ``status``/``slow``/``reset``/
``malformed``, optionally ``commit=True`` (the request takes effect, the answer is lost), and
the hostile network's ``html``/``truncate``/``stall``/``trickle``/``die``.
"""

from __future__ import annotations

import base64
import contextlib
import re
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from .faults import Fault, RateLimiter
from .palette_state import PaletteState, now, object_id, random_token
from .tailnet_server import Reply, Request, _fault_reply, _Handler, _Server

__all__ = ["FakePalette", "Fault", "Reply", "Request"]

PAGE_MAX = 50
_TOKEN_RE = re.compile(r"^/v1/edgehosts/tokens/([^/]+)$")
_HOST_RE = re.compile(r"^/v1/edgehosts/([^/]+)$")


class FakePalette:
    def __init__(self, *, latency: float = 0.0, rate_limit: float | None = None) -> None:
        self.latency = latency
        self.limiter = RateLimiter(rate_limit) if rate_limit else None
        self.state = PaletteState()
        self.default_project = self.state.add_project("Default")
        self.api_key = random_token(32)
        self.faults: list[Fault] = []
        self.requests: list[Request] = []
        self.answers: list[tuple[Request, Reply]] = []  # what the API itself answered
        self.rate_limited = 0
        self.dead = False
        self.lock = threading.Lock()
        self._server: _Server | None = None

    def __enter__(self) -> FakePalette:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[assignment]
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_fault(self, fault: Fault) -> Fault:
        with self.lock:
            self.faults.append(fault)
        return fault

    def die(self) -> None:
        """Go away like a killed server (see :meth:`FakeTailnet.die`)."""
        assert self._server is not None
        with self.lock:
            if self.dead:
                return
            self.dead = True
        self._server.shutdown()
        with contextlib.suppress(OSError):
            self._server.socket.close()

    def paths(self, method: str | None = None) -> list[str]:
        return [r.path for r in self.requests if method is None or r.method == method]

    # request handling (called by the shared handler)

    def handle(self, req: Request) -> tuple[Reply | None, Fault | None]:
        with self.lock:
            if self.dead:
                return None, Fault("die")
            self.requests.append(req)
            fault = next((f for f in self.faults if f.take(req)), None)
        if fault and fault.kind == "die":
            self.die()
            return None, fault
        if self.latency:
            time.sleep(self.latency)
        if self.limiter and (wait := self.limiter.take()):
            with self.lock:
                self.rate_limited += 1
            retry = {"Retry-After": str(max(1, round(wait + 0.5)))}
            return Reply(429, {"code": "TooManyRequests", "message": "slow down"}, retry), None
        if fault and not fault.commit:
            return _fault_reply(fault), fault
        with self.lock:
            reply = self._route(req)
            self.answers.append((req, reply))
        return (reply if fault is None else _fault_reply(fault)), fault

    def _route(self, req: Request) -> Reply:
        if req.headers.get("apikey") != self.api_key:
            return _error(401, "Unauthorized", "invalid api key")
        scope = req.headers.get("projectuid")
        if scope is not None and scope not in self.state.projects:
            return _error(403, "Forbidden", f"no access to project {scope}")
        route = (req.method, req.path)
        if route == ("GET", "/v1/edgehosts/tokens"):
            return Reply(200, {"items": [self.state.token_json(t) for t in self._tokens()]})
        if route == ("POST", "/v1/edgehosts/tokens"):
            return self._create_token(req)
        if route == ("POST", "/v1/dashboard/projects"):
            return self._projects(req)
        if route == ("POST", "/v1/dashboard/edgehosts/search"):
            return self._search(req, scope)
        if route == ("POST", "/v1/edgehosts"):
            return self._register(req, scope)
        if req.method == "GET" and (match := _TOKEN_RE.match(req.path)):
            token = self.state.tokens.get(match.group(1))
            if token is None:
                return _error(404, "TokenNotFound", f"edge token {match.group(1)} not found")
            return Reply(200, self.state.token_json(token))
        if req.method == "GET" and (match := _HOST_RE.match(req.path)):
            host = self.state.edge_hosts.get(match.group(1))
            if host is None or (scope and host.project_uid != scope):
                return _error(404, "EdgeHostNotFound", f"edge host {match.group(1)} not found")
            return Reply(200, self.state.host_json(host))
        return _error(404, "NotFound", f"no route {req.method} {req.path}")

    def _tokens(self) -> list[Any]:
        return sorted(self.state.tokens.values(), key=lambda t: (t.created, t.uid))

    def _create_token(self, req: Request) -> Reply:
        body = req.json if isinstance(req.json, dict) else {}
        name = (body.get("metadata") or {}).get("name")
        spec = body.get("spec") or {}
        project = spec.get("defaultProjectUid")
        if not isinstance(name, str) or not name:
            return _error(400, "InvalidName", "metadata.name is required")
        if project not in self.state.projects:
            return _error(400, "InvalidProject", f"project {project} not found")
        token = self.state.add_token(name, project, expiry=now() + timedelta(days=30))
        if isinstance(spec.get("expiry"), str):
            token.expiry = _parse_time(spec["expiry"]) or token.expiry
        return Reply(201, {"uid": token.uid}, {"AuditUid": object_id()})

    def _projects(self, req: Request) -> Reply:
        body = req.json if isinstance(req.json, dict) else {}
        wanted = ((body.get("filter") or {}).get("name") or {}).get("eq")
        ignore_case = ((body.get("filter") or {}).get("name") or {}).get("ignoreCase", True)
        items = []
        for uid, name in sorted(self.state.projects.items()):
            same = name.lower() == str(wanted).lower() if ignore_case else name == wanted
            if wanted is None or same:
                items.append({"metadata": {"uid": uid, "name": name}})
        meta = {"continue": "", "count": len(items), "limit": PAGE_MAX, "offset": len(items)}
        return Reply(200, {"items": items, "listmeta": meta})

    def _search(self, req: Request, scope: str | None) -> Reply:
        limit = int((req.query.get("limit") or [PAGE_MAX])[0])
        if not 0 < limit <= PAGE_MAX:
            return _error(400, "InvalidLimit", "limit is 1 to 50")
        start = int((req.query.get("offset") or ["0"])[0])
        if token := (req.query.get("continue") or [""])[0]:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        hosts = [h for h in self.state.hosts_in_order() if not scope or h.project_uid == scope]
        page = hosts[start : start + limit]
        after = start + len(page)
        more = base64.urlsafe_b64encode(str(after).encode()).decode() if after < len(hosts) else ""
        meta = {"continue": more, "count": len(hosts), "limit": limit, "offset": after}
        return Reply(
            200,
            {"items": [self.state.host_summary_json(h) for h in page], "listmeta": meta},
        )

    def _register(self, req: Request, scope: str | None) -> Reply:
        body = req.json if isinstance(req.json, dict) else {}
        meta = body.get("metadata") or {}
        uid = meta.get("uid")
        if not isinstance(uid, str) or not uid:
            return _error(400, "InvalidUid", "metadata.uid is required")
        if uid in self.state.edge_hosts:
            return _error(409, "EdgeHostDeviceAlreadyExists", f"edge host {uid} already exists")
        arch = (body.get("spec") or {}).get("archType", "amd64")
        self.state.add_edge_host(
            uid,
            scope or self.default_project,
            name=meta.get("name") or uid,
            labels=dict(meta.get("labels") or {}),
            arch=arch,
        )
        return Reply(201, {"uid": uid}, {"AuditUid": object_id()})


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"code": code, "message": message})


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
