"""``completion``: the scripts load in their shells and complete commands and options."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from palette_tailscale.cli.main import main

from ..conftest import require_tool


def _tool_env() -> dict[str, str]:
    """PATH with the palette-tailscale of this interpreter first (the scripts call it)."""
    beside = Path(sys.executable).parent
    found = beside if (beside / "palette-tailscale").exists() else None
    if found is None:
        which = shutil.which("palette-tailscale")
        if which is None:
            pytest.skip("palette-tailscale is not installed as a command")
        found = Path(which).parent
    return {**os.environ, "PATH": f"{found}{os.pathsep}{os.environ.get('PATH', '')}"}


def _script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def test_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "tcsh"]) == 2
    assert "Invalid value for '{bash|zsh|fish}'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["dev"], "devices"),
        (["devices", "prune", "--al"], "--all-devices"),
        (["lint", "--exit"], "--exit-zero"),
        (["fleet", "st"], "status"),
    ],
)
def test_bash_completes_commands_and_options(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, words: list[str], expected: str
) -> None:
    bash = require_tool("bash")
    script = tmp_path / "completion.bash"
    script.write_text(_script("bash", capsys))
    line = " ".join(["palette-tailscale", *words])
    program = (
        f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words)}; "
        '_palette_tailscale_completion palette-tailscale; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = subprocess.run(
        [bash, "-c", program], env=_tool_env(), capture_output=True, text=True, check=True
    )
    assert expected in result.stdout.split()


def test_fish_completes_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fish = require_tool("fish")
    script = tmp_path / "palette-tailscale.fish"
    script.write_text(_script("fish", capsys))
    program = f"source {script}; complete -C 'palette-tailscale devices pr'"
    result = subprocess.run(
        [fish, "--no-config", "-c", program],
        env=_tool_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "prune" in [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert result.stderr == ""  # a script fish cannot parse still exits 0, with errors here


def test_fish_shows_an_options_whole_help_on_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Help with commas and line breaks reaches fish whole, as the candidate's description."""
    fish = require_tool("fish")
    script = tmp_path / "palette-tailscale.fish"
    script.write_text(_script("fish", capsys))
    program = f"source {script}; complete -C 'palette-tailscale devices prune --all-d'"
    result = subprocess.run(
        [fish, "--no-config", "-c", program],
        env=_tool_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    from palette_tailscale.cli.main import cli

    prune = cli.get_command(click.Context(cli), "devices").commands["prune"]  # type: ignore[union-attr]
    option = next(p for p in prune.params if p.name == "all_devices")
    expected = " ".join((getattr(option, "help", None) or "").split())
    assert "," in expected
    assert result.stdout.splitlines() == [f"--all-devices\t{expected}"]
    assert result.stderr == ""


def test_zsh_script_parses_and_its_protocol_answers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    zsh = require_tool("zsh")
    script = tmp_path / "_palette-tailscale"
    script.write_text(_script("zsh", capsys))
    subprocess.run([zsh, "-n", str(script)], check=True)
    assert "_PALETTE_TAILSCALE_COMPLETE=zsh_complete" in script.read_text()
    env = {
        **_tool_env(),
        "_PALETTE_TAILSCALE_COMPLETE": "zsh_complete",
        "COMP_WORDS": "palette-tailscale keys re",
        "COMP_CWORD": "2",
    }
    result = subprocess.run(
        ["palette-tailscale"], env=env, capture_output=True, text=True, check=True
    )
    assert "revoke" in result.stdout.splitlines()


def test_the_readme_install_lines_work(tmp_path: Path) -> None:
    """The README's lines, run as written in a fresh HOME, install scripts the shells use."""
    from ..conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Shell completion", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    env = {**_tool_env(), "HOME": str(tmp_path)}
    subprocess.run([require_tool("bash"), "-e", "-c", block], env=env, check=True)
    bash_file = tmp_path / ".local/share/bash-completion/completions/palette-tailscale"
    program = (
        f"source {bash_file}; COMP_WORDS=(palette-tailscale comp); COMP_CWORD=1; "
        '_palette_tailscale_completion palette-tailscale; echo "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", program], env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["completion"]
    assert (tmp_path / ".zfunc/_palette-tailscale").read_text().startswith("#compdef")
    fish = require_tool("fish")
    done = subprocess.run(  # fish autoloads ~/.config/fish/completions by itself
        [fish, "-c", "complete -C 'palette-tailscale comp'"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == ["completion"]
