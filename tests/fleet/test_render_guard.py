"""`fleet render` beside `fleet provision`: the same lock, minted keys kept, leftovers cleaned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from palette_tailscale.fleet.lock import hold
from palette_tailscale.fleet.render import PLACEHOLDER_KEY
from tests.fakes.tailnet_server import FakeTailnet

CONFIG = """version: 1
tailscale:
  tags: [tag:edge]
hosts: {from: hosts.csv}
"""


@pytest.fixture(autouse=True)
def _workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TAILSCALE_API_KEY", "TAILSCALE_OAUTH_CLIENT_ID", "HEADSCALE_URL", "TS_AUTHKEY"):
        monkeypatch.delenv(name, raising=False)
    Path("palette-tailscale.yaml").write_text(CONFIG)
    Path("hosts.csv").write_text("name\nedge-1\nedge-2\nedge-3\n")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTailnet]:
    with FakeTailnet() as server:
        monkeypatch.setenv("TAILSCALE_API_KEY", server.api_key)
        yield server


def _errors(err: str) -> list[str]:
    """The lines of stderr but the NOTICE about the placeholder key."""
    return [line for line in err.splitlines() if "NOTICE" not in line]


def _user_data() -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in Path("out/hosts").glob("*/user-data")}


def test_render_waits_for_no_one_while_provision_holds_the_directory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("out").mkdir()
    with hold(Path("out")):  # what a running `fleet provision -o out` holds
        assert main(["fleet", "render", "-o", "out"]) == 2
    assert _errors(capsys.readouterr().err) == [
        "palette-tailscale: error: out is in use: another `fleet` run is working there"
    ]
    assert not Path("out/hosts").exists()


def test_provision_waits_for_no_one_while_render_holds_the_directory(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("out").mkdir()
    with hold(Path("out")):  # what a running `fleet render -o out` holds
        assert main(["fleet", "provision", "--base-url", fake.url, "-o", "out"]) == 2
    assert "out is in use" in capsys.readouterr().err
    assert fake.state.keys == {}


def test_render_refuses_to_replace_minted_keys_and_names_the_hosts(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "provision", "--base-url", fake.url, "-o", "out"]) == 0
    before = _user_data()
    capsys.readouterr()
    assert main(["fleet", "render", "-o", "out"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert _errors(err) == [
        "palette-tailscale: error: out holds keys minted by `fleet provision` for 3 hosts "
        "(edge-1, edge-2, edge-3); rendering would replace them with the config's key "
        "(use --force to replace them anyway)"
    ]
    assert _user_data() == before
    # --only limits the check to the hosts rendered.
    assert main(["fleet", "render", "-o", "out", "--only", "edge-2"]) == 2
    assert "for 1 host (edge-2)" in capsys.readouterr().err
    assert _user_data() == before


def test_render_force_replaces_minted_keys(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "provision", "--base-url", fake.url, "-o", "out"]) == 0
    assert main(["fleet", "render", "-o", "out", "--force"]) == 0
    assert all(PLACEHOLDER_KEY.encode() in data for data in _user_data().values())


def test_render_into_a_directory_whose_keys_were_revoked_needs_no_force(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "provision", "--base-url", fake.url, "-o", "out"]) == 0
    assert main(["fleet", "revoke-unused", "--base-url", fake.url, "-o", "out", "--yes"]) == 0
    assert main(["fleet", "render", "-o", "out"]) == 0


def test_render_removes_temporary_files_a_killed_run_left(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fleet", "render", "-o", "out"]) == 0
    staging = Path("out/hosts/.edge-9.0123abcd.tmp")
    staging.mkdir()
    (staging / "user-data").write_text("half")
    partial = Path("out/hosts/edge-1/.user-data.89abcdef.tmp")
    partial.write_text("half")
    assert main(["fleet", "render", "-o", "out", "--only", "edge-2"]) == 0
    assert not staging.exists() and not partial.exists()
