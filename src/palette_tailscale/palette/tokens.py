"""Is the configured registration token one a host can register with, in the right project?

A token passes when it is one of the tenant's registration tokens, is active, has not expired,
and its default project is the configured one (by UID, or by name when only a name is known).
Hosts present the token at their first boot, long after the ISO was built; a bad token found
then costs a trip to every site, so ``render``, ``fleet render``, ``fleet provision`` and
``build`` ask before they write anything. The token's value is matched, never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..errors import InputError
from ..secrets import Secret
from ..tailnet.redaction import register
from ..times import utc_text
from .client import PaletteClient
from .model import Project, Token


class TokenRejected(InputError):
    """The configured registration token cannot register hosts (exit 2); the reason says why."""


@dataclass(frozen=True, slots=True)
class TokenVerdict:
    """A token that passed, for the caller to report (never its value)."""

    token: Token
    project: Project | None

    def describe(self) -> str:
        project = self.token.project
        where = f"project {project.name or project.uid}" if project else "no default project"
        until = _day(self.token.expiry) if self.token.expiry else "never"
        label = self.token.name or self.token.uid
        return f"registration token {label}: active, {where}, expires {until}"


def _day(when: datetime) -> str:
    return utc_text(when)


def judge_token(
    tokens: Sequence[Token], value: Secret, project: Project | None, now: datetime
) -> TokenVerdict:
    """The verdict on ``value`` among ``tokens``; raises :class:`TokenRejected` with the reason."""
    found = next((t for t in tokens if t.value is not None and t.value == value), None)
    if found is None:
        raise TokenRejected(
            f"the registration token ({value.source}) is not one of the tenant's "
            f"{len(tokens)} registration tokens",
            hint="create one with `palette-tailscale palette tokens create`, or fix the reference",
        )
    label = f"registration token {found.name or found.uid}"
    if not found.active:
        raise TokenRejected(f"{label} is not active", hint="activate it in Palette or use another")
    if found.expired(now):
        assert found.expiry is not None
        raise TokenRejected(f"{label} expired at {_day(found.expiry)}")
    if project is not None and not _same_project(found.project, project):
        has = found.project.name or found.project.uid if found.project else "no default project"
        wanted = project.name or project.uid
        raise TokenRejected(
            f"{label} belongs to project {has}, not to the configured project {wanted}",
            hint="use a token of that project, or correct palette.project / palette.project_uid",
        )
    return TokenVerdict(found, project)


def _same_project(have: Project | None, wanted: Project) -> bool:
    if have is None:
        return False
    if wanted.uid and have.uid:
        return have.uid == wanted.uid
    return bool(wanted.name) and have.name == wanted.name


def check_token(client: PaletteClient, value: Secret, now: datetime) -> TokenVerdict:
    """Read the tenant's tokens and the configured project, then :func:`judge_token`."""
    register(value)  # scrubbed from any server message that might echo it
    tokens = client.list_tokens()
    return judge_token(tokens, value, client.project(), now)
