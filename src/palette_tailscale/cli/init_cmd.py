"""``init`` and ``schema``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..atomic import write_atomic
from ..config import DEFAULT_PATH, Config, example_text
from ..errors import InputError
from .common import out_option


@click.command()
@out_option(
    dir_okay=False, default=DEFAULT_PATH, show_default=True, help="Where to write the config."
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(output: str, force: bool) -> int:
    """Write a commented starter config.

    The starter is the built-in example: edit the palette, canvos and tailscale sections and the
    hosts list, then run `palette-tailscale render`.
    """
    path = Path(output)
    if path.exists() and not force:
        raise InputError(f"{path} exists; use --force to overwrite it")
    write_atomic(path, example_text())
    click.echo(f"wrote {path}", err=True)
    return 0


def config_schema() -> dict[str, object]:
    schema = Config.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "palette-tailscale config, version 1"
    return schema


@click.command()
@out_option(dir_okay=False, help="Write to a file instead of stdout.")
def schema(output: str | None) -> int:
    """Print the JSON schema of the config file.

    Editors use it through a first line such as
    `# yaml-language-server: $schema=palette-tailscale.schema.json`.
    """
    text = json.dumps(config_schema(), indent=2, sort_keys=True) + "\n"
    if output:
        write_atomic(Path(output), text)
    else:
        click.echo(text, nl=False)
    return 0
