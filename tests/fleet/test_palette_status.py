"""`fleet status` with Palette's view, and `fleet provision --palette`, from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from tests.fakes.palette_server import FakePalette, Fault
from tests.fakes.tailnet_server import FakeTailnet
from tests.fleet.fieldkit import JOURNAL, in_days, set_expiry
from tests.tables import by_first, parse

CONFIG = """version: 1
palette:
  project: Default
tailscale:
  tags: [tag:edge]
hosts: {from: hosts.csv}
"""
# Every combination worth a line: both sides, each side alone, neither, and a duplicate.
CSV = (
    "name,project,palette_tag.city\n"
    + "".join(
        f"{name},,\n"
        for name in ("both-ok", "both-sick", "palette-only", "tailnet-only", "nowhere")
    )
    + "dup-1,Retail,lyon\n"
)


@dataclass
class Both:
    palette: FakePalette
    tailnet: FakeTailnet


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Both]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    for name in ("HEADSCALE_URL", "TAILSCALE_OAUTH_CLIENT_ID", "TS_AUTHKEY"):
        monkeypatch.delenv(name, raising=False)
    Path("palette-tailscale.yaml").write_text(CONFIG)
    Path("hosts.csv").write_text(CSV)
    with FakePalette() as palette, FakeTailnet() as tailnet:
        monkeypatch.setenv("PALETTE_API_KEY", palette.api_key)
        monkeypatch.setenv("PALETTE_BASE_URL", palette.url)
        monkeypatch.setenv("TAILSCALE_API_KEY", tailnet.api_key)
        monkeypatch.setenv("TAILSCALE_BASE_URL", tailnet.url)
        yield Both(palette, tailnet)


BEAT = datetime(2026, 11, 28, 11, 58, tzinfo=timezone.utc)


def _seed(both: Both) -> None:
    pal, ts = both.palette.state, both.tailnet.state
    default = both.palette.default_project
    retail = pal.add_project("Retail")
    pal.add_edge_host("both-ok", default, health="healthy", clusters=["store-1"], modified=BEAT)
    pal.add_edge_host("both-sick", default, health="unhealthy", modified=BEAT, state="ready")
    pal.add_edge_host("palette-only", default)  # pre-registered, never booted
    pal.add_edge_host("dup-1", retail, health="healthy", modified=BEAT)
    pal.add_edge_host("stranger", default, health="healthy", modified=BEAT)
    ts.add_device("both-ok", online=True, tags=["tag:edge"])
    ts.add_device("both-sick", online=False, tags=["tag:edge"], last_seen=BEAT)
    ts.add_device("tailnet-only", online=True, tags=["tag:edge"])
    ts.add_device("dup-1", online=True, tags=["tag:edge"])
    ts.add_device("dup-1", online=False, tags=["tag:edge"], last_seen=BEAT - timedelta(days=3))


def test_json_joins_both_sides(both: Both, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(both)
    assert main(["fleet", "status", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    view = {
        h["name"]: (h["state"], h["palette"]["state"], h["one_side_only"]) for h in data["hosts"]
    }
    assert view == {
        "both-ok": ("online", "registered", None),
        "both-sick": ("offline", "registered", None),
        "palette-only": ("missing", "registered", "palette"),
        "tailnet-only": ("online", "missing", "tailnet"),
        "nowhere": ("missing", "missing", None),
        "dup-1": ("duplicated", "registered", None),
    }
    ok = next(h for h in data["hosts"] if h["name"] == "both-ok")
    assert ok["palette"] == {
        "state": "registered",
        "uid": "both-ok",
        "host_state": "unpaired",
        "health": "healthy",
        "last_heartbeat": "2026-11-28T11:58:00Z",
        "cluster": "store-1",
    }
    never = next(h for h in data["hosts"] if h["name"] == "palette-only")["palette"]
    assert (never["health"], never["last_heartbeat"]) == (None, None)
    assert data["one_side_only"] == [
        {"name": "palette-only", "side": "palette"},
        {"name": "tailnet-only", "side": "tailnet"},
    ]
    assert data["palette"]["summary"] == {
        "registered": 4,
        "missing": 2,
        "healthy": 2,
        "unhealthy": 1,
        "unexpected": 1,
    }
    assert [e["uid"] for e in data["palette"]["unexpected"]] == ["stranger"]
    assert {p["name"] for p in data["palette"]["projects"]} == {"Default", "Retail"}
    assert data["healthy"] is False


def test_the_table_says_the_same_and_marks_one_sided_hosts(
    both: Both, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(both)
    assert main(["fleet", "status", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert main(["fleet", "status"]) == 1
    table = capsys.readouterr().out.splitlines()
    names = ["HOST", "HOSTNAME", "TAILNET", "LAST SEEN", "ADDRESS"]
    names += ["PALETTE", "HEALTH", "HEARTBEAT", "CLUSTER", ""]
    assert parse(table)[0] == names
    rows = by_first(table)
    assert len(rows) == 6
    for host in data["hosts"]:  # table and JSON agree, cell by cell
        row = rows[host["name"]]
        pal = host["palette"]
        assert row[2] == host["state"]
        assert row[3] == ("now" if host["online"] else host["last_seen"] or "-")
        assert row[5:8] == [pal["state"], pal["health"] or "-", pal["last_heartbeat"] or "-"]
        assert row[8] == (pal["cluster"] or "-")
        assert (row[9] == "<<") == (host["one_side_only"] is not None)
    text = "\n".join(table)
    assert "<< known to one side only:\n  palette-only: registered in Palette, absent from" in text
    assert "  tailnet-only: on the tailnet, missing in Palette" in text
    assert "unexpected edge hosts (in the project, not in the inventory):" in text
    assert (
        table[-2] == "6 hosts: 2 online, 1 offline, 2 missing, 1 duplicated; 0 unexpected devices"
    )
    assert table[-1] == (
        "Palette: 4 registered (2 healthy, 1 unhealthy), 2 missing; 2 on one side only; "
        "1 unexpected edge host"
    )


def test_exit_codes(both: Both, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(both)
    assert main(["fleet", "status", "--exit-zero"]) == 0
    # Only Palette is missing a host: still 1.
    Path("hosts.csv").write_text("name\ntailnet-only\n")
    assert main(["fleet", "status"]) == 1
    Path("hosts.csv").write_text("name\nboth-ok\nboth-sick\n")
    assert main(["fleet", "status"]) == 0
    capsys.readouterr()


def _table_cells(table: list[str], names: list[str]) -> dict[str, list[str]]:
    """Each host row's cells by host name, after checking the header."""
    assert parse(table)[0] == names
    return by_first(table)


