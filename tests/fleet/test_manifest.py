"""`fleet manifest`: one row per host, checked against the journal and the ISOs on disk."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from palette_tailscale.fleet.journal import read_records
from tests.fakes.tailnet_server import FakeTailnet

from .fieldkit import CSV, JOURNAL, NAMES, fleet, in_days, set_expiry, workdir

__all__ = ["fleet", "workdir"]  # fixtures

HEADER = "name,serial,site,project,iso,iso_sha256,check,key_id,use_before"


def _written() -> dict[str, dict[str, object]]:
    """The journal's last `written` record per host: what the manifest must agree with."""
    return {r["host"]: r for r in read_records(JOURNAL) if r["event"] == "written"}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_rows_agree_with_the_journal_and_the_disk(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "manifest"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines()[0] == HEADER
    rows = _rows(out)
    assert [r["name"] for r in rows] == list(NAMES)
    written = _written()
    for row, serial, site, project in zip(
        rows,
        ("SN-1", "SN-2", "SN-3"),
        ("s1", "s2", "s3"),
        ("Retail", "Retail", "Depot"),
        strict=True,
    ):
        name = row["name"]
        iso = Path(f"fleet/hosts/{name}/{name}.iso")
        digest = hashlib.sha256(iso.read_bytes()).hexdigest()
        files = written[name]["files"]
        assert isinstance(files, dict)
        assert row == {
            "name": name,
            "serial": serial,
            "site": site,
            "project": project,
            "iso": str(iso),
            "iso_sha256": digest,
            "check": digest[:8],
            "key_id": written[name]["key_id"],
            "use_before": written[name]["expires"],
        }
        assert files["iso"] == digest


def test_json_and_file_output(fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "manifest", "--format", "json", "--only", "edge-2"]) == 0
    data = json.loads(capsys.readouterr().out)
    (row,) = data["hosts"]
    assert row["name"] == "edge-2" and row["key_id"] == _written()["edge-2"]["key_id"]
    assert sorted(row) == sorted(HEADER.split(","))
    assert main(["fleet", "manifest", "--file", "fleet"]) == 2  # a directory
    assert "fleet" in capsys.readouterr().err
    os.mkfifo("pipe")
    assert main(["fleet", "manifest", "--file", "pipe"]) == 2  # never replaced by a file
    assert "cannot write pipe: it is not a regular file" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.stat("pipe").st_mode)
    Path("hosts.csv").write_bytes(b"name\nedge-1\nBAD NAME\n")
    assert main(["fleet", "manifest", "--file", "labels/today.csv"]) == 2  # bad inventory
    assert not Path("labels").exists()
    Path("hosts.csv").write_text(CSV)
    assert main(["fleet", "manifest", "--file", "labels/today.csv"]) == 0
    assert capsys.readouterr().out == "wrote the manifest of 3 hosts to labels/today.csv\n"
    text = Path("labels/today.csv").read_text()
    assert main(["fleet", "manifest"]) == 0
    assert capsys.readouterr().out == text
    assert stat.S_IMODE(os.stat("labels/today.csv").st_mode) == 0o644
    assert [p.name for p in Path("labels").iterdir()] == ["today.csv"]  # no temporary left


def test_problems_are_reported_and_the_rows_stay(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("fleet/hosts/edge-1/edge-1.iso").unlink()
    Path("fleet/hosts/edge-2/edge-2.iso").write_bytes(b"not the ISO")
    set_expiry("edge-3", in_days(-1))
    assert main(["fleet", "manifest"]) == 1
    out, err = capsys.readouterr()
    rows = {r["name"]: r for r in _rows(out)}
    assert list(rows) == list(NAMES)
    assert rows["edge-1"]["iso_sha256"] == rows["edge-1"]["check"] == rows["edge-1"]["key_id"] == ""
    assert rows["edge-2"]["key_id"] == "" and rows["edge-2"]["check"]
    assert rows["edge-3"]["key_id"] == _written()["edge-3"]["key_id"]
    assert err.splitlines() == [
        "palette-tailscale: warning: edge-1: no ISO at fleet/hosts/edge-1/edge-1.iso: "
        "run `fleet provision`",
        "palette-tailscale: warning: edge-2: fleet/hosts/edge-2/edge-2.iso is not the ISO the "
        "journal recorded: run `fleet provision`",
        f"palette-tailscale: warning: edge-3: its key {rows['edge-3']['key_id']} expired: "
        "run `fleet provision`",
    ]


def test_rendered_fleet_without_journal(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "render", "-o", "out"]) == 0
    capsys.readouterr()
    assert main(["fleet", "manifest", "-o", "out"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert [(r["name"], r["key_id"], r["use_before"], len(r["check"])) for r in rows] == [
        (name, "", "", 8) for name in NAMES
    ]
