"""``init`` and ``schema``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..atomic import check_writable, write_atomic
from ..config import DEFAULT_PATH
from ..config.schema import SCHEMA_NAME, config_schema
from ..config.starter import starter_text
from ..errors import InputError
from .common import out_option


@click.command()
@out_option(
    dir_okay=False, default=DEFAULT_PATH, show_default=True, help="Where to write the config."
)
@click.option("--project", default=None, metavar="NAME", help="The Palette project.")
@click.option(
    "--headscale", default=None, metavar="URL", help="Use this Headscale server (login_server)."
)
@click.option(
    "--hosts",
    default=None,
    metavar="FILE",
    help="Read the hosts from this CSV or YAML inventory instead of listing them inline.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing config.")
def init(
    output: str, project: str | None, headscale: str | None, hosts: str | None, force: bool
) -> int:
    """Write a commented starter config, and its JSON schema beside it.

    The starter is the built-in example: edit the palette, canvos and tailscale sections and the
    hosts, then run `palette-tailscale render`. Its first line points editors (through the YAML
    language server) at palette-tailscale.schema.json, written in the same directory.
    """
    path = Path(output)
    if path.exists() and not force:
        raise InputError(f"{path} exists; use --force to overwrite it")
    text = starter_text(project=project, headscale=headscale, hosts=hosts)
    schema_path = path.parent / SCHEMA_NAME
    check_writable(schema_path)
    write_atomic(path, text)
    write_atomic(schema_path, schema_text())
    click.echo(f"wrote {path}", err=True)
    click.echo(f"wrote {schema_path}", err=True)
    if hosts is not None and not (path.parent / hosts).exists():
        click.echo(f"palette-tailscale: note: the inventory {hosts} does not exist yet", err=True)
    return 0


def schema_text() -> str:
    return json.dumps(config_schema(), indent=2, sort_keys=True) + "\n"


@click.command()
@out_option(dir_okay=False, help="Write to a file instead of stdout.")
def schema(output: str | None) -> int:
    """Print the JSON schema of the config file.

    It forbids unknown keys and carries the patterns the config's values must match. `init`
    writes it beside the config as palette-tailscale.schema.json, which the starter's first
    line, `# yaml-language-server: $schema=palette-tailscale.schema.json`, points editors at.
    """
    text = schema_text()
    if output:
        write_atomic(Path(output), text)
    else:
        click.echo(text, nl=False)
    return 0