def test_one_record_per_host_joins_tailnet_key_and_palette(
    both: Both, capsys: pytest.CaptureFixture[str]
) -> None:
    """A provisioned fleet (a journal) with Palette: each host's row and JSON object carry the
    tailnet's state, its key's and Palette's together, and the two outputs agree."""
    assert main(["fleet", "provision"]) == 0  # one key per host, journalled in ./fleet
    capsys.readouterr()
    _seed(both)
    expired = in_days(-2.1)
    set_expiry("palette-only", expired)  # registered, never joined, and its stick is useless
    set_expiry("nowhere", in_days(1))
    written = [json.loads(line) for line in JOURNAL.read_text().splitlines()]
    key_ids = {r["host"]: r["key_id"] for r in written if r["event"] == "written"}

    assert main(["fleet", "status", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    view = {
        h["name"]: (h["state"], h["key"]["state"], h["palette"]["state"], h["one_side_only"])
        for h in data["hosts"]
    }
    assert view == {
        "both-ok": ("online", "used", "registered", None),
        "both-sick": ("offline", "used", "registered", None),
        "palette-only": ("missing", "expired", "registered", "palette"),
        "tailnet-only": ("online", "used", "missing", "tailnet"),
        "nowhere": ("missing", "expiring", "missing", None),
        "dup-1": ("duplicated", "used", "registered", None),
    }
    stale = next(h for h in data["hosts"] if h["name"] == "palette-only")
    assert stale["key"] == {
        "id": key_ids["palette-only"],
        "expires": expired.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "state": "expired",
    }
    assert stale["palette"]["uid"] == "palette-only"
    assert data["keys"] == {"valid": 0, "expiring": 1, "expired": 1, "revoked": 0, "used": 4}
    assert data["palette"]["summary"]["missing"] == 2
    assert data["one_side_only"] == [
        {"name": "palette-only", "side": "palette"},
        {"name": "tailnet-only", "side": "tailnet"},
    ]
    assert data["healthy"] is False
    assert both.tailnet.state.keys[key_ids["palette-only"]].key not in json.dumps(data)

    assert main(["fleet", "status"]) == 1
    table = capsys.readouterr().out.splitlines()
    names = ["HOST", "HOSTNAME", "TAILNET", "LAST SEEN", "ADDRESS", "KEY"]
    names += ["PALETTE", "HEALTH", "HEARTBEAT", "CLUSTER", ""]
    rows = _table_cells(table, names)
    assert list(rows) == [h["name"] for h in data["hosts"]]
    for host in data["hosts"]:  # table and JSON agree, cell by cell, on all three sides
        row, pal = rows[host["name"]], host["palette"]
        assert row[2] == host["state"]
        assert row[5].split(" ")[0] == host["key"]["state"]
        assert row[6:9] == [pal["state"], pal["health"] or "-", pal["last_heartbeat"] or "-"]
        assert row[9] == (pal["cluster"] or "-")
        assert (row[10] == "<<") == (host["one_side_only"] is not None)
    assert rows["palette-only"][2:6] == ["missing", "-", "-", "expired (2d ago)"]
    assert rows["palette-only"][6] == "registered"
    assert rows["nowhere"][5] == "expiring (23h)"
    assert "  palette-only: registered in Palette, absent from the tailnet" in table
    assert table[-3:] == [
        "6 hosts: 2 online, 1 offline, 2 missing, 1 duplicated; 0 unexpected devices",
        "keys: 0 valid, 1 expiring, 1 expired, 0 revoked, 4 used",
        "Palette: 4 registered (2 healthy, 1 unhealthy), 2 missing; 2 on one side only; "
        "1 unexpected edge host",
    ]

    # --state selects by any of the three sides; summaries and the exit code stay the fleet's
    wanted = ["--state", "expired", "--state", "palette-missing"]
    assert main(["fleet", "status", "--format", "json", *wanted]) == 1
    picked = json.loads(capsys.readouterr().out)
    assert [h["name"] for h in picked["hosts"]] == ["palette-only", "tailnet-only", "nowhere"]
    assert picked["selected"] == ["expired", "palette-missing"]
    assert (picked["keys"], picked["palette"]) == (data["keys"], data["palette"])
    assert main(["fleet", "status", "--state", "one-side-only", "--state", "unhealthy"]) == 1
    shown = capsys.readouterr().out.splitlines()
    assert list(_table_cells(shown, names)) == ["both-sick", "palette-only", "tailnet-only"]
    assert shown[-1] == "3 hosts shown (--state one-side-only, unhealthy)"


def test_palette_states_need_a_palette_key(
    both: Both, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PALETTE_API_KEY")
    assert main(["fleet", "status", "--state", "palette-missing"]) == 2
    err = capsys.readouterr().err
    assert "--state palette-missing selects by Palette's view" in err
    assert both.tailnet.requests == []
    assert main(["fleet", "status", "--state", "missing", "--exit-zero"]) == 0  # the tailnet's
    assert "HOST" in capsys.readouterr().out


@pytest.fixture
def instant_retries() -> Iterator[None]:
    from palette_tailscale.tailnet import set_testing

    set_testing(True)
    yield
    set_testing(False)


@pytest.mark.usefixtures("instant_retries")
def test_palette_faults_are_retried_in_status(
    both: Both, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(both)
    both.palette.add_fault(Fault("status", path="/search", status=503, times=2, retry_after="1"))
    both.palette.add_fault(Fault("reset", path="/search", after=2))
    assert main(["fleet", "status", "--format", "json", "--exit-zero"]) == 0
    assert json.loads(capsys.readouterr().out)["palette"]["summary"]["registered"] == 4


@pytest.mark.usefixtures("instant_retries")
def test_a_palette_outage_is_exit_1_with_the_reason(
    both: Both, capsys: pytest.CaptureFixture[str]
) -> None:
    both.palette.state.add_project("Retail")
    both.palette.add_fault(Fault("status", path="/search", status=503, times=99))
    assert main(["fleet", "status"]) == 1
    err = capsys.readouterr().err
    assert "Palette API: list edge hosts: server error 503" in err


def test_without_a_palette_key_status_is_the_tailnet_alone(
    both: Both, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(both)
    monkeypatch.delenv("PALETTE_API_KEY")
    assert main(["fleet", "status", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert "palette" not in data and "palette" not in data["hosts"][0]
    assert both.palette.requests == []


def test_provision_with_palette_registers_every_host(
    both: Both, capsys: pytest.CaptureFixture[str]
) -> None:
    both.palette.state.add_project("Retail")
    both.palette.state.add_edge_host("nowhere", both.palette.default_project)
    assert main(["fleet", "provision", "--palette", "--concurrency", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "6 hosts: 6 minted" in out
    assert "registered both-ok: registered in Palette (project Default)" in out
    assert "registered dup-1: registered in Palette (project Retail)" in out
    assert "existing nowhere: already in Palette (not made by this tool): left alone" in out
    assert out[-1] == "Palette: 6 hosts: 5 registered, 1 existing"
    assert both.palette.state.edge_hosts["dup-1"].labels == {"city": "lyon"}
    assert main(["fleet", "provision", "--palette"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Palette: 6 hosts: 1 existing, 5 kept"


def test_rotating_expired_keys_with_palette_registers_only_the_hosts_re_minted(
    both: Both, capsys: pytest.CaptureFixture[str]
) -> None:
    both.palette.state.add_project("Retail")
    assert main(["fleet", "provision", "--palette"]) == 0
    capsys.readouterr()
    set_expiry("nowhere", in_days(-1))
    both.palette.requests.clear()
    assert main(["fleet", "provision", "--rotate", "--state", "expired", "--palette"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == [
        "re-flash the stick of nowhere: fleet/hosts/nowhere/nowhere.iso",
        "kept nowhere: in Palette since an earlier run",
        "Palette: 1 host: 1 kept",
    ]
    assert not [r for r in both.palette.requests if r.method == "POST" and "edgehosts" in r.path]


def test_provision_with_palette_needs_a_key(
    both: Both, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PALETTE_API_KEY")
    assert main(["fleet", "provision", "--palette"]) == 2
    assert "no Palette API key" in capsys.readouterr().err
    assert both.tailnet.requests == [] and not Path("fleet").exists()


def test_provision_with_palette_fails_a_host_palette_refuses(
    both: Both, capsys: pytest.CaptureFixture[str]
) -> None:
    both.palette.state.add_project("Retail")
    both.palette.add_fault(Fault("status", method="POST", path="/v1/edgehosts", status=403))
    assert main(["fleet", "provision", "--palette", "--concurrency", "1"]) == 1
    out, err = capsys.readouterr()
    assert "6 hosts: 6 minted" in out and "1 failed" in out.splitlines()[-1]
    assert "palette-tailscale: error: both-ok: Palette API: register edge host both-ok" in err
