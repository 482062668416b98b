"""`palette tokens` on hostile input: bad URLs and keys, token files that are not files, outputs
that cannot be written. Each is a clean exit 2 before anything is created, never a crash."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from tests.fakes.palette_server import FakePalette


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakePalette]:
    monkeypatch.chdir(tmp_path)
    for name in ("PALETTE_API_KEY", "PALETTE_BASE_URL", "TAILSCALE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    Path("palette-tailscale.yaml").write_text("version: 1\npalette:\n  project: Default\n")
    with FakePalette() as server:
        monkeypatch.setenv("PALETTE_API_KEY", server.api_key)
        monkeypatch.setenv("PALETTE_BASE_URL", server.url)
        yield server


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("palette-tailscale: error: "), err
    assert "internal error" not in err
    return err


@pytest.mark.parametrize("url", ["ht!tp://x", "http://[::1", "http://a b", "javascript:x"])
def test_a_bad_palette_url(
    fake: FakePalette, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("PALETTE_BASE_URL", url)
    assert main(["palette", "tokens", "list"]) == 2
    assert "PALETTE_BASE_URL" in _error(capsys)
    assert fake.paths() == []


def test_a_palette_key_with_a_line_break(
    fake: FakePalette, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PALETTE_API_KEY", "key\r\nX-Evil: 1")
    assert main(["palette", "tokens", "list"]) == 2
    err = _error(capsys)
    assert "environment variable PALETTE_API_KEY: the API key holds a line break" in err
    assert "X-Evil" not in err


@pytest.mark.parametrize(
    ("path", "message"),
    [("/dev/zero", "is a character device, not a file"), ("/nonexistent/t", "no such file")],
)
def test_token_files_that_are_not_files(
    fake: FakePalette, capsys: pytest.CaptureFixture[str], path: str, message: str
) -> None:
    assert main(["palette", "tokens", "check", "--token-file", path]) == 2
    assert f"--token-file {path}: {message}" in _error(capsys)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_create_into_proc_creates_no_token(
    fake: FakePalette, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(fake.state.tokens)
    assert main(["palette", "tokens", "create", "stores", "--output", "/proc/palette-token"]) == 2
    assert "cannot write /proc/palette-token" in _error(capsys)
    assert len(fake.state.tokens) == before


def test_create_into_a_fifo_creates_no_token(
    fake: FakePalette, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo("token")
    before = len(fake.state.tokens)
    assert main(["palette", "tokens", "create", "stores", "--output", "token"]) == 2
    assert "it is a FIFO, not a regular file" in _error(capsys)
    assert len(fake.state.tokens) == before and Path("token").is_fifo()


def test_an_empty_palette_url_is_refused(
    fake: FakePalette, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["palette", "tokens", "list", "--base-url", ""]) == 2
    assert "--base-url: '' is not a URL" in _error(capsys)
    assert fake.requests == []
