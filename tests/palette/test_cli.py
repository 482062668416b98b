"""`palette tokens` and the token check of render, fleet render, fleet provision and build."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from tests.fakes.palette_server import FakePalette
from tests.fakes.tailnet_server import FakeTailnet

CONFIG = """version: 1
palette:
  project: Default
  registration_token: {env: PT_CLI_TOKEN}
tailscale:
  tags: [tag:edge]
hosts:
  - name: edge-1
  - name: edge-2
"""


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakePalette]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    for name in ("PT_CLI_TOKEN", "TAILSCALE_API_KEY", "HEADSCALE_URL", "TAILSCALE_OAUTH_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    Path("palette-tailscale.yaml").write_text(CONFIG)
    with FakePalette() as server:
        monkeypatch.setenv("PALETTE_API_KEY", server.api_key)
        monkeypatch.setenv("PALETTE_BASE_URL", server.url)
        yield server


def _use_token(monkeypatch: pytest.MonkeyPatch, fake: FakePalette, **fields: object) -> str:
    project = fields.pop("project", fake.default_project)
    token = fake.state.add_token("stores", project, **fields)  # type: ignore[arg-type]
    monkeypatch.setenv("PT_CLI_TOKEN", token.value)
    return token.value


def test_tokens_list_shows_no_value(fake: FakePalette, capsys: pytest.CaptureFixture[str]) -> None:
    expiry = datetime(2030, 1, 1, tzinfo=timezone.utc)
    made = fake.state.add_token("stores", fake.default_project, expiry=expiry)
    old = fake.state.add_token("old", None, expiry=datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert main(["palette", "tokens", "list", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == [
        {
            "uid": old.uid,
            "name": "old",
            "state": "expired",
            "expires": "2020-01-01T00:00:00Z",
            "project": None,
        },
        {
            "uid": made.uid,
            "name": "stores",
            "state": "active",
            "expires": "2030-01-01T00:00:00Z",
            "project": {"uid": fake.default_project, "name": "Default"},
        },
    ]
    assert main(["palette", "tokens", "list"]) == 0
    table = capsys.readouterr().out
    assert "stores" in table and "active" in table and "Default" in table
    assert made.value not in out + table and old.value not in out + table


def test_tokens_create_to_stdout(fake: FakePalette, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["palette", "tokens", "create", "site-a", "--expiry", "2d"]) == 0
    out, err = capsys.readouterr()
    (token,) = fake.state.tokens.values()
    assert out == token.value + "\n"
    assert err.startswith(f"created registration token site-a ({token.uid}) in project Default")
    assert token.value not in err
    assert token.expiry is not None
    left = token.expiry - datetime.now(timezone.utc)
    assert timedelta(days=2) - timedelta(minutes=1) < left <= timedelta(days=2)


def test_tokens_create_to_a_0600_file(
    fake: FakePalette, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["palette", "tokens", "create", "site-b", "--output", "token.txt"]) == 0
    out, err = capsys.readouterr()
    (token,) = fake.state.tokens.values()
    assert out == "" and token.value not in err and err.rstrip().endswith("written to token.txt")
    assert Path("token.txt").read_text() == token.value + "\n"
    assert stat.S_IMODE(Path("token.txt").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expiry", "soon"], "not a duration"),
        (["--output", "."], "is a directory"),
        (["--output", "palette-tailscale.yaml/token"], "is not a directory"),
        (["--project", "Nowhere"], "no project named 'Nowhere'"),
    ],
)
def test_tokens_create_refuses_bad_input_before_creating(
    fake: FakePalette, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["palette", "tokens", "create", "t", *args]) == 2
    assert message in capsys.readouterr().err
    assert fake.state.tokens == {}


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ({}, 0, "registration token stores: active, project Default, expires "),
        ({"active": False}, 2, "registration token stores is not active"),
        (
            {"expiry": datetime(2024, 5, 1, tzinfo=timezone.utc)},
            2,
            "registration token stores expired at 2024-05-01T00:00:00Z",
        ),
        ({"project": "other"}, 2, "belongs to project Retail, not to the configured project"),
    ],
)
def test_tokens_check(
    fake: FakePalette,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fields: dict[str, object],
    code: int,
    message: str,
) -> None:
    if fields.get("project") == "other":
        fields["project"] = fake.state.add_project("Retail")
    value = _use_token(monkeypatch, fake, **fields)
    assert main(["palette", "tokens", "check"]) == code
    out, err = capsys.readouterr()
    assert message in (out if code == 0 else err)
    assert value not in out + err


def test_tokens_check_unknown_token(
    fake: FakePalette, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PT_CLI_TOKEN", "no-such-token-value-123")
    assert main(["palette", "tokens", "check"]) == 2
    err = capsys.readouterr().err
    assert "(environment variable PT_CLI_TOKEN) is not one of the tenant's 0 registration" in err
    assert "no-such-token-value-123" not in err


def test_tokens_check_a_file(
    fake: FakePalette, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    token = fake.state.add_token("stores", fake.default_project)
    (tmp_path / "t").write_text(token.value + "\n")
    assert main(["palette", "tokens", "check", "--token-file", "t"]) == 0
    assert main(["palette", "tokens", "check", "--token-file", "missing"]) == 2
    assert "--token-file missing: no such file" in capsys.readouterr().err


def test_no_api_key_is_exit_2(fake: FakePalette, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("PALETTE_API_KEY")
    assert main(["palette", "tokens", "list"]) == 2
    assert "no Palette API key: set PALETTE_API_KEY" in capsys.readouterr().err
    assert fake.requests == []


# --- the check before writing --------------------------------------------------------------

WRITERS = {
    "render": (["render", "-o", "out"], "out"),
    "fleet render": (["fleet", "render", "-o", "out"], "out"),
    "fleet provision": (["fleet", "provision", "-o", "out"], "out"),
    "build": (["build", "--canvos", "CanvOS", "--dry-run"], None),
}


def _canvos() -> dict[str, str]:
    checkout = Path("CanvOS")
    checkout.mkdir()
    (checkout / "Dockerfile").write_text("FROM base\n# Add any other image customizations here\n")
    (checkout / "earthly.sh").write_text("#!/bin/sh\n")
    return _files(checkout)


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


@pytest.fixture
def tailnet(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTailnet]:
    with FakeTailnet() as server:
        monkeypatch.setenv("TAILSCALE_API_KEY", server.api_key)
        monkeypatch.setenv("TAILSCALE_BASE_URL", server.url)
        yield server


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_bad_token_stops_every_writer_before_it_writes(
    fake: FakePalette,
    tailnet: FakeTailnet,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    before = _canvos()
    value = _use_token(monkeypatch, fake, expiry=datetime(2024, 5, 1, tzinfo=timezone.utc))
    args, _out_dir = WRITERS[command]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert "palette-tailscale: error: registration token stores expired at 2024-05-01" in err
    assert value not in out + err
    assert not Path("out").exists() and _files(Path("CanvOS")) == before
    assert tailnet.requests == []  # no key was minted either


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_good_token_is_said_and_the_writer_goes_on(
    fake: FakePalette,
    tailnet: FakeTailnet,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    _canvos()
    value = _use_token(monkeypatch, fake)
    args, out_dir = WRITERS[command]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "palette-tailscale: registration token stores: active, project Default" in err
    assert value not in out + err
    assert out_dir is None or Path(out_dir).is_dir()
    assert fake.paths() == ["/v1/edgehosts/tokens", "/v1/dashboard/projects"]


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_no_check_without_a_key_or_with_no_token_check(
    fake: FakePalette,
    tailnet: FakeTailnet,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    _canvos()
    _use_token(monkeypatch, fake, active=False)  # a check would fail
    args, _ = WRITERS[command]
    assert main([*args, "--no-token-check"]) == 0
    monkeypatch.delenv("PALETTE_API_KEY")
    assert main(args) == 0
    assert fake.requests == []


def test_the_key_file_flag_and_url_flag(
    fake: FakePalette, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use_token(monkeypatch, fake)
    Path("palette.key").write_text(fake.api_key)
    monkeypatch.delenv("PALETTE_API_KEY")
    monkeypatch.delenv("PALETTE_BASE_URL")
    args = ["render", "-o", "out", "--palette-api-key-file", "palette.key"]
    assert main([*args, "--palette-url", fake.url]) == 0
    assert "active, project Default" in capsys.readouterr().err


def test_an_unset_token_reference_is_a_placeholder_not_a_check(
    fake: FakePalette, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "-o", "out", "--allow-placeholders"]) == 0
    assert "PLACEHOLDER" in capsys.readouterr().err
    assert fake.requests == []
