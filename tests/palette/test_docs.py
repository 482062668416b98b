"""docs/palette.md: every command and option is described, and its examples are what happens.

The examples run in order in one empty directory against a fake Palette tenant and a fake
tailnet (never the internet), seeded below (conventions: ``tests/console.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
import pytest

from palette_tailscale.cli.palette_cmd import palette
from palette_tailscale.fleet.journal import JOURNAL_NAME, Journal
from tests.conftest import REPO
from tests.console import run_examples
from tests.fakes.palette_server import FakePalette
from tests.fakes.tailnet_server import FakeTailnet

DOC = REPO / "docs" / "palette.md"
CONFIG = """version: 1
palette:
  project: Default
  registration_token: {env: PALETTE_REGISTRATION_TOKEN}
  api_key: {env: PALETTE_API_KEY}
tailscale:
  tags: [tag:edge]
hosts:
  - name: edge-store-0001
  - name: edge-store-0002
  - name: edge-store-0003
  - name: edge-store-0004
"""
AT = datetime(2026, 11, 28, 11, 58, tzinfo=timezone.utc)


def _journal() -> None:
    """``fleet provision``'s journal of the four hosts: edge-store-0003's key expired 2 days ago
    (its stick never booted), the others' were used when they joined."""
    now = datetime.now(timezone.utc)
    Path("fleet").mkdir()
    with Journal(Path("fleet") / JOURNAL_NAME) as journal:
        for number in range(1, 5):
            expires = now + (timedelta(days=-2, hours=-3) if number == 3 else timedelta(days=5))
            stamp = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
            journal.append(
                "written",
                f"edge-store-000{number}",
                key_id=f"k{number}",
                expires=stamp,
                files={},
                fingerprint="f",
            )


def _commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, group in palette.commands.items():
        assert isinstance(group, click.Group)
        found += [(f"palette {name} {sub}", cmd) for sub, cmd in group.commands.items()]
    return found


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda v: str(v))
def test_every_command_and_option_is_documented(name: str, command: click.Command) -> None:
    text = DOC.read_text()
    assert f"`{name}`" in text
    for param in command.params:
        if isinstance(param, click.Option):
            assert any(f"`{opt}" in text for opt in param.opts), (name, param.opts)


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePalette]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    for name in ("TS_AUTHKEY", "HEADSCALE_URL", "TAILSCALE_OAUTH_CLIENT_ID", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    Path("palette-tailscale.yaml").write_text(CONFIG)
    _journal()
    with FakePalette() as pal, FakeTailnet() as ts:
        default = pal.default_project
        retail = pal.state.add_project("Retail", uid="65f1e0c2a1b2c3d4e5f60002")
        until = datetime(2027, 1, 1, tzinfo=timezone.utc)
        token = pal.state.add_token("stores", default, expiry=until, uid="65f1e0c2a1b2c3d4e5f60010")
        pal.state.add_token("retail", retail, expiry=until, uid="65f1e0c2a1b2c3d4e5f60011")
        pal.state.add_token("old", default, expiry=datetime(2025, 6, 1, tzinfo=timezone.utc),
                            uid="65f1e0c2a1b2c3d4e5f60012")  # fmt: skip
        pal.state.add_edge_host(
            "edge-store-0001", default, health="healthy", state="in-use",
            clusters=["store-east"], modified=AT,
        )  # fmt: skip
        pal.state.add_edge_host(
            "edge-store-0002", default, health="unhealthy", state="ready", modified=AT
        )
        pal.state.add_edge_host("edge-store-0003", default)  # pre-registered, not booted yet
        pal.state.add_edge_host("edge-lab-07", default, health="healthy", modified=AT)
        ts.state.add_device("edge-store-0001", online=True, tags=["tag:edge"])
        ts.state.add_device("edge-store-0002", tags=["tag:edge"], last_seen=AT - timedelta(hours=5))
        ts.state.add_device("edge-store-0004", online=True, tags=["tag:edge"])
        monkeypatch.setenv("PALETTE_API_KEY", pal.api_key)
        monkeypatch.setenv("PALETTE_BASE_URL", pal.url)
        monkeypatch.setenv("PALETTE_REGISTRATION_TOKEN", token.value)
        monkeypatch.setenv("TAILSCALE_API_KEY", ts.api_key)
        monkeypatch.setenv("TAILSCALE_BASE_URL", ts.url)
        yield pal


def test_the_examples_run_as_written(
    sandbox: FakePalette, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_examples(DOC.read_text(), capsys, "docs/palette.md") >= 6
