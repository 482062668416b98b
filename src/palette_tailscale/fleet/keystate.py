"""Where each host's key stands: valid, expiring, expired, revoked or used.

The journal knows, per host, every key written into its files (id, expiry, file digests) and
every key revoked; the tailnet knows which hosts joined, and (on request) what the API says of a
key. A host's key is, in this order of evidence:

* ``used``: the host joined (a device carries its hostname), or the API says the key was used;
* ``revoked``: the journal recorded its revocation, the API says so, the API no longer knows
  it, or its expiry moved earlier (Headscale revokes a key by expiring it now);
* ``expired``: its expiry has passed;
* ``expiring``: it expires within the threshold (``fleet status --expiring``, default 2 days);
* ``valid``: otherwise.

A host the journal has no key for (``fleet render`` output, or never provisioned) has no key
state. These records are joined into ``fleet status`` rows (:class:`KeyColumns`) and drive
``fleet provision --rotate --state``, ``fleet manifest`` and ``fleet inspect``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from ..tailnet.base import Backend, KeyInfo
from ..times import utc_text
from .keyhistory import KeyHistory, WrittenKey
from .status import FleetStatus

KeyState = Literal["valid", "expiring", "expired", "revoked", "used"]
KEY_STATES: Final[tuple[KeyState, ...]] = ("valid", "expiring", "expired", "revoked", "used")
DEFAULT_EXPIRING: Final = timedelta(days=2)
# Headscale revokes by setting the expiry to "now": an expiry this much earlier than the one the
# key was minted with means it was cut short, not that it ran out.
_CUT_SHORT: Final = timedelta(minutes=1)

# What the API said of a key: its record, or None when the API does not know it (404).
ApiKeys = Mapping[str, "KeyInfo | None"]


@dataclass(frozen=True, slots=True)
class HostKey:
    """One host's current key and its state; never the key itself."""

    host: str
    key_id: str
    expires: datetime
    state: KeyState
    left: timedelta  # until expiry (negative once expired)

    def describe(self) -> str:
        """``valid (6d)``, ``expiring (20h)``, ``expired (2d ago)``, ``revoked``, ``used``."""
        if self.state in ("valid", "expiring"):
            return f"{self.state} ({span(self.left)})"
        if self.state == "expired":
            return f"expired ({span(-self.left)} ago)"
        return self.state

    def as_json(self) -> dict[str, str]:
        return {"id": self.key_id, "expires": utc_text(self.expires), "state": self.state}


