"""Palette's records as the tool sees them: frozen, typed, secrets as :class:`Secret`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ..secrets import Secret

Health = Literal["healthy", "unhealthy"]


@dataclass(frozen=True, slots=True)
class Project:
    uid: str
    name: str


@dataclass(frozen=True, slots=True)
class Token:
    """A registration token (``v1EdgeToken``); ``value`` is the secret the hosts present."""

    uid: str
    name: str
    value: Secret | None
    active: bool
    expiry: datetime | None = None
    project: Project | None = None  # the token's default project

    def expired(self, now: datetime) -> bool:
        return self.expiry is not None and self.expiry <= now


@dataclass(frozen=True, slots=True)
class EdgeHost:
    """An edge host (``v1EdgeHostsMetadata``), normalised for the fleet's status.

    ``last_heartbeat`` is ``metadata.lastModifiedTimestamp``: the API has no heartbeat field, and
    every health report of the host's agent (``PATCH /v1/edgehosts/{uid}/health``) changes the
    object, so this is the last time Palette heard from or about the host. A host that never
    reported its health (pre-registered, not booted yet) has none.
    """

    uid: str
    name: str
    state: str = ""  # ready, unpaired, in-use
    health: Health | None = None
    health_message: str = ""
    last_heartbeat: datetime | None = None
    clusters: tuple[str, ...] = ()
    project: Project | None = None
    tags: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
