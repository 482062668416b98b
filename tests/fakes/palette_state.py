"""State of the fake Palette tenant: projects, registration tokens (with values), edge hosts."""

from __future__ import annotations

import itertools
import secrets as _secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

_ALPHABET = string.ascii_letters + string.digits
_counter = itertools.count(1)


def now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(when: datetime | None) -> str:
    # Palette (Go) writes unset times as the zero time.
    if when is None:
        return "0001-01-01T00:00:00.000Z"
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def object_id() -> str:
    """A 24-hex-digit UID like Palette's (MongoDB ObjectIds)."""
    return f"{next(_counter):08x}" + _secrets.token_hex(8)


def random_token(length: int = 32) -> str:
    return "".join(_secrets.choice(_ALPHABET) for _ in range(length))


@dataclass
class FakeToken:
    uid: str
    name: str
    value: str
    project_uid: str | None
    expiry: datetime | None
    active: bool = True
    created: datetime = field(default_factory=now)


@dataclass
class FakeEdgeHost:
    uid: str
    name: str
    project_uid: str
    labels: dict[str, str] = field(default_factory=dict)
    arch: str = "amd64"
    state: str = "unpaired"  # ready, unpaired, in-use
    health: str | None = None  # healthy, unhealthy; None before the first report
    message: str = ""
    clusters: list[str] = field(default_factory=list)
    created: datetime = field(default_factory=now)
    modified: datetime = field(default_factory=now)


class PaletteState:
    """Not thread-safe by itself: the server holds its lock around every use."""

    def __init__(self) -> None:
        self.projects: dict[str, str] = {}  # uid -> name
        self.tokens: dict[str, FakeToken] = {}
        self.edge_hosts: dict[str, FakeEdgeHost] = {}
        self._order = itertools.count()
        self.version = 0  # bumped by every change made through this class
        self._sorted: tuple[tuple[int, int], list[FakeEdgeHost]] | None = None

    def add_project(self, name: str, uid: str | None = None) -> str:
        uid = uid or object_id()
        self.projects[uid] = name
        return uid

    def project_uid(self, name: str) -> str:
        return next(uid for uid, known in self.projects.items() if known == name)

    def add_token(
        self,
        name: str,
        project_uid: str | None,
        *,
        expiry: datetime | None = None,
        active: bool = True,
        value: str | None = None,
        uid: str | None = None,
    ) -> FakeToken:
        expiry = expiry if expiry is not None else now() + timedelta(days=30)
        uid = uid or object_id()
        token = FakeToken(uid, name, value or random_token(), project_uid, expiry, active)
        self.tokens[token.uid] = token
        return token

    def add_edge_host(self, uid: str, project_uid: str, **fields: Any) -> FakeEdgeHost:
        # Distinct creation times keep the listing order (by creation) total.
        fields.setdefault("created", now() + timedelta(microseconds=next(self._order)))
        host = FakeEdgeHost(
            uid=uid, name=fields.pop("name", uid), project_uid=project_uid, **fields
        )
        self.edge_hosts[uid] = host
        self.version += 1
        return host

    def hosts_in_order(self) -> list[FakeEdgeHost]:
        """Every edge host by creation (cached: a 10,000-host listing reads it 200 times)."""
        key = (self.version, len(self.edge_hosts))
        if self._sorted is None or self._sorted[0] != key:
            ordered = sorted(self.edge_hosts.values(), key=lambda h: (h.created, h.uid))
            self._sorted = (key, ordered)
        return self._sorted[1]

    # JSON shapes (palette-edge-openapi.json definitions)

    def project_ref(self, uid: str | None) -> dict[str, str]:
        return {"uid": uid, "name": self.projects.get(uid, "")} if uid else {}

    def token_json(self, token: FakeToken) -> dict[str, Any]:
        spec: dict[str, Any] = {"token": token.value, "expiry": stamp(token.expiry)}
        if token.project_uid:
            spec["defaultProject"] = self.project_ref(token.project_uid)
        return {
            "metadata": {
                "uid": token.uid,
                "name": token.name,
                "creationTimestamp": stamp(token.created),
            },
            "spec": spec,
            "status": {"isActive": token.active},
        }

    def host_status(self, host: FakeEdgeHost) -> dict[str, Any]:
        status: dict[str, Any] = {"state": host.state}
        if host.health:
            status["health"] = {"state": host.health, "message": host.message}
        if host.clusters:
            status["inUseClustersRef"] = [
                {"name": name, "uid": f"c{i:023x}"} for i, name in enumerate(host.clusters)
            ]
        return status

    def host_meta(self, host: FakeEdgeHost) -> dict[str, Any]:
        return {
            "uid": host.uid,
            "name": host.name,
            "labels": dict(host.labels),
            "creationTimestamp": stamp(host.created),
            "lastModifiedTimestamp": stamp(host.modified),
        }

    def host_summary_json(self, host: FakeEdgeHost) -> dict[str, Any]:
        """``v1EdgeHostsMetadata`` (the search answer's items)."""
        return {
            "metadata": self.host_meta(host),
            "spec": {
                "type": "edge-native",
                "device": {"archType": host.arch},
                "projectMeta": self.project_ref(host.project_uid),
            },
            "status": self.host_status(host),
        }

    def host_json(self, host: FakeEdgeHost) -> dict[str, Any]:
        """``v1EdgeHostDevice`` (``GET /v1/edgehosts/{uid}``)."""
        return {
            "metadata": self.host_meta(host),
            "spec": {"type": "edge-native", "device": {"archType": host.arch}},
            "status": self.host_status(host),
        }
