"""`init` and `schema`: the starter config and the published JSON schema."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import jsonschema
import pytest

from palette_tailscale import yamlio
from palette_tailscale.cli.main import main
from palette_tailscale.config import example_text, load_file


def test_init_writes_a_starter_that_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "palette-tailscale.yaml"
    assert main(["init", "-o", str(target)]) == 0
    assert target.read_text() == example_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert capsys.readouterr().err == f"wrote {target}\n"
    loaded = load_file(target)
    assert loaded.warnings == []


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "palette-tailscale.yaml"
    target.write_text("mine\n")
    assert main(["init", "-o", str(target)]) == 2
    assert target.read_text() == "mine\n"
    err = capsys.readouterr().err
    assert err == f"palette-tailscale: error: {target} exists; use --force to overwrite it\n"
    assert main(["init", "-o", str(target), "--force"]) == 0
    assert target.read_text() == example_text()


def test_starter_is_commented() -> None:
    comments = [line for line in example_text().splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 10
    assert example_text().startswith("# yaml-language-server: $schema=")


def _schema(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["schema"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_schema_validates_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    schema = _schema(capsys)
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yamlio.to_python(yamlio.load(example_text()).root)
    jsonschema.validate(data, schema)


@pytest.mark.parametrize(
    "bad",
    [
        {"version": 1, "canvos": {"arch": "x86"}},
        {"version": 1, "tailscale": {"auth_key": {"env": 1}}},
        {"version": 1, "tailscale": {"deadline": 5}},
        {"version": 1, "hosts": [{"site": "no-name"}]},
        {"version": 2},
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    capsys: pytest.CaptureFixture[str], bad: dict[str, object]
) -> None:
    schema = _schema(capsys)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_schema_to_file(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["title"] == "palette-tailscale config, version 1"


def test_version_and_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "palette-tailscale, version 0.1.0\n"
    assert main(["no-such-command"]) == 2
    assert "No such command" in capsys.readouterr().err
