"""One spelling across commands: --format text|json wherever data is printed, -o/--out for
every output path (--output still accepted, not listed)."""

from __future__ import annotations

import click
import pytest

from palette_tailscale.cli.main import cli

DATA_COMMANDS = [
    "keys create",
    "keys list",
    "keys revoke",
    "devices list",
    "devices prune",
    "devices rename",
    "devices tag",
    "fleet render",
    "fleet provision",
    "fleet status",
    "fleet revoke-unused",
    "fleet inspect",
    "palette tokens list",
]
OUTPUT_COMMANDS = [
    "init",
    "schema",
    "render",
    "keys create",
    "palette tokens create",
    "fleet render",
    "fleet provision",
    "fleet status",
    "fleet revoke-unused",
    "fleet manifest",
]


def _command(path: str) -> click.Command:
    ctx = click.Context(cli)
    command: click.Command = cli
    for name in path.split():
        assert isinstance(command, click.Group)
        found = command.get_command(ctx, name)
        assert found is not None, path
        command = found
    return command


def _option(command: click.Command, flag: str) -> click.Option | None:
    for param in command.params:
        if isinstance(param, click.Option) and flag in param.opts:
            return param
    return None


@pytest.mark.parametrize("path", DATA_COMMANDS)
def test_data_commands_take_format_text_or_json(path: str) -> None:
    option = _option(_command(path), "--format")
    assert option is not None, path
    assert isinstance(option.type, click.Choice)
    assert {"text", "json"} <= set(option.type.choices) and option.default == "text"


@pytest.mark.parametrize("path", OUTPUT_COMMANDS)
def test_output_paths_are_o_out_with_output_hidden(path: str) -> None:
    command = _command(path)
    option = _option(command, "--out")
    assert option is not None and option.opts[:2] == ["-o", "--out"], path
    assert "--output" in option.opts  # the old spelling still works
    record = option.get_help_record(click.Context(command))
    assert record is not None and "--output" not in record[0]
