"""The registration token check: valid, expired, wrong project, unknown, inactive."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from palette_tailscale.palette import Project, Token, TokenRejected, check_token, judge_token
from palette_tailscale.secrets import Secret

from .conftest import Env, open_env

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
DEFAULT = Project("p-default", "Default")
RETAIL = Project("p-retail", "Retail")


def _token(value: str, **fields: object) -> Token:
    values: dict[str, object] = {
        "uid": f"uid-{value}",
        "name": value.upper(),  # never the value itself
        "value": Secret(value, "Palette"),
        "active": True,
        "expiry": NOW + timedelta(days=1),
        "project": DEFAULT,
    }
    values.update(fields)
    return Token(**values)  # type: ignore[arg-type]


TOKENS = [
    _token("good-token-1"),
    _token("old-token-2", expiry=NOW - timedelta(seconds=1)),
    _token("retail-token-3", project=RETAIL),
    _token("off-token-4", active=False),
    _token("orphan-token-5", project=None),
    _token("forever-token-6", expiry=None),
]


@pytest.mark.parametrize(
    ("value", "project", "problem"),
    [
        ("good-token-1", DEFAULT, None),
        ("good-token-1", Project("p-default", ""), None),  # a UID alone
        ("good-token-1", Project("", "Default"), None),  # a name alone
        ("good-token-1", None, None),  # no project configured: nothing to compare
        ("forever-token-6", DEFAULT, None),
        ("old-token-2", DEFAULT, "OLD-TOKEN-2 expired at 2026-11-28T11:59:59Z"),
        ("retail-token-3", DEFAULT, "belongs to project Retail, not to the configured project"),
        ("good-token-1", RETAIL, "belongs to project Default, not to the configured project"),
        ("orphan-token-5", DEFAULT, "belongs to project no default project"),
        ("off-token-4", DEFAULT, "OFF-TOKEN-4 is not active"),
        ("unknown-token", DEFAULT, "is not one of the tenant's 6 registration tokens"),
    ],
)
def test_judge_token(value: str, project: Project | None, problem: str | None) -> None:
    secret = Secret(value, "environment variable PALETTE_REGISTRATION_TOKEN")
    if problem is None:
        verdict = judge_token(TOKENS, secret, project, NOW)
        assert verdict.token.value == secret
        assert value not in verdict.describe()
        return
    with pytest.raises(TokenRejected, match=problem) as info:
        judge_token(TOKENS, secret, project, NOW)
    assert info.value.exit_code == 2
    assert value not in str(info.value)


def test_the_expiry_instant_itself_is_expired() -> None:
    token = _token("edge-token-7", expiry=NOW)
    with pytest.raises(TokenRejected, match="expired"):
        judge_token([token], Secret("edge-token-7", "x"), DEFAULT, NOW)


def test_check_token_against_the_fake(pal: Env) -> None:
    retail = pal.fake.state.add_project("Retail")
    good = pal.fake.state.add_token("stores", pal.fake.default_project)
    other = pal.fake.state.add_token("retail", retail)
    now = datetime.now(timezone.utc)
    verdict = check_token(pal.client, Secret(good.value, "env"), now)
    assert verdict.describe().startswith("registration token stores: active, project Default")
    with pytest.raises(TokenRejected, match="belongs to project Retail"):
        check_token(pal.client, Secret(other.value, "env"), now)
    as_retail = open_env(pal.fake, project="Retail")
    assert check_token(as_retail.client, Secret(other.value, "env"), now).token.uid == other.uid