def span(delta: timedelta) -> str:
    """A short, rounded-down duration: ``6d``, ``20h``, ``45m``."""
    seconds = max(0, int(delta.total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def key_state(
    key: WrittenKey,
    history: KeyHistory,
    now: datetime,
    *,
    joined: bool = False,
    expiring: timedelta = DEFAULT_EXPIRING,
    api: KeyInfo | None = None,
    api_checked: bool = False,
) -> KeyState:
    """The state of ``key`` (one of ``history``'s) from the evidence at hand; see the module."""
    if joined:
        return "used"
    if api_checked:
        from_api = _api_state(key, api, now)
        if from_api is not None:
            return from_api
    if key.key_id in history.revoked:
        return "revoked"
    if key.expires <= now:
        return "expired"
    return "expiring" if key.expires - now < expiring else "valid"


def _api_state(key: WrittenKey, info: KeyInfo | None, now: datetime) -> KeyState | None:
    if info is None or info.revoked:
        return "revoked"
    if info.used:
        return "used"
    if info.expires is not None and info.expires < key.expires - _CUT_SHORT:
        return "revoked"
    expired = (info.expires or key.expires) <= now
    if info.invalid and not expired:
        return "used"  # Tailscale: a single-use key that is invalid but neither revoked nor expired
    return None


def host_keys(
    names: Iterable[str],
    found: Mapping[str, KeyHistory],
    now: datetime,
    *,
    joined: frozenset[str] = frozenset(),
    expiring: timedelta = DEFAULT_EXPIRING,
    api: ApiKeys | None = None,
) -> dict[str, HostKey]:
    """The current key of every named host the journal knows, with its state."""
    keys: dict[str, HostKey] = {}
    for name in names:
        history = found.get(name)
        current = history.current if history else None
        if history is None or current is None:
            continue
        checked = api is not None and current.key_id in api
        state = key_state(
            current,
            history,
            now,
            joined=name in joined,
            expiring=expiring,
            api=api.get(current.key_id) if api is not None else None,
            api_checked=checked,
        )
        keys[name] = HostKey(name, current.key_id, current.expires, state, current.expires - now)
    return keys


def status_keys(
    status: FleetStatus,
    found: Mapping[str, KeyHistory],
    *,
    expiring: timedelta = DEFAULT_EXPIRING,
    backend: Backend | None = None,
) -> dict[str, HostKey]:
    """Every host's key state at ``status.checked_at``: a host with a device used its key.

    With ``backend``, the API is asked (read-only) about every key the journal and the devices
    leave live, which finds keys revoked or used elsewhere.
    """
    names = [h.name for h in status.hosts]
    joined = frozenset(h.name for h in status.hosts if h.devices)
    now = status.checked_at
    keys = host_keys(names, found, now, joined=joined, expiring=expiring)
    if backend is None:
        return keys
    api = ask_api(backend, live_key_ids(keys))
    return host_keys(names, found, now, joined=joined, expiring=expiring, api=api)


def with_states(keys: Mapping[str, HostKey], wanted: Collection[str]) -> list[str]:
    """The hosts whose key is in one of the ``wanted`` states, in ``keys``' order."""
    return [name for name, key in keys.items() if key.state in wanted]


def live_key_ids(keys: Mapping[str, HostKey]) -> list[str]:
    """Keys worth asking the API about: those the journal believes valid or expiring."""
    return sorted(k.key_id for k in keys.values() if k.state in ("valid", "expiring"))


def ask_api(backend: Backend, key_ids: list[str]) -> dict[str, KeyInfo | None]:
    """What the API says of each key (read-only); None for a key it does not know (404).

    Tailscale answers one key per request (in parallel); Headscale has no per-key call, so its
    whole list is fetched once.
    """
    from ..tailnet import NotFound, run_bulk

    if not key_ids:
        return {}
    if backend.kind == "headscale":
        listed = {info.id: info for info in backend.list_keys()}
        return {key_id: listed.get(key_id) for key_id in key_ids}
    answers: dict[str, KeyInfo | None] = {}
    for outcome in run_bulk(backend.get_key, key_ids):
        if isinstance(outcome.error, NotFound):
            answers[outcome.item] = None
        else:
            answers[outcome.item] = outcome.unwrap()
    return answers


@dataclass(frozen=True, slots=True)
class KeyColumns:
    """The key states joined into ``fleet status`` rows (table cells, JSON, summary, filters).

    A key's state never makes the fleet unhealthy: the exit code stays the tailnet's (and
    Palette's) view of the hosts.
    """

    keys: Mapping[str, HostKey]
    headers: tuple[str, ...] = ("KEY",)
    healthy: bool = True

    def cells(self, host: str) -> tuple[str, ...]:
        key = self.keys.get(host)
        return (key.describe() if key else "-",)

    def fields(self, host: str) -> dict[str, Any]:
        key = self.keys.get(host)
        return {"key": key.as_json() if key else None}

    def states(self, host: str) -> frozenset[str]:
        key = self.keys.get(host)
        return frozenset({key.state}) if key else frozenset()

    def stands_out(self, host: str) -> bool:
        return False

    def sections(self, emphasise: Callable[[str], str]) -> list[str]:
        return []

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = dict.fromkeys(KEY_STATES, 0)
        for key in self.keys.values():
            counted[key.state] += 1
        return counted

    def totals(self) -> dict[str, Any]:
        return {"keys": self.counts()}

    def summary(self) -> str:
        parts = ", ".join(f"{n} {state}" for state, n in self.counts().items())
        return f"keys: {parts}"
