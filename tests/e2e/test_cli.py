"""`keys` and `devices` against the real Headscale, checked in what Headscale then holds.

One Headscale of this round's version per module, with nodes made the way they appear in the
field: a host that joined, lost its state and joined again (a duplicate), and a node that
enrolled before its name was set (`localhost`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from .fleet import TAG, Fleet, cli
from .headscale import Headscale
from .host import EdgeHost, Tools

DUP = "edge-e2e-dup"


@dataclass
class Setup:
    server: Headscale
    folder: Path
    fleet: Fleet
    hosts: list[EdgeHost]

    def run(self, *args: str) -> Any:
        return cli(*args, "-c", str(self.fleet.config), env=self.fleet.env())


@pytest.fixture(scope="module")
def setup(
    headscale: Headscale, tools: Tools, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Setup]:
    home = tmp_path_factory.mktemp("cli")
    server = headscale.sibling(home / "server")
    fleet = Fleet(folder=home / "fleet", server=server, names=(DUP,), login_server=server.url)
    fleet.provision()
    made = Setup(server, home, fleet, [])
    try:
        yield made
    finally:
        for host in made.hosts:
            host.shutdown()
        server.stop()


def node(server: Headscale, name: str) -> dict[str, Any]:
    (found,) = [n for n in server.nodes() if n["name"] == name or n.get("givenName") == name]
    return found


def test_keys_create_list_revoke(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "edge.key"
    made = setup.run(
        "keys", "create", "--tag", TAG, "--expiry", "1h", "-o", str(out), "--format", "json"
    )
    assert made.returncode == 0, made.stderr
    meta = json.loads(made.stdout)
    assert "key" not in meta  # with --output the key is only in the file
    secret = out.read_text().strip()
    assert out.stat().st_mode & 0o777 == 0o600
    assert secret not in made.stdout + made.stderr
    held = {str(k["id"]): k for k in setup.server.preauthkeys()}
    assert str(meta["id"]) in held
    assert held[str(meta["id"])]["aclTags"] == [TAG]
    listed = setup.run("keys", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert str(meta["id"]) in {str(k["id"]) for k in json.loads(listed.stdout)}
    assert secret not in listed.stdout
    revoked = setup.run("keys", "revoke", str(meta["id"]))
    assert revoked.returncode == 0, revoked.stderr
    after = {str(k["id"]): k for k in setup.server.preauthkeys()}
    if str(meta["id"]) in after:  # expired in place (0.26) or deleted (0.28+)
        expiry = datetime.fromisoformat(after[str(meta["id"])]["expiration"].replace("Z", "+00:00"))
        assert expiry <= datetime.now(timezone.utc)


def test_devices_list_rename_tag(setup: Setup, tools: Tools) -> None:
    host = setup.fleet.host(DUP, tools)
    setup.hosts.append(host)
    host.boot()
    setup.server.wait_for(
        lambda ns: any(n["name"] == DUP and n.get("online") for n in ns), timeout=60, what="joined"
    )
    listed = setup.run("devices", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert {r["hostname"] for r in rows} == {n["name"] for n in setup.server.nodes()}
    renamed = setup.run("devices", "rename", DUP, "edge-e2e-renamed")
    assert renamed.returncode == 0, renamed.stderr
    assert node(setup.server, DUP)["givenName"] == "edge-e2e-renamed"
    back = setup.run("devices", "rename", "edge-e2e-renamed", DUP)
    assert back.returncode == 0, back.stderr
    tagged = setup.run("devices", "tag", DUP, "--tag", TAG, "--tag", "tag:store")
    assert tagged.returncode == 0, tagged.stderr
    assert setup.server.node_tags(node(setup.server, DUP)) == [TAG, "tag:store"]
    unowned = setup.run("devices", "tag", DUP, "--tag", "tag:nobody-owns")
    if setup.server.minor >= 28:  # tags are identity: only tags the policy lets it own
        assert unowned.returncode == 2
        assert "requested tags [tag:nobody-owns] are invalid or not permitted" in unowned.stderr
        assert setup.server.node_tags(node(setup.server, DUP)) == [TAG, "tag:store"]
    else:  # before 0.28 the tag is stored (and only counts once the policy owns it)
        assert unowned.returncode == 0, unowned.stderr
        assert "tag:nobody-owns" in node(setup.server, DUP)["forcedTags"]


def test_devices_prune_deletes_exactly_the_leftovers(setup: Setup, tools: Tools) -> None:
    server = setup.server
    first = setup.fleet.host(DUP, tools)
    if first.daemon_pid() is None:
        first.boot()
    # The same host reinstalled: state lost, a fresh key (the next provision rotates it).
    first.shutdown()
    old_id = node(server, DUP)["id"]
    rotated = setup.fleet.run("fleet", "provision", "-o", str(setup.fleet.out), "--rotate")
    assert rotated.returncode == 0, rotated.stderr
    again = EdgeHost(setup.folder / "reinstalled", tools, name=DUP)
    setup.hosts.append(again)
    again.install(setup.fleet.installer, setup.fleet.site(DUP))
    again.boot()
    server.wait_for(
        lambda ns: len([n for n in ns if n["name"] == DUP]) == 2, timeout=60, what="two nodes"
    )
    # A node that enrolled before its name was set, still online.
    stray = EdgeHost(setup.folder / "stray", tools, name="stray")
    setup.hosts.append(stray)
    key = setup.folder / "stray.key"
    made = setup.run("keys", "create", "--tag", TAG, "--expiry", "1h", "-o", str(key))
    assert made.returncode == 0, made.stderr
    stray.boot()
    up = stray.tailscale(
        "up", f"--login-server={server.url}", f"--auth-key=file:{key}", "--timeout=30s"
    )
    assert up.returncode == 0, up.stderr
    localhost = [n for n in server.nodes() if n["name"].startswith("localhost")]
    assert len(localhost) == 1 and localhost[0]["online"]

    # The whole tailnet: on Headscale before 0.28 the tag test above replaced DUP's tags, so it
    # is no longer one of the fleet's devices, which is all a prune considers by default.
    plan = setup.run("devices", "prune", "--all-devices", "--format", "json")
    assert plan.returncode == 0, plan.stderr
    actions = {str(r["id"]): r["action"] for r in json.loads(plan.stdout)["plan"]}
    assert actions.get(str(old_id)) == "delete"  # the offline duplicate
    assert actions.get(str(localhost[0]["id"])) != "delete"  # leftover, but online

    done = setup.run("devices", "prune", "--all-devices", "--yes")
    assert done.returncode == 0, done.stderr
    ids = {str(n["id"]) for n in server.nodes()}
    assert str(old_id) not in ids
    assert str(localhost[0]["id"]) in ids  # never an online device without --include-online
    assert any(n["name"] == DUP and n["online"] for n in server.nodes())

    forced = setup.run("devices", "prune", "--all-devices", "--yes", "--include-online")
    assert forced.returncode == 0, forced.stderr
    remaining = server.nodes()
    assert str(localhost[0]["id"]) not in {str(n["id"]) for n in remaining}
    assert [n["name"] for n in remaining] == [DUP]  # the host's live node is kept
