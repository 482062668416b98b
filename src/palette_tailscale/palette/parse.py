"""Palette's JSON answers → records. A shape we do not expect is :class:`BadResponse`."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..secrets import Secret
from ..tailnet.errors import BadResponse
from ..tailnet.redaction import register
from .model import EdgeHost, Project, Token


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 time; Go's zero time (``0001-01-01T00:00:00Z``) means unset."""
    if not isinstance(value, str) or not value or value.startswith("0001-01-01"):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def items(body: Any, what: str) -> list[dict[str, Any]]:
    """The ``items`` list of a list answer (``v1EdgeTokens``, ``v1…Summary``)."""
    found = body.get("items") if isinstance(body, dict) else None
    if found is None and isinstance(body, dict) and "items" in body:
        return []  # Go encodes an empty slice as null
    if not isinstance(found, list):
        raise BadResponse(f"Palette API: {what}: the answer has no items list")
    return [item for item in found if isinstance(item, dict)]


def project_of(value: Any) -> Project | None:
    meta = _dict(value)
    uid = _text(meta.get("uid"))
    return Project(uid, _text(meta.get("name"))) if uid else None


def token(item: dict[str, Any]) -> Token:
    meta, spec, status = (_dict(item.get(k)) for k in ("metadata", "spec", "status"))
    value = _text(spec.get("token"))
    if value:
        register(value)  # from now on scrubbed from every message and log record
    return Token(
        uid=_text(meta.get("uid")),
        name=_text(meta.get("name")),
        value=Secret(value, "Palette registration token") if value else None,
        active=status.get("isActive") is True,
        expiry=parse_time(spec.get("expiry")),
        project=project_of(spec.get("defaultProject")),
    )


def project(item: dict[str, Any]) -> Project:
    meta = _dict(item.get("metadata"))
    return Project(_text(meta.get("uid")), _text(meta.get("name")))


def edge_host(item: dict[str, Any]) -> EdgeHost:
    meta, spec, status = (_dict(item.get(k)) for k in ("metadata", "spec", "status"))
    health = _dict(status.get("health"))
    state = _text(health.get("state"))
    refs = status.get("inUseClustersRef") or status.get("inUseClusters") or []
    clusters = tuple(
        name for ref in refs if isinstance(ref, dict) and (name := _text(ref.get("name")))
    )
    labels = meta.get("labels")
    return EdgeHost(
        uid=_text(meta.get("uid")),
        name=_text(meta.get("name")) or _text(meta.get("uid")),
        state=_text(status.get("state")),
        health="healthy" if state == "healthy" else "unhealthy" if state == "unhealthy" else None,
        health_message=_text(health.get("message")),
        # Before its first health report a host has not been heard from (see EdgeHost).
        last_heartbeat=parse_time(meta.get("lastModifiedTimestamp")) if state else None,
        clusters=clusters,
        project=project_of(spec.get("projectMeta")),
        tags={str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {},
    )
