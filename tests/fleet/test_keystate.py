"""Key lifetimes: each state from the journal, the devices and the API; in `fleet status`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from palette_tailscale.fleet.keyhistory import KeyHistory, WrittenKey, histories
from palette_tailscale.fleet.keystate import HostKey, host_keys, key_state, span
from palette_tailscale.tailnet.base import KeyInfo
from tests.fakes.tailnet_server import FakeTailnet
from tests.tables import parse

from .fieldkit import NAMES, fleet, in_days, key_of, set_expiry, workdir

__all__ = ["fleet", "workdir"]  # fixtures

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def _key(days: float, key_id: str = "kA") -> WrittenKey:
    return WrittenKey(key_id, NOW + timedelta(days=days), {})


def _info(**fields: object) -> KeyInfo:
    return KeyInfo(id="kA", **fields)  # type: ignore[arg-type]


LATER = NOW + timedelta(days=5)
CASES = [
    pytest.param(_key(5), {}, "valid", id="valid"),
    pytest.param(_key(1), {}, "expiring", id="expiring-under-2d"),
    pytest.param(_key(1), {"expiring": timedelta(hours=12)}, "valid", id="threshold-12h"),
    pytest.param(_key(2), {}, "valid", id="exactly-2d-is-valid"),
    pytest.param(_key(-1), {}, "expired", id="expired"),
    pytest.param(_key(5), {"revoked": True}, "revoked", id="revoked-in-journal"),
    pytest.param(_key(-1), {"joined": True}, "used", id="joined-means-used"),
    pytest.param(_key(5), {"api": None}, "revoked", id="api-does-not-know-it"),
    pytest.param(_key(5), {"api": _info(revoked=True, expires=LATER)}, "revoked", id="api-revoked"),
    pytest.param(_key(5), {"api": _info(used=True, expires=LATER)}, "used", id="headscale-used"),
    pytest.param(
        _key(5), {"api": _info(invalid=True, expires=LATER)}, "used", id="tailscale-invalid-live"
    ),
    pytest.param(
        _key(5), {"api": _info(invalid=True, expires=NOW)}, "revoked", id="headscale-cut-short"
    ),
    pytest.param(
        _key(-1),
        {"api": _info(invalid=True, expires=NOW - timedelta(days=1))},
        "expired",
        id="api-expired",
    ),
    pytest.param(_key(5), {"api": _info(expires=LATER)}, "valid", id="api-has-nothing-against"),
]


@pytest.mark.parametrize(("key", "evidence", "state"), CASES)
def test_key_state(key: WrittenKey, evidence: dict[str, object], state: str) -> None:
    history = KeyHistory([key], {"kA"} if evidence.pop("revoked", False) else set())
    kwargs: dict[str, object] = dict(evidence)
    if "api" in kwargs:
        kwargs["api_checked"] = True
    assert key_state(key, history, NOW, **kwargs) == state  # type: ignore[arg-type]


def test_histories_follow_rotation_and_revocation() -> None:
    records = [
        {"event": "intent", "host": "a", "description": "pt x a"},
        {"event": "written", "host": "a", "key_id": "k1", "expires": "2026-12-01T00:00:00Z",
         "files": {"user-data": "u1", "iso": "i1"}},
        {"event": "written", "host": "a", "key_id": "k2", "expires": "2026-12-05T10:00:00.500000Z",
         "files": {"user-data": "u2", "iso": "i2"}},
        {"event": "revoked", "host": "a", "key_id": "k1"},
        {"event": "written", "host": "b", "key_id": "k3", "expires": "2026-12-02T00:00:00Z",
         "files": {}},
        {"event": "revoked", "host": "b", "key_id": "k3"},
    ]  # fmt: skip
    found = histories(records)
    a = found["a"]
    assert a.current is not None and a.current.key_id == "k2"
    assert a.current.expires == datetime(2026, 12, 5, 10, 0, 0, 500000, tzinfo=timezone.utc)
    assert a.revoked == {"k1"}
    assert a.by_digest("user-data", "u1") is a.written[0]
    assert a.by_digest("iso", "nope") is None
    keys = host_keys(["a", "b", "c"], found, NOW)
    assert {name: k.state for name, k in keys.items()} == {"a": "valid", "b": "revoked"}


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(days=6, hours=23), "valid (6d)"),
        (timedelta(hours=20, minutes=59), "expiring (20h)"),
        (timedelta(minutes=45), "expiring (45m)"),
        (timedelta(days=-2, hours=-1), "expired (2d ago)"),
    ],
)
def test_describe(left: timedelta, text: str) -> None:
    state = text.split()[0]
    key = HostKey("h", "kA", NOW + left, state, left)  # type: ignore[arg-type]
    assert key.describe() == text
    assert span(timedelta(seconds=-5)) == "0s"


# --- fleet status against the local fake API ----------------------------------------------------


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["fleet", "status", "--format", "json", "--exit-zero", *args]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, dict)
    return data


def _states(data: dict[str, object]) -> dict[str, str | None]:
    hosts = data["hosts"]
    assert isinstance(hosts, list)
    return {h["name"]: h["key"] and h["key"]["state"] for h in hosts}


def test_status_each_key_state_from_journal_and_devices(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _states(_json(capsys)) == dict.fromkeys(NAMES, "valid")
    fleet.state.add_device("edge-1", online=True, tags=["tag:edge"])
    soon = in_days(1)
    set_expiry("edge-2", soon)
    set_expiry("edge-3", in_days(-2))
    data = _json(capsys)
    assert _states(data) == {"edge-1": "used", "edge-2": "expiring", "edge-3": "expired"}
    assert data["keys"] == {"valid": 0, "expiring": 1, "expired": 1, "revoked": 0, "used": 1}
    hosts = data["hosts"]
    assert isinstance(hosts, list)
    edge2 = key_of(fleet, "edge-2")
    assert hosts[1]["key"] == {
        "id": edge2.id,
        "expires": soon.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "state": "expiring",
    }
    assert main(["fleet", "status", "--exit-zero"]) == 0
    table = capsys.readouterr().out.splitlines()
    header, rows = parse(table)
    assert header[-1] == "KEY"
    cells = {row[0]: row[-1] for row in rows}
    assert cells == {"edge-1": "used", "edge-2": "expiring (23h)", "edge-3": "expired (2d ago)"}
    assert table[-1] == "keys: 0 valid, 1 expiring, 1 expired, 0 revoked, 1 used"
    # revoke-unused revokes the live key of a host that never joined: the journal says revoked
    assert main(["fleet", "revoke-unused", "--yes", "--only", "edge-2"]) == 0
    capsys.readouterr()
    assert _states(_json(capsys))["edge-2"] == "revoked"


def test_check_keys_asks_the_api_read_only(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    key_of(fleet, "edge-1").revoked = datetime.now(timezone.utc)  # revoked in the console
    key_of(fleet, "edge-2").used = True  # used by a machine that called itself something else
    assert _states(_json(capsys)) == dict.fromkeys(NAMES, "valid")  # the journal alone
    fleet.requests.clear()
    data = _json(capsys, "--check-keys")
    assert _states(data) == {"edge-1": "revoked", "edge-2": "used", "edge-3": "valid"}
    key_calls = [(r.method, r.path) for r in fleet.requests if "/keys" in r.path]
    assert len(key_calls) == 3
    assert {method for method, _ in key_calls} == {"GET"}


def test_check_keys_on_headscale_sees_an_expired_early_key_as_revoked(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTailnet(mode="headscale") as fake:
        monkeypatch.setenv("HEADSCALE_API_KEY", fake.api_key)
        monkeypatch.setenv("HEADSCALE_URL", fake.url)
        assert main(["fleet", "provision", "--provider", "headscale"]) == 0
        capsys.readouterr()
        fake.state.keys[key_of(fake, "edge-3").id].expires = datetime.now(timezone.utc)
        key_of(fake, "edge-2").used = True
        data = _json(capsys, "--provider", "headscale", "--check-keys")
        assert _states(data) == {"edge-1": "valid", "edge-2": "used", "edge-3": "revoked"}


def test_state_filters_are_repeatable_and_the_summary_stays_whole(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet.state.add_device("edge-1", online=False, tags=["tag:edge"])
    set_expiry("edge-2", in_days(1))
    set_expiry("edge-3", in_days(-2))
    data = _json(capsys, "--state", "expired", "--state", "offline")
    assert _states(data) == {"edge-1": "used", "edge-3": "expired"}
    assert data["selected"] == ["expired", "offline"]
    assert data["summary"] == {
        "online": 0,
        "offline": 1,
        "missing": 2,
        "duplicated": 0,
        "unexpected": 0,
    }
    assert main(["fleet", "status", "--state", "expiring"]) == 1  # still the fleet's health
    out = capsys.readouterr().out.splitlines()
    assert [row[0] for row in parse(out)[1]] == ["edge-2"]
    assert out[3] == ""
    assert out[-1] == "1 host shown (--state expiring)"
    assert _states(_json(capsys, "--state", "missing", "--state", "revoked")) == {
        "edge-2": "expiring",
        "edge-3": "expired",
    }


def test_expiring_threshold(fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]) -> None:
    set_expiry("edge-2", in_days(1))
    assert _states(_json(capsys, "--expiring", "12h"))["edge-2"] == "valid"
    assert _states(_json(capsys, "--expiring", "3d")) == {
        "edge-1": "valid",
        "edge-2": "expiring",
        "edge-3": "valid",
    }
    assert _states(_json(capsys, "--expiring", "8d"))["edge-1"] == "expiring"
    assert main(["fleet", "status", "--expiring", "2 days"]) == 2
    assert "is not a duration like 30m, 12h or 7d" in capsys.readouterr().err


def test_no_journal_means_no_key_column(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTailnet() as fake:
        monkeypatch.setenv("TAILSCALE_API_KEY", fake.api_key)
        monkeypatch.setenv("TAILSCALE_BASE_URL", fake.url)
        data = _json(capsys)
        assert "keys" not in data
        hosts = data["hosts"]
        assert isinstance(hosts, list)
        assert all("key" not in h for h in hosts)
