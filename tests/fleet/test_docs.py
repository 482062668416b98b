"""docs/fleet.md: every command and option is described; its examples are what the tool does."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from palette_tailscale.cli.fleet_cmd import fleet
from palette_tailscale.cli.main import main
from palette_tailscale.config import load_file
from palette_tailscale.fleet.inventory import load_inventory
from tests.conftest import REPO

DOC = (REPO / "docs" / "fleet.md").read_text()


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)


@pytest.mark.parametrize("name", sorted(fleet.commands))
def test_every_command_and_option_is_documented(name: str) -> None:
    assert f"## `fleet {name}`" in DOC
    section = DOC.split(f"## `fleet {name}`", 1)[1].split("\n## ", 1)[0]
    for param in fleet.commands[name].params:
        if isinstance(param, click.Option):
            assert any(opt in DOC for opt in param.opts), (name, param.opts)
            if "--provider" not in param.opts and param.name not in (
                "provider",
                "base_url",
                "tailnet",
                "api_key_file",
                "timeout",
                "verbose",
            ):
                assert any(opt in section for opt in param.opts), (name, param.opts)


def test_render_example_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TS_AUTHKEY", raising=False)
    console = next(b for b in _blocks("console") if "fleet render --example" in b)
    command, *expected = console.splitlines()
    args = command.removeprefix("$ palette-tailscale ").split()
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == expected
    notice = DOC.split("is not set:\n\n```\n", 1)[1].split("```", 1)[0]
    assert err == notice


def test_csv_and_inline_examples_load(tmp_path: Path) -> None:
    (tmp_path / "hosts.csv").write_text(_blocks("csv")[0])
    (tmp_path / "palette-tailscale.yaml").write_text("version: 1\nhosts: {from: hosts.csv}\n")
    hosts = load_inventory(load_file(tmp_path / "palette-tailscale.yaml")).hosts
    assert [(h.name, h.tags, h.palette_tags) for h in hosts] == [
        ("edge-store-0001", ("tag:store",), (("city", "paris"),)),
        ("edge-store-0002", ("tag:store", "tag:kiosk"), (("city", "paris"),)),
    ]
    inline = next(b for b in _blocks("yaml") if b.startswith("hosts:"))
    (tmp_path / "inline.yaml").write_text("version: 1\n" + inline)
    (host,) = load_inventory(load_file(tmp_path / "inline.yaml")).hosts
    assert (host.serial, host.project, host.palette_tags) == (
        "4C4C4544-0042",
        "Retail",
        (("city", "paris"),),
    )


def test_documented_inventory_error_is_the_real_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("hosts.csv").write_text("name\nedge-1\nEdge_2\n")
    Path("palette-tailscale.yaml").write_text("version: 1\nhosts: {from: hosts.csv}\n")
    assert main(["fleet", "render"]) == 2
    err = capsys.readouterr().err
    assert err.strip() in DOC
