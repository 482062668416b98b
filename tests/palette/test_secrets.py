"""No secret in any output, log, error, journal or repr: the Palette API key, registration tokens
and tailnet keys, grepped for after every command has run, faults whose server messages echo
the secrets included. The only places a secret may be are the ones made to carry it: `tokens
create`'s stdout and --output file, the installer user-data (registration token) and each
host's site user-data and ISO (its auth key)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from palette_tailscale.tailnet import redaction, set_testing
from tests.fakes.palette_server import FakePalette, Fault
from tests.fakes.tailnet_server import FakeTailnet

from .conftest import open_env, settings_for

CONFIG = """version: 1
palette:
  project: Default
  registration_token: {env: PT_SECRET_TOKEN}
  api_key: {env: PT_SECRET_PALETTE_KEY}
tailscale:
  tags: [tag:edge]
hosts:
  - name: edge-1
    palette: {tags: {city: paris}}
  - name: edge-2
"""
MEANT_TO_HOLD = {"user-data", "edge-1.iso", "edge-2.iso", "token.txt"}


def test_no_secret_escapes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    Path("palette-tailscale.yaml").write_text(CONFIG)
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    set_testing(True)
    with FakePalette() as palette, FakeTailnet() as tailnet:
        token = palette.state.add_token("stores", palette.default_project)
        other = palette.state.add_token("spare", None)
        monkeypatch.setenv("PT_SECRET_TOKEN", token.value)
        monkeypatch.setenv("PT_SECRET_PALETTE_KEY", palette.api_key)
        monkeypatch.setenv("PALETTE_BASE_URL", palette.url)
        monkeypatch.setenv("TAILSCALE_API_KEY", tailnet.api_key)
        monkeypatch.setenv("TAILSCALE_BASE_URL", tailnet.url)

        def run(*args: str, code: int | None = 0) -> None:
            redaction._values.clear()  # each command is a fresh process: it knows no secret yet
            result = main(list(args))
            out, err = capsys.readouterr()
            seen.extend([out, err])
            assert code is None or result == code, (args, out, err)

        run("palette", "tokens", "list")
        run("palette", "tokens", "list", "--format", "json")
        run("palette", "tokens", "check")
        run("palette", "tokens", "create", "made", "--output", "token.txt")
        run("render", "-o", "out")
        run("fleet", "render", "-o", "fleet-render")
        run("fleet", "provision", "--palette", "-o", "fleet")
        run("fleet", "status", code=1)
        run("fleet", "status", "--format", "json", code=1)
        # Servers that echo, in their error messages, the secrets each command holds.
        for echoed in (palette.api_key, token.value):
            palette.add_fault(Fault("status", path="/tokens", status=400, message=echoed))
            run("palette", "tokens", "check", code=2)
        for echoed in (palette.api_key, tailnet.api_key):
            palette.add_fault(Fault("status", path="/search", status=503, times=9, message=echoed))
            tailnet.add_fault(Fault("status", path="/devices", status=400, message=echoed))
            run("fleet", "status", code=1)
        palette.add_fault(
            Fault("status", method="POST", path="/tokens", status=500, message=palette.api_key)
        )
        run("palette", "tokens", "create", "again", "--output", "token2.txt", code=1)
        monkeypatch.setenv("PT_SECRET_TOKEN", other.value)  # a token of no project
        run("render", "-o", "out", code=2)
        env = open_env(palette)
        seen += [repr(env.client), repr(env.client.http.auth), repr(settings_for(palette))]
        seen += [repr(t) for t in env.client.list_tokens()]
        env.client.close()
        minted = [k.key for k in tailnet.state.keys.values()]
        created = [t.value for t in palette.state.tokens.values() if t.name in ("made", "again")]
    set_testing(False)
    secrets = [palette.api_key, token.value, other.value, tailnet.api_key, *minted, *created]
    assert len(minted) == 2 and len(created) >= 1
    seen.append(caplog.text)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    for path in files:
        if path.name not in MEANT_TO_HOLD and path.name != "palette-tailscale.yaml":
            seen.append(path.read_bytes().decode("utf-8", "replace"))
    assert any(p.name == "journal.jsonl" for p in files)
    text = "\n".join(seen)
    for secret in secrets:
        assert secret not in text
    # and where they are meant to be, they are: the grep would notice them
    assert token.value in (tmp_path / "out" / "user-data").read_text()
    assert any(key in (tmp_path / "fleet/hosts/edge-1/user-data").read_text() for key in minted)
