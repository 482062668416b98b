"""``fleet inspect``: which host a stick (or ISO, or user-data file) is for, and whether it works.

A medium is *usable* when nothing below finds a problem:

* the ISO is well formed: volume ``cidata`` holding ``user-data`` and ``meta-data``;
* the user-data names its host (``stylus.site.name``) and passes lint (kind ``site``);
* its key is not the placeholder ``fleet render`` writes without a key;
* with the journal: the medium is the host's current one (an older stick carries a key that
  was replaced), and that key has neither expired nor been revoked;
* with the API (read-only): the key was not used or revoked meanwhile.

The key itself is never part of the result; :func:`secret_values` gives it to the caller only
so that output can be scrubbed of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from ..errors import InputError, PaletteTailscaleError
from ..lint import Problem, lint_text
from ..secrets import redact
from ..tailnet.base import Backend
from .keyhistory import KeyHistory
from .keystate import DEFAULT_EXPIRING, HostKey, ask_api, key_state
from .medium import VOLUME_ID, Medium
from .model import FleetHost
from .render import PLACEHOLDER_KEY
from .sitedata import SiteData, read_site_data

KeyPresence = Literal["present", "placeholder", "none"]
Match = Literal["current", "superseded", "unknown", "no-record"]


@dataclass(frozen=True, slots=True)
class JournalView:
    """What the journal says of the medium's host and of the key the medium carries."""

    match: Match
    key: HostKey | None  # the medium's key (current or superseded), with its state
    current_key_id: str | None  # the key the host's files carry now


@dataclass(frozen=True, slots=True)
class Inspection:
    medium: Medium
    site: SiteData
    key: KeyPresence
    journal: JournalView | None  # None: no journal to compare with
    api: str  # what the API said of the key, or why it was not asked
    lint: tuple[Problem, ...]
    problems: tuple[str, ...]  # why the medium is unusable; empty when usable
    notes: tuple[str, ...] = ()
    listed: FleetHost | None = None  # the host in the inventory, when one was given

    @property
    def usable(self) -> bool:
        return not self.problems


def inspect_medium(
    medium: Medium,
    found: Mapping[str, KeyHistory] | None,
    now: datetime,
    *,
    expiring: timedelta = DEFAULT_EXPIRING,
    backend: Backend | None = None,
    inventory: Mapping[str, FleetHost] | None = None,
) -> Inspection:
    """Judge a medium; raises :class:`InputError` when its user-data cannot be read.

    ``found`` is the journal's key histories, ``backend`` the API to ask about the key and
    ``inventory`` the config's hosts by name; each is optional.
    """
    problems = _iso_problems(medium)
    site = _site(medium)
    key = _presence(site)
    if medium.user_data is not None and not site.name:
        problems.append("the user-data names no host (stylus.site.name)")
    if key == "placeholder":
        problems.append("the key is the placeholder `fleet render` writes: run `fleet provision`")
    lint = _lint(medium)
    errors = sum(1 for p in lint if p.level == "error")
    if errors:
        problems.append(f"the user-data fails lint: {errors} error{'s' if errors != 1 else ''}")
    journal = _journal(medium, site, found, now, expiring)
    api, journal = _api(journal, found, site, now, expiring, backend)
    problems.extend(_key_problems(journal))
    notes = _notes(journal)
    listed = inventory.get(site.name) if inventory is not None and site.name else None
    if inventory is not None and site.name and listed is None:
        notes += (f"{site.name} is not in the config's inventory",)
    return Inspection(medium, site, key, journal, api, lint, tuple(problems), notes, listed)


def secret_values(inspection: Inspection) -> tuple[str, ...]:
    """The key the medium holds, so that output can be checked free of it."""
    key = inspection.site.key
    return (key.reveal(),) if key is not None else ()


def _iso_problems(medium: Medium) -> list[str]:
    iso = medium.iso
    if iso is None:
        return []
    problems = []
    if iso.volume != VOLUME_ID:
        problems.append(f"the volume label is {iso.volume!r}, not {VOLUME_ID!r}")
    if not iso.has_user_data:
        problems.append("the ISO holds no user-data file")
    if not iso.has_meta_data:
        problems.append("the ISO holds no meta-data file")
    return problems


def _text(medium: Medium) -> str | None:
    if medium.user_data is None:
        return None
    try:
        return medium.user_data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{medium.path}: the user-data is not UTF-8 text") from None


def _site(medium: Medium) -> SiteData:
    text = _text(medium)
    if text is None:
        return SiteData(None, None, None, (), None, (), None)
    return read_site_data(text, medium.path)


def _presence(site: SiteData) -> KeyPresence:
    if site.key is None:
        return "none"
    return "placeholder" if site.key.reveal() == PLACEHOLDER_KEY else "present"


def _lint(medium: Medium) -> tuple[Problem, ...]:
    text = _text(medium)
    return () if text is None else tuple(lint_text(text, medium.path, kind="site"))


def _journal(
    medium: Medium,
    site: SiteData,
    found: Mapping[str, KeyHistory] | None,
    now: datetime,
    expiring: timedelta,
) -> JournalView | None:
    if found is None or not site.name or medium.user_data is None:
        return None
    history = found.get(site.name)
    if history is None or history.current is None:
        return JournalView("no-record", None, None)
    current = history.current
    written = history.by_digest("user-data", hashlib.sha256(medium.user_data).hexdigest())
    if written is None:
        return JournalView("unknown", None, current.key_id)
    match: Match = "current" if written is current else "superseded"
    state = key_state(written, history, now, expiring=expiring)
    key = HostKey(site.name, written.key_id, written.expires, state, written.expires - now)
    return JournalView(match, key, current.key_id)


def _api(
    journal: JournalView | None,
    found: Mapping[str, KeyHistory] | None,
    site: SiteData,
    now: datetime,
    expiring: timedelta,
    backend: Backend | None,
) -> tuple[str, JournalView | None]:
    """Ask the API about the medium's key; the journal view with the state it implies."""
    if backend is None:
        return "not checked: no API credentials (or --offline)", journal
    if journal is None or journal.key is None or found is None or not site.name:
        return "not checked: the journal gives no key id for this medium", journal
    key = journal.key
    try:
        answer = ask_api(backend, [key.key_id])
    except PaletteTailscaleError as exc:
        return f"not checked: {redact(str(exc))}", journal
    history = found[site.name]
    written = next(w for w in history.written if w.key_id == key.key_id)
    info = answer[key.key_id]
    state = key_state(written, history, now, expiring=expiring, api=info, api_checked=True)
    said = "it does not know the key" if info is None else f"the key is {state}"
    return f"asked the API: {said}", replace(journal, key=replace(key, state=state))


def _key_problems(journal: JournalView | None) -> list[str]:
    if journal is None:
        return []
    problems = []
    if journal.match == "superseded":
        problems.append(
            f"an older stick: the host's files now carry key {journal.current_key_id}; "
            "write the current ISO to it"
        )
    key = journal.key
    if key is not None and key.state == "used":
        problems.append(
            f"its key {key.key_id} was used: the host joined, or another machine used it"
        )
    elif key is not None and key.state in ("expired", "revoked"):
        problems.append(f"its key {key.key_id} is {key.describe()}")
    return problems


def _notes(journal: JournalView | None) -> tuple[str, ...]:
    if journal is None:
        return ()
    if journal.match == "no-record":
        return ("the journal has no key for this host",)
    if journal.match == "unknown":
        return (
            "the journal never recorded this user-data for the host "
            f"(its files carry key {journal.current_key_id})",
        )
    return ()
