"""The one interface both tailnet backends (Tailscale API v2, Headscale REST v1) implement.

Records are frozen dataclasses; a key's secret is a :class:`~palette_tailscale.secrets.Secret`
and is only present on the record returned by ``create_key``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..secrets import Secret


@dataclass(frozen=True, slots=True)
class KeyRequest:
    """What to mint. ``expiry_seconds`` > 0; ``description`` at most 50 of [A-Za-z0-9 -]."""

    reusable: bool = False
    ephemeral: bool = False
    preauthorized: bool = True
    tags: tuple[str, ...] = ()
    expiry_seconds: int = 7 * 86400
    description: str = ""


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """An auth key's metadata, never its secret."""

    id: str
    description: str = ""
    created: datetime | None = None
    expires: datetime | None = None
    revoked: bool = False
    invalid: bool = False  # revoked, expired or used up
    reusable: bool = False
    ephemeral: bool = False
    preauthorized: bool = False
    used: bool = False
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A freshly minted key: metadata plus the secret (only ever returned at creation)."""

    info: KeyInfo
    key: Secret


@dataclass(frozen=True, slots=True)
class Device:
    """A tailnet device (Tailscale) or node (Headscale), normalised."""

    id: str  # Tailscale nodeId / Headscale node id
    hostname: str  # what the client reported (OS hostname or --hostname)
    name: str = ""  # MagicDNS name (Tailscale FQDN) / Headscale givenName
    tags: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    os: str = ""
    client_version: str = ""
    created: datetime | None = None
    last_seen: datetime | None = None
    online: bool | None = None  # connectedToControl / online; None when unknown
    expires: datetime | None = None
    key_expiry_disabled: bool = False
    authorized: bool = True
    multiple_connections: bool = False
    is_external: bool = False
    user: str = ""
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


class Backend(Protocol):
    """Operations on one tailnet. Every method raises ``TailnetError`` subclasses on failure."""

    kind: str  # "tailscale" or "headscale"

    def create_key(self, request: KeyRequest) -> CreatedKey: ...

    def list_keys(self) -> Sequence[KeyInfo]: ...

    def get_key(self, key_id: str) -> KeyInfo: ...

    def revoke_key(self, key_id: str) -> None: ...

    def list_devices(self) -> Sequence[Device]: ...

    def get_device(self, device_id: str) -> Device: ...

    def delete_device(self, device_id: str) -> None: ...

    def rename_device(self, device_id: str, name: str) -> None: ...

    def set_device_tags(self, device_id: str, tags: Sequence[str]) -> None: ...

    def authorize_device(self, device_id: str, authorized: bool = True) -> None: ...

    def close(self) -> None: ...
