"""Fleet status: a pure classification of hosts against devices."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from palette_tailscale.fleet import report
from palette_tailscale.fleet.model import FleetHost
from palette_tailscale.fleet.status import classify
from palette_tailscale.tailnet.base import Device

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
HOSTS = (
    FleetHost("edge-1", "edge-1"),
    FleetHost("edge-2", "ts-edge-2"),
    FleetHost("edge-3", "edge-3"),
    FleetHost("edge-4", "edge-4"),
)


def _device(
    id_: str,
    hostname: str,
    *,
    online: bool | None = True,
    seen: int = 0,
    tags: tuple[str, ...] = (),
) -> Device:
    return Device(
        id=id_,
        hostname=hostname,
        online=online,
        last_seen=NOW - timedelta(hours=seen),
        tags=tags or ("tag:edge",),
        addresses=(f"100.64.0.{id_[1:]}",),
    )


CASES = [
    pytest.param([], {"edge-1": "missing", "edge-2": "missing"}, [], id="nothing-joined"),
    pytest.param(
        [_device("n1", "edge-1"), _device("n2", "ts-edge-2", online=False, seen=5)],
        {"edge-1": "online", "edge-2": "offline", "edge-3": "missing"},
        [],
        id="online-offline-missing",
    ),
    pytest.param(
        [_device("n1", "EDGE-1")], {"edge-1": "online"}, [], id="hostname-case-insensitive"
    ),
    pytest.param(
        [_device("n1", "edge-3"), _device("n2", "edge-3", online=False, seen=48)],
        {"edge-3": "duplicated"},
        [],
        id="duplicated",
    ),
    pytest.param(
        [_device("n1", "edge-2")],
        {"edge-2": "missing"},
        ["n1"],
        id="name-instead-of-hostname-is-unexpected",
    ),
    pytest.param(
        [_device("n7", "localhost-3"), _device("n8", "laptop", tags=("tag:office",))],
        {"edge-1": "missing"},
        ["n7"],
        id="unexpected-needs-a-fleet-tag",
    ),
    pytest.param(
        [_device("n1", "edge-1", online=None)], {"edge-1": "offline"}, [], id="online-unknown"
    ),
]


@pytest.mark.parametrize(("devices", "states", "unexpected"), CASES)
def test_classify(devices: list[Device], states: dict[str, str], unexpected: list[str]) -> None:
    status = classify(HOSTS, devices, NOW, ["tag:edge"])
    got = {h.name: h.state for h in status.hosts}
    assert {name: got[name] for name in states} == states
    assert [d.id for d in status.unexpected] == unexpected


def test_healthy_only_without_missing_or_duplicated() -> None:
    all_joined = [_device(f"n{i}", h.hostname, online=i % 2 == 0) for i, h in enumerate(HOSTS)]
    assert classify(HOSTS, all_joined, NOW).healthy
    assert not classify(HOSTS, all_joined[1:], NOW).healthy
    twice = [*all_joined, _device("n9", "edge-1")]
    assert not classify(HOSTS, twice, NOW).healthy


def test_no_fleet_tags_means_no_unexpected() -> None:
    status = classify(HOSTS, [_device("n1", "stranger")], NOW, [])
    assert status.unexpected == ()


def _sample() -> list[Device]:
    return [
        _device("n1", "edge-1"),
        _device("n2", "ts-edge-2", online=False, seen=5),
        _device("n3", "edge-3"),
        _device("n4", "edge-3", online=False, seen=30),
        _device("n5", "intruder"),
    ]


def test_table_output() -> None:
    status = classify(HOSTS, _sample(), NOW, ["tag:edge"])
    assert report.status_table(status) == (
        "HOST   | HOSTNAME  | STATE      | LAST SEEN            | ADDRESS\n"
        "-------+-----------+------------+----------------------+-----------------------\n"
        "edge-1 | edge-1    | online     | now                  | 100.64.0.1\n"
        "edge-2 | ts-edge-2 | offline    | 2026-11-28T07:00:00Z | 100.64.0.2\n"
        "edge-3 | edge-3    | duplicated | now                  | 100.64.0.3, 100.64.0.4\n"
        "edge-4 | edge-4    | missing    | -                    | -\n"
        "\n"
        "unexpected devices (fleet tags, not in the inventory):\n"
        "DEVICE | HOSTNAME | TAGS     | LAST SEEN\n"
        "-------+----------+----------+----------\n"
        "n5     | intruder | tag:edge | now\n"
        "\n"
        "4 hosts: 1 online, 1 offline, 1 missing, 1 duplicated; 1 unexpected device"
    )


def test_json_output() -> None:
    data = report.status_json(classify(HOSTS, _sample(), NOW, ["tag:edge"]))
    assert data["summary"] == {
        "online": 1,
        "offline": 1,
        "missing": 1,
        "duplicated": 1,
        "unexpected": 1,
    }
    assert data["healthy"] is False
    assert data["checked_at"] == "2026-11-28T12:00:00Z"
    assert data["hosts"][1] == {
        "name": "edge-2",
        "hostname": "ts-edge-2",
        "state": "offline",
        "online": False,
        "last_seen": "2026-11-28T07:00:00Z",
        "addresses": ["100.64.0.2"],
        "devices": [
            {
                "id": "n2",
                "hostname": "ts-edge-2",
                "name": "",
                "online": False,
                "last_seen": "2026-11-28T07:00:00Z",
                "addresses": ["100.64.0.2"],
                "tags": ["tag:edge"],
            }
        ],
    }
    assert [d["id"] for d in data["unexpected"]] == ["n5"]
    json.dumps(data)  # serialisable as is


def test_table_and_json_say_the_same_about_connected_devices() -> None:
    """A connected device reports no last-seen time; the host was seen at the check, in both
    the table (``now``) and the JSON (the check's time), whatever a stale duplicate says."""
    live = Device(id="n1", hostname="edge-1", online=True, last_seen=None, addresses=("a",))
    stale = Device(
        id="n2", hostname="edge-1", online=False, last_seen=NOW - timedelta(days=9),
        tags=("tag:edge",), addresses=("b",),
    )  # fmt: skip
    stranger = Device(id="n3", hostname="intruder", online=True, tags=("tag:edge",))
    online = Device(id="n4", hostname="ts-edge-2", online=True)
    status = classify(HOSTS[:2], [live, stale, stranger, online], NOW, ["tag:edge"])
    data = report.status_json(status)
    by_name = {h["name"]: h for h in data["hosts"]}
    assert by_name["edge-1"]["state"] == "duplicated"
    assert (by_name["edge-1"]["online"], by_name["edge-1"]["last_seen"]) == (
        True,
        "2026-11-28T12:00:00Z",
    )
    assert by_name["edge-2"]["last_seen"] == "2026-11-28T12:00:00Z"  # online: not null
    assert [d["last_seen"] for d in by_name["edge-1"]["devices"]] == [
        "2026-11-28T12:00:00Z",
        "2026-11-19T12:00:00Z",
    ]
    assert data["unexpected"][0]["last_seen"] == "2026-11-28T12:00:00Z"
    rows = [line.split(" | ") for line in report.status_table(status).splitlines()]
    assert rows[2][:4] == ["edge-1", "edge-1   ", "duplicated", "now      "]
    assert rows[3][3].strip() == "now"
    assert rows[8] == ["n3    ", "intruder", "tag:edge", "now"]  # was "-"
