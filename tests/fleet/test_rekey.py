"""`fleet provision --rotate --state expired|expiring`: re-mint exactly the hosts that need it."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from palette_tailscale.fleet import provision, rekey
from palette_tailscale.fleet.inventory import load_inventory
from palette_tailscale.fleet.keyhistory import read_histories
from palette_tailscale.tailnet.base import Device
from tests.fakes.tailnet_server import FakeTailnet

from .conftest import MakeConfig
from .fieldkit import fleet, in_days, key_of, set_expiry, workdir
from .memory import NOW, MemoryTailnet

__all__ = ["fleet", "workdir"]  # fixtures

HOSTS = (
    "hosts:\n"
    "  - {name: edge-1, site: s1}\n"
    "  - {name: edge-2, site: s2}\n"
    "  - {name: edge-3, site: s3}\n"
    "  - {name: edge-4, site: s4}\n"
)


def _snapshot(out: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every host file: content, inode and modification time (a rewrite changes the last two)."""
    found = {}
    for path in sorted(out.glob("hosts/*/*")):
        st = path.stat()
        found[str(path.relative_to(out))] = (path.read_bytes(), st.st_ino, st.st_mtime_ns)
    return found


def _changed(before: dict[str, tuple[bytes, int, int]], out: Path) -> set[str]:
    after = _snapshot(out)
    assert set(after) == set(before)
    return {path.split("/")[1] for path in before if before[path] != after[path]}


def test_rotate_by_state_with_the_library(make_config: MakeConfig, tmp_path: Path) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    hosts = load_inventory(loaded).hosts
    provision.provision(loaded, hosts, tailnet, provision.ProvisionOptions(out, now=NOW))
    # edge-3 got a fresh key three days later: it expires three days after the others
    tailnet.now = NOW + timedelta(days=3)
    options = provision.ProvisionOptions(out, now=tailnet.now, rotate=True)
    provision.provision(loaded, hosts[2:3], tailnet, options)
    # eight days in: edge-1, -2 and -4 expired, but edge-4 joined (it used its key)
    tailnet.now = NOW + timedelta(days=8)
    tailnet.devices.append(Device(id="n4", hostname="edge-4", online=True))
    before, files = read_histories(out) or {}, _snapshot(out)
    old = {name: before[name].current.key_id for name in before}  # type: ignore[union-attr]

    chosen = rekey.hosts_in_states(hosts, tailnet, out, tailnet.now, ["expired"])
    assert [h.name for h in chosen] == ["edge-1", "edge-2"]
    options = provision.ProvisionOptions(out, now=tailnet.now, rotate=True)
    result = provision.provision(loaded, chosen, tailnet, options)

    assert [o.name for o in result.outcomes] == ["edge-1", "edge-2"]
    assert _changed(files, out) == {"edge-1", "edge-2"}
    assert tailnet.keys[old["edge-1"]].revoked and tailnet.keys[old["edge-2"]].revoked
    assert not tailnet.keys[old["edge-3"]].revoked and not tailnet.keys[old["edge-4"]].revoked
    assert rekey.sticks_to_reflash(before, result.outcomes) == ["edge-1", "edge-2"]

    # half a day later edge-3 has a day and a half left: expiring; nothing else is
    tailnet.now += timedelta(hours=12)
    files = _snapshot(out)
    chosen = rekey.hosts_in_states(hosts, tailnet, out, tailnet.now, ["expiring"])
    assert [h.name for h in chosen] == ["edge-3"]
    options = provision.ProvisionOptions(out, now=tailnet.now, rotate=True)
    result = provision.provision(loaded, chosen, tailnet, options)
    assert [(o.name, o.action) for o in result.outcomes] == [("edge-3", "rotated")]
    assert _changed(files, out) == {"edge-3"}
    assert tailnet.keys[old["edge-3"]].revoked


def test_rotate_state_from_the_command_line(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    out = Path("fleet")
    old = {name: key_of(fleet, name) for name in ("edge-1", "edge-2", "edge-3")}
    set_expiry("edge-2", in_days(-1))
    set_expiry("edge-3", in_days(1))
    files = _snapshot(out)

    assert main(["fleet", "provision", "--rotate", "--state", "expired"]) == 0
    lines = capsys.readouterr().out.splitlines()
    new = key_of(fleet, "edge-2")
    assert lines[0].startswith(f"minted edge-2: key {new.id} expires ")
    assert lines[1:] == [
        "1 host: 1 minted; revoked 1 orphaned or replaced key(s)",
        "re-flash the stick of edge-2: fleet/hosts/edge-2/edge-2.iso",
    ]
    assert _changed(files, out) == {"edge-2"}
    assert old["edge-2"].revoked is not None and old["edge-3"].revoked is None
    assert new.key in Path("fleet/hosts/edge-2/user-data").read_text()

    files = _snapshot(out)
    assert main(["fleet", "provision", "--rotate", "--state", "expiring"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("rotated edge-3: key ")
    assert lines[-1] == "re-flash the stick of edge-3: fleet/hosts/edge-3/edge-3.iso"
    assert _changed(files, out) == {"edge-3"}
    assert old["edge-3"].revoked is not None and old["edge-1"].revoked is None

    fleet.requests.clear()
    assert (
        main(["fleet", "provision", "--rotate", "--state", "expired", "--state", "expiring"]) == 0
    )
    assert capsys.readouterr().out == "no host has a key that is expired or expiring\n"
    assert not [r for r in fleet.requests if r.method != "GET"]


def test_state_needs_rotate(fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]) -> None:
    files = _snapshot(Path("fleet"))
    assert main(["fleet", "provision", "--state", "expired"]) == 2
    assert "--state chooses the hosts to re-mint: give it with --rotate" in capsys.readouterr().err
    assert _changed(files, Path("fleet")) == set()


def test_rotated_hosts_keep_their_files_private(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    set_expiry("edge-1", in_days(-3))
    assert main(["fleet", "provision", "--rotate", "--state", "expired"]) == 0
    capsys.readouterr()
    for name in ("user-data", "edge-1.iso"):
        assert os.stat(f"fleet/hosts/edge-1/{name}").st_mode & 0o777 == 0o600
