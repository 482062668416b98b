"""Making a journal whole again: retire every key a host minted but does not carry.

Run at the start of ``fleet provision`` (after a killed run) and at its end (after a key creation
whose outcome the API could not confirm).
"""

from __future__ import annotations

from ..errors import PaletteTailscaleError
from ..tailnet.base import Backend
from .journal import Journal, fold


def recover(journal: Journal, backend: Backend) -> list[str]:
    """Revoke orphaned keys (lost secrets, superseded keys); the key ids revoked."""
    states = fold(journal.records)
    revoked: list[str] = []
    intents = {d: host for host, state in states.items() for d in state.open_intents}
    if intents:
        for key in backend.list_keys():
            host = intents.get(key.description)
            if host is not None and not key.revoked:
                revoke(journal, backend, host, key.id, reason="secret lost")
                revoked.append(key.id)
        for description, host in intents.items():
            journal.append("intent-cleared", host, description=description)
    for host, state in fold(journal.records).items():
        for key_id in state.orphans():
            revoke(journal, backend, host, key_id, reason="orphaned")
            revoked.append(key_id)
    return revoked


def revoke(journal: Journal, backend: Backend, host: str, key_id: str, *, reason: str) -> None:
    """Revoke a key and record it; a key the server no longer knows counts as revoked."""
    try:
        backend.revoke_key(key_id)
    except PaletteTailscaleError as exc:
        if getattr(exc, "status", None) != 404:
            raise
    journal.append("revoked", host, key_id=key_id, reason=reason)
