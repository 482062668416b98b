"""A provisioned fleet of three hosts against the local fake API, for the field commands' tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from tests.fakes.tailnet_server import FakeTailnet
from tests.fakes.tailnet_state import FakeKey

CONFIG = """version: 1
palette:
  project: Default
tailscale:
  auth_key: {env: PT_FIELD_KEY}
  tags: [tag:edge]
hosts: {from: hosts.csv}
"""
CSV = (
    "name,serial,site,tags,project,palette_tag.city\n"
    "edge-1,SN-1,s1,,Retail,paris\n"
    "edge-2,SN-2,s2,tag:store,Retail,lyon\n"
    "edge-3,SN-3,s3,,Depot,\n"
)
NAMES = ("edge-1", "edge-2", "edge-3")
JOURNAL = Path("fleet/journal.jsonl")


@pytest.fixture
def workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in (
        "TS_AUTHKEY",
        "PT_FIELD_KEY",
        "TAILSCALE_API_KEY",
        "TAILSCALE_OAUTH_CLIENT_ID",
        "TAILSCALE_BASE_URL",
        "HEADSCALE_URL",
        "HEADSCALE_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    Path("palette-tailscale.yaml").write_text(CONFIG)
    Path("hosts.csv").write_text(CSV)
    return tmp_path


@pytest.fixture
def fleet(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[FakeTailnet]:
    """Three hosts provisioned (one key each) in ./fleet; the API reachable through env."""
    with FakeTailnet() as fake:
        monkeypatch.setenv("TAILSCALE_API_KEY", fake.api_key)
        monkeypatch.setenv("TAILSCALE_BASE_URL", fake.url)
        assert main(["fleet", "provision"]) == 0
        capsys.readouterr()
        yield fake


def key_of(fake: FakeTailnet, name: str) -> FakeKey:
    """The key host ``name``'s files carry (the journal's last written one)."""
    written = [
        json.loads(line)
        for line in JOURNAL.read_text().splitlines()
        if '"written"' in line and json.loads(line)["host"] == name
    ]
    return fake.state.keys[written[-1]["key_id"]]


def set_expiry(name: str, when: datetime) -> None:
    """Move a host's key expiry in the journal, as if time had passed."""
    stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = []
    for line in JOURNAL.read_text().splitlines():
        record = json.loads(line)
        if record["host"] == name and "expires" in record:
            record["expires"] = stamp
        lines.append(json.dumps(record, sort_keys=True, separators=(",", ":")))
    JOURNAL.write_text("\n".join(lines) + "\n")


def in_days(days: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(days=days)


def all_secrets(fake: FakeTailnet) -> list[str]:
    return [k.key for k in fake.state.keys.values()]
