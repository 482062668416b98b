"""An in-memory tailnet for provisioning tests: keys and devices, with hooks to fail or die."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from palette_tailscale.errors import PaletteTailscaleError
from palette_tailscale.secrets import Secret
from palette_tailscale.tailnet.base import CreatedKey, Device, KeyInfo, KeyRequest

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


class Crash(BaseException):
    """The process died here (nothing after it may happen)."""


class ApiFailure(PaletteTailscaleError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MemoryTailnet:
    """A Backend keeping keys and devices in dicts."""

    kind = "tailscale"

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now
        self.keys: dict[str, KeyInfo] = {}
        self.secrets: dict[str, str] = {}
        self.devices: list[Device] = []
        self.calls: list[str] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        # Hooks: called with the operation name before (and "create_key:after" after) it runs.
        self.hook: Callable[[str], None] | None = None

    def _call(self, name: str) -> None:
        with self._lock:
            self.calls.append(name)
        if self.hook is not None:
            self.hook(name)

    def create_key(self, request: KeyRequest) -> CreatedKey:
        self._call("create_key")
        with self._lock:
            key_id = f"k{next(self._ids):04d}CNTRL"
            info = KeyInfo(
                id=key_id,
                description=request.description,
                created=self.now,
                expires=self.now + timedelta(seconds=request.expiry_seconds),
                reusable=request.reusable,
                ephemeral=request.ephemeral,
                preauthorized=request.preauthorized,
                tags=request.tags,
            )
            self.keys[key_id] = info
            self.secrets[key_id] = f"tskey-auth-{key_id}-secret{key_id[1:5]}"
        self._call("create_key:after")
        return CreatedKey(info, Secret(self.secrets[key_id], "memory"))

    def list_keys(self) -> Sequence[KeyInfo]:
        self._call("list_keys")
        return list(self.keys.values())

    def get_key(self, key_id: str) -> KeyInfo:
        self._call("get_key")
        if key_id not in self.keys:
            raise ApiFailure(f"no key {key_id}", 404)
        return self.keys[key_id]

    def revoke_key(self, key_id: str) -> None:
        self._call("revoke_key")
        if key_id not in self.keys:
            raise ApiFailure(f"no key {key_id}", 404)
        self.keys[key_id] = replace(self.keys[key_id], revoked=True, invalid=True)

    def list_devices(self) -> Sequence[Device]:
        self._call("list_devices")
        return list(self.devices)

    def get_device(self, device_id: str) -> Device:
        raise NotImplementedError

    def delete_device(self, device_id: str) -> None:
        raise NotImplementedError

    def rename_device(self, device_id: str, name: str) -> None:
        raise NotImplementedError

    def set_device_tags(self, device_id: str, tags: Sequence[str]) -> None:
        raise NotImplementedError

    def authorize_device(self, device_id: str, authorized: bool = True) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    # -- test helpers

    def live_keys(self) -> list[KeyInfo]:
        return [
            k
            for k in self.keys.values()
            if not k.revoked and (k.expires is None or k.expires > self.now)
        ]

    def live_by_description_host(self) -> dict[str, list[KeyInfo]]:
        found: dict[str, list[KeyInfo]] = {}
        for key in self.live_keys():
            found.setdefault(key.description.split(" ", 2)[-1], []).append(key)
        return found
