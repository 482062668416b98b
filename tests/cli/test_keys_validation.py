"""`keys create` checks the user's input before the API mints a key that could then be lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from palette_tailscale.cli.main import main

from ..fakes.tailnet_server import FakeTailnet


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    with FakeTailnet() as server:
        monkeypatch.setenv("TAILSCALE_BASE_URL", server.url)
        monkeypatch.setenv("TAILSCALE_API_KEY", server.api_key)
        yield server


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expiry", "100d"], "90 days"),
        (["--expiry", "soon"], "--expiry: 'soon' is not a duration"),
        (["--tag", "edge"], "edge"),
        (["--description", "x" * 51], "description"),
    ],
)
def test_bad_input_mints_nothing(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["keys", "create", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("palette-tailscale: error: ") and message in err
    assert fake.state.keys == {}
    assert [r for r in fake.requests if r.method == "POST"] == []


def test_unwritable_output_mints_nothing(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("blocker").write_text("a file, not a directory\n")
    assert main(["keys", "create", "--output", "blocker/edge.key"]) == 2
    assert "blocker is not a directory" in capsys.readouterr().err
    assert fake.state.keys == {}


def test_valid_request_still_mints(fake: FakeTailnet, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "create", "--tag", "tag:edge", "--output", "keys/edge.key"]) == 0
    assert len(fake.state.keys) == 1
    assert (Path("keys/edge.key").stat().st_mode & 0o777) == 0o600
    assert "tskey-" not in capsys.readouterr().err
