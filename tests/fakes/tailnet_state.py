"""State of the fake tailnet: keys (with their secrets) and devices, shared by both APIs."""

from __future__ import annotations

import secrets as _secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(when: datetime | None) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


@dataclass
class FakeKey:
    id: str
    key: str
    description: str = ""
    reusable: bool = False
    ephemeral: bool = False
    preauthorized: bool = False
    tags: list[str] = field(default_factory=list)
    created: datetime = field(default_factory=now)
    expires: datetime | None = None
    revoked: datetime | None = None
    used: bool = False
    user: str = "1"

    @property
    def invalid(self) -> bool:
        expired = self.expires is not None and self.expires <= now()
        return self.revoked is not None or expired or (self.used and not self.reusable)


@dataclass
class FakeDevice:
    id: str
    hostname: str
    name: str = ""
    tags: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    os: str = "linux"
    created: datetime | None = field(default_factory=now)
    last_seen: datetime | None = None
    online: bool = False
    expires: datetime | None = None
    key_expiry_disabled: bool = False
    authorized: bool = True
    multiple_connections: bool = False
    is_external: bool = False
    user: str = "edge@example.com"
    routes: list[str] = field(default_factory=list)


class TailnetState:
    """Not thread-safe by itself: the server holds its lock around every use."""

    def __init__(self, tailnet_domain: str = "tail1234.ts.net") -> None:
        self.domain = tailnet_domain
        self.keys: dict[str, FakeKey] = {}
        self.devices: dict[str, FakeDevice] = {}
        self.users: dict[str, str] = {"1": "edge"}  # Headscale users: id -> name
        self._next = 1

    def next_number(self) -> int:
        self._next += 1
        return self._next

    def new_key(self, key_id: str, secret: str, **fields: Any) -> FakeKey:
        key = FakeKey(id=key_id, key=secret, **fields)
        self.keys[key_id] = key
        return key

    def add_device(
        self, hostname: str, *, device_id: str | None = None, **fields: Any
    ) -> FakeDevice:
        number = self.next_number()
        device_id = device_id or f"n{number}CNTRL"
        fields.setdefault("name", f"{hostname}.{self.domain}")
        fields.setdefault("addresses", [f"100.64.0.{number % 250 + 1}"])
        device = FakeDevice(id=device_id, hostname=hostname, **fields)
        self.devices[device_id] = device
        return device


def random_hex(n: int) -> str:
    return _secrets.token_hex(n // 2)
