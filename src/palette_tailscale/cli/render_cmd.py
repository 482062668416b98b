"""``render``: config → Dockerfile block, installer user-data and .arg (and into a checkout)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from ..render.canvos import canvos_writes
from ..render.output import FileWrite, output_writes, pending, write_files
from ..render.plan import Rendered, render_all
from .common import config_options, load_config
from .palette_common import gate_token, palette_flags, token_check_options

DEFAULT_OUTPUT = "build"


@click.command()
@config_options
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default=None,
    help=f"Directory for the three files [default: {DEFAULT_OUTPUT}, or none with --canvos].",
)
@click.option(
    "--canvos",
    type=click.Path(file_okay=False),
    default=None,
    help="Apply into this CanvOS checkout (Dockerfile, user-data, .arg).",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@click.option(
    "--allow-placeholders",
    is_flag=True,
    help="Use a placeholder for an unset secret reference instead of failing.",
)
@token_check_options
def render(
    config_path: str | None,
    example: bool,
    strict: bool,
    output: str | None,
    canvos: str | None,
    check: bool,
    allow_placeholders: bool,
    palette_url: str | None,
    palette_api_key_file: str | None,
    no_token_check: bool,
) -> int:
    """Render the CanvOS inputs from the config.

    Writes Dockerfile.tailscale (the block for CanvOS's Dockerfile), user-data (the installer
    user-data, mode 0600 when it holds a secret) and .arg. With --canvos DIR the three are
    applied into a CanvOS checkout instead (add -o to get both); running it again changes
    nothing.

    With a Palette API key (PALETTE_API_KEY, palette.api_key or --palette-api-key-file), the
    registration token is first checked against Palette: a bad one stops with exit 2.

    Exit codes: 0 written or up to date, 1 --check found files that would change, 2 bad input.
    """
    loaded = load_config(config_path, example, strict)
    rendered = render_all(loaded, allow_placeholders=allow_placeholders)
    gate_token(loaded, palette_flags(palette_url, palette_api_key_file), skip=no_token_check)
    writes = planned_writes(rendered, output, canvos)
    if check:
        code = report_check(writes)
    else:
        changed = pending(writes)
        write_files(changed)
        report_written(writes, changed)
        code = 0
    report_placeholders(rendered)
    return code


def planned_writes(rendered: Rendered, output: str | None, canvos: str | None) -> list[FileWrite]:
    writes: list[FileWrite] = []
    if output is not None or canvos is None:
        writes.extend(output_writes(rendered, Path(output or DEFAULT_OUTPUT)))
    if canvos is not None:
        writes.extend(canvos_writes(rendered, Path(canvos)))
    return writes


def report_placeholders(rendered: Rendered) -> None:
    if not rendered.placeholders:
        return
    click.echo(
        "palette-tailscale: NOTICE: the output holds PLACEHOLDERS, not real secrets; "
        "replace them before building an image:",
        err=True,
    )
    for text in rendered.placeholders:
        click.echo(f"palette-tailscale: NOTICE:   {text}", err=True)


def report_check(writes: Sequence[FileWrite]) -> int:
    changed = pending(writes)
    for write in changed:
        verb = "would be created" if write.status() == "new" else "would change"
        click.echo(f"{write.path}: {verb}", err=True)
    if changed:
        return 1
    click.echo("palette-tailscale: everything is up to date", err=True)
    return 0


def report_written(writes: Sequence[FileWrite], changed: Sequence[FileWrite]) -> None:
    written = {w.path for w in changed}
    for write in writes:
        state = "wrote" if write.path in written else "unchanged"
        click.echo(f"{state} {write.path} (mode {write.mode:04o})", err=True)
