"""A provisioned fleet's first and second boot, on the real stack, under each Headscale.

Every assertion that matters reads Headscale's REST API (what the control server holds), the
host's files, or what yip reported; our own log only says which path the script took.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from .fleet import TAG, Fleet
from .host import Boot, Tools


@dataclass(frozen=True)
class BootRound:
    boots: dict[str, Boot]
    nodes: list[dict[str, Any]]
    logs: dict[str, str]  # the enrollment log written during this round, per host


def _round(fleet: Fleet, tools: Tools) -> BootRound:
    before = {name: fleet.host(name, tools).enroll_log for name in fleet.names}
    boots = fleet.boot_all(tools)
    nodes = fleet.server.wait_for(
        lambda ns: len(ns) >= len(fleet.names) and all(n.get("online") for n in ns),
        timeout=60,
        what="every host online",
    )
    logs = {name: fleet.hosts[name].enroll_log[len(before[name]) :] for name in fleet.names}
    return BootRound(boots, nodes, logs)


@pytest.fixture(scope="package")
def keys(fleet: Fleet) -> dict[str, str]:
    """Each host's minted key, read from its ISO before any boot."""
    return {name: fleet.key(name) for name in fleet.names}


@pytest.fixture(scope="package")
def first(fleet: Fleet, tools: Tools, keys: dict[str, str]) -> BootRound:
    assert fleet.server.nodes() == []
    return _round(fleet, tools)


@pytest.fixture(scope="package")
def second(fleet: Fleet, tools: Tools, first: BootRound) -> BootRound:
    fleet.shutdown()
    return _round(fleet, tools)


def test_each_host_appears_once_named_tagged_and_online(fleet: Fleet, first: BootRound) -> None:
    names = sorted(node["name"] for node in first.nodes)
    assert names == sorted(fleet.names)  # one node per host, never `localhost`
    for node in first.nodes:
        assert node["online"] is True
        assert fleet.server.node_tags(node) == [TAG]
        assert node.get("givenName") == node["name"]


def test_every_key_is_used_and_no_host_keeps_it(
    fleet: Fleet, first: BootRound, keys: dict[str, str], tools: Tools
) -> None:
    for name, key in keys.items():
        assert fleet.server_key(name)["used"] is True  # spent by this host's join
        host = fleet.host(name, tools)
        assert not host.key_file().exists()
        assert host.files_holding(key) == []  # not in /oem/95_userdata, not anywhere
        assert key.encode() in fleet.iso(name).read_bytes()  # only the medium keeps it


def test_the_boot_ran_one_enrollment_and_yip_saw_no_failure(first: BootRound) -> None:
    for name, log in first.logs.items():
        assert log.count("starting (deadline") == 1, name
        assert log.count("try 1:") == 1, name
        assert "another copy of the enrollment step already ran" in log, name
        assert first.boots[name].command_exits() == [], first.boots[name].yip_output[-2000:]


def test_fleet_status_reports_every_host_joined(fleet: Fleet, first: BootRound) -> None:
    done = fleet.run("fleet", "status", "-o", str(fleet.out), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"online"' in done.stdout
    for name in fleet.names:
        assert name in done.stdout
    assert "missing" not in done.stdout.replace('"missing": 0', "")


def test_second_boot_registers_nothing_and_passes_no_key(
    first: BootRound, second: BootRound, keys: dict[str, str], fleet: Fleet, tools: Tools
) -> None:
    ids = {n["name"]: (n["id"], n["createdAt"]) for n in first.nodes}
    assert {n["name"]: (n["id"], n["createdAt"]) for n in second.nodes} == ids
    assert all(n["online"] for n in second.nodes)
    for name, log in second.logs.items():
        assert "try " not in log, log  # no `tailscale up` at all
        assert "BackendState: Running" in log or "BackendState: Starting" in log, log
        # the persisted site copy ran again, but its key step did not write the key
        assert "deleted the auth key file" not in log, log
        host = fleet.host(name, tools)
        assert not host.key_file().exists()
        assert host.files_holding(keys[name]) == []
        assert host.tailscale("status", "--json").returncode == 0
