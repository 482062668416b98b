"""docs/fleet.md "In the field": its label and check-code recipes do what they say."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from tests.fakes.tailnet_server import FakeTailnet

from ..conftest import REPO, require_tool
from .fieldkit import NAMES, fleet, workdir

__all__ = ["fleet", "workdir"]  # fixtures

DOC = (REPO / "docs" / "fleet.md").read_text()
FIELD = DOC.split("## In the field", 1)[1].split("\n## ", 1)[0]


def _line(pattern: str) -> str:
    (found,) = [ln.strip() for ln in FIELD.splitlines() if re.search(pattern, ln)]
    return found


def _manifest(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, str]]:
    import json

    assert main(["fleet", "manifest", "--format", "json"]) == 0
    return {h["name"]: h for h in json.loads(capsys.readouterr().out)["hosts"]}


def test_label_lines_from_jq(fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("jq")
    manifest = _manifest(capsys)
    assert main(["fleet", "manifest", "--format", "json"]) == 0
    json_text = capsys.readouterr().out
    recipe = _line(r"^\s*jq -r").removesuffix("> labels.txt").strip()
    labels = subprocess.run(
        ["sh", "-c", recipe], input=json_text, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert labels == [
        f"{n}  check {manifest[n]['check']}  use by {manifest[n]['use_before'][:10]}" for n in NAMES
    ]
    # the `while read` loops take the fields the labels need, in this order
    fields = subprocess.run(
        ["sh", "-c", 'while read -r name _ check _ _ day; do echo "$name|$check|$day"; done'],
        input="\n".join(labels) + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert (
        fields[0] == f"edge-1|{manifest['edge-1']['check']}|{manifest['edge-1']['use_before'][:10]}"
    )
    assert "while read -r name _ check _ _ day; do" in FIELD


def test_check_code_of_a_stick_without_the_tool(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    require_tool("isoinfo")
    manifest = _manifest(capsys)
    iso = Path("fleet/hosts/edge-2/edge-2.iso").read_bytes()
    Path("stick.img").write_bytes(iso + b"\x5a" * 300_000)  # a stick is larger than its ISO
    recipe = FIELD.split("```sh\nblocks=", 1)[1].split("```", 1)[0]
    script = ("blocks=" + recipe).replace("/dev/sdb", "stick.img")
    code = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert code.stdout.strip() == manifest["edge-2"]["check"]


def test_every_field_command_shown_exists() -> None:
    for command in re.findall(r"palette-tailscale fleet (\w[\w-]*)", FIELD):
        assert f"## `fleet {command}`" in DOC, command
