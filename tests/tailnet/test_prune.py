"""The prune planner as a table, and a prune run interrupted half-way then finished."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from palette_tailscale.tailnet import Device, ops
from palette_tailscale.tailnet.prune import PruneOptions, plan_prune
from tests.fakes.tailnet_server import Fault

from .conftest import Env

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def dev(device_id: str, hostname: str, **fields: object) -> Device:
    fields.setdefault("created", NOW - 100 * DAY)
    fields.setdefault("name", f"{hostname}.tail1234.ts.net")
    return Device(id=device_id, hostname=hostname, **fields)  # type: ignore[arg-type]


def online(device_id: str, hostname: str, **fields: object) -> Device:
    return dev(device_id, hostname, online=True, **fields)


def seen(device_id: str, hostname: str, days: float, **fields: object) -> Device:
    return dev(device_id, hostname, online=False, last_seen=NOW - days * DAY, **fields)


CASES = [
    pytest.param(
        [online("a", "edge-1"), seen("b", "edge-1", 1)],
        [("b", "delete", "duplicate")],
        id="dup-offline",
    ),
    pytest.param(
        [seen("a", "edge-1", 3), seen("b", "Edge-1", 1), seen("c", "edge-1", 2)],
        [("a", "delete", "duplicate"), ("c", "delete", "duplicate")],
        id="dup-keep-newest-case-insensitive",
    ),
    pytest.param(
        [online("a", "edge-1"), online("b", "edge-1", last_seen=NOW - DAY)],
        [("b", "skip", "duplicate")],
        id="dup-online-kept-safe",
    ),
    pytest.param(
        [
            online("a", "localhost", name="localhost-3.t.ts.net"),
            seen("b", "localhost", 1, name="localhost.t.ts.net"),
        ],
        [("a", "skip", "leftover"), ("b", "delete", "leftover")],
        id="localhost-leftovers",
    ),
    pytest.param(
        [seen("k", "kairos-a1b2", 2)], [("k", "delete", "leftover")], id="kairos-leftover"
    ),
    pytest.param([seen("k", "kairos-prod-site", 2)], [], id="kairos-real-name"),
    pytest.param([seen("s", "edge-2", 31)], [("s", "delete", "stale")], id="stale"),
    pytest.param([seen("s", "edge-2", 29)], [], id="recent"),
    pytest.param(
        [dev("n", "edge-3", online=False, created=NOW - 40 * DAY)],
        [("n", "delete", "stale")],
        id="never-seen-old",
    ),
    pytest.param(
        [dev("n", "edge-3", online=False, created=NOW - 2 * DAY)], [], id="never-seen-new"
    ),
    pytest.param(
        [dev("n", "edge-3", online=None, last_seen=NOW - timedelta(minutes=2))],
        [],
        id="unknown-but-recent",
    ),
    pytest.param(
        [
            online("c", "edge-4", multiple_connections=True),
            online("d", "edge-4", multiple_connections=True),
        ],
        [("c", "report", "cloned"), ("d", "report", "cloned")],
        id="cloned-reported-only",
    ),
    pytest.param([seen("x", "localhost", 90, is_external=True)], [], id="shared-in-untouched"),
    pytest.param(
        [online("e", "edge-5", expires=NOW - DAY)],
        [("e", "report", "key-expired")],
        id="key-expired",
    ),
    pytest.param(
        [online("e", "edge-5", expires=NOW - DAY, key_expiry_disabled=True)],
        [],
        id="expiry-disabled",
    ),
    pytest.param(
        [online("u", "edge-6", authorized=False)],
        [("u", "report", "unauthorized")],
        id="unauthorized",
    ),
    pytest.param(
        [seen("e", "edge-7", 60, expires=NOW - DAY)],
        [("e", "delete", "stale")],
        id="stale-wins-over-report",
    ),
]


@pytest.mark.parametrize(("devices", "expected"), CASES)
def test_plan(devices: list[Device], expected: list[tuple[str, str, str]]) -> None:
    rows = plan_prune(devices, NOW, PruneOptions())
    assert [(r.device.id, r.action, r.kind) for r in rows] == expected


def test_include_online_deletes_online_duplicates() -> None:
    devices = [online("a", "edge-1"), online("b", "edge-1", last_seen=NOW - DAY)]
    rows = plan_prune(devices, NOW, PruneOptions(include_online=True))
    assert [(r.device.id, r.action) for r in rows] == [("b", "delete")]


def test_stale_after_is_an_option() -> None:
    rows = plan_prune([seen("s", "edge-2", 8)], NOW, PruneOptions(stale_after=7 * DAY))
    assert [(r.action, r.reason) for r in rows] == [("delete", "offline, last seen 8 days ago")]


def seed_mess(env: Env) -> tuple[set[str], set[str]]:
    now = datetime.now(timezone.utc)
    keep = {env.fake.state.add_device("edge-1", online=True).id}
    doomed = {env.fake.state.add_device("edge-1", last_seen=now - i * DAY).id for i in range(1, 5)}
    doomed |= {env.fake.state.add_device("localhost", last_seen=now - DAY).id for _ in range(3)}
    doomed.add(env.fake.state.add_device("edge-9", last_seen=now - 60 * DAY).id)
    keep.add(env.fake.state.add_device("edge-2", last_seen=now - DAY).id)
    return keep | doomed, keep


def test_interrupted_prune_leaves_a_consistent_tailnet_and_a_rerun_finishes(env: Env) -> None:
    everything, keep = seed_mess(env)
    env.fake.add_fault(Fault("status", method="DELETE", status=500, after=3, times=999))
    first = ops.prune_devices(env.backend, PruneOptions(), apply=True, concurrency=1)
    assert len(first.failed) == 5 and len(first.deleted) == 8
    left = {d.id for d in env.backend.list_devices()}
    assert keep <= left and len(left) == len(everything) - 3
    env.fake.faults.clear()
    second = ops.prune_devices(env.backend, PruneOptions(), apply=True)
    assert not second.failed and len(second.deleted) == 5
    assert {d.id for d in env.backend.list_devices()} == keep
    third = ops.prune_devices(env.backend, PruneOptions(), apply=True)
    assert third.plan == [] and third.deleted == []


def test_a_device_already_gone_counts_as_deleted(ts: Env) -> None:
    gone = ts.fake.state.add_device("localhost")
    plan = ops.prune_devices(ts.backend, PruneOptions(), apply=False).plan
    del ts.fake.state.devices[gone.id]  # deleted by someone else between plan and delete
    outcomes = ops.run_bulk(lambda row: ops.delete_if_present(ts.backend, row), plan)
    assert all(o.ok for o in outcomes)
