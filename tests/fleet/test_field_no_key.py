"""No key appears in the manifest, in `fleet inspect` output or in `fleet status` JSON (a grep)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from tests.fakes.tailnet_server import FakeTailnet

from .fieldkit import NAMES, all_secrets, fleet, workdir

__all__ = ["fleet", "workdir"]  # fixtures

KEY_SHAPE = re.compile(r"tskey-auth-k")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    main(["fleet", *args])
    out, err = capsys.readouterr()
    return out + err


def test_no_key_in_any_field_output(fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "provision", "--rotate", "--only", "edge-1"]) == 0  # a revoked key too
    capsys.readouterr()
    fleet.state.add_device("edge-3", online=True, tags=["tag:edge"])
    outputs = [
        _run(capsys, "manifest"),
        _run(capsys, "manifest", "--format", "json"),
        _run(capsys, "manifest", "--file", "manifest.csv"),
        Path("manifest.csv").read_text(),
        _run(capsys, "status", "--format", "json"),
        _run(capsys, "status", "--format", "json", "--check-keys"),
        _run(capsys, "status", "--check-keys"),
    ]
    for name in NAMES:
        for path in (f"fleet/hosts/{name}/{name}.iso", f"fleet/hosts/{name}/user-data"):
            outputs.append(_run(capsys, "inspect", path))
            outputs.append(_run(capsys, "inspect", path, "--format", "json"))
        outputs.append(_run(capsys, "flash", name, f"{name}.img"))
        outputs.append(_run(capsys, "inspect", f"{name}.img", "--format", "json"))
    text = "\n".join(outputs)
    secrets = all_secrets(fleet)
    assert len(secrets) == 4
    # the files do hold the keys: the grep below would find them if any output carried one
    held = "".join(Path(f"fleet/hosts/{n}/user-data").read_text() for n in NAMES)
    assert sum(secret in held for secret in secrets) == 3
    assert KEY_SHAPE.search(held)
    assert [secret for secret in secrets if secret in text] == []
    assert not KEY_SHAPE.search(text)
    assert "edge-1" in text and "check " in text  # the outputs are the real ones
