"""``render``: config → Dockerfile block, installer user-data and .arg (and into a checkout)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from ..render.canvos import CanvosPlan, ConflictError, canvos_plan
from ..render.output import FileWrite, output_writes, pending, write_files
from ..render.plan import Rendered, render_all
from .common import UserPath, config_options, inventory_hosts, load_config, out_option
from .palette_common import gate_token, palette_flags, token_check_options
from .render_output import (
    print_diffs,
    report_conflicts,
    report_kept,
    report_placeholders,
    report_written,
)

DEFAULT_OUTPUT = "build"


@click.command()
@config_options
@out_option(
    file_okay=False,
    help=f"Directory for the three files [default: {DEFAULT_OUTPUT}, or none with --canvos].",
)
@click.option(
    "--canvos",
    type=UserPath(file_okay=False),
    default=None,
    help="Apply into this CanvOS checkout (Dockerfile, user-data, .arg).",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@click.option("--diff", is_flag=True, help="Print a unified diff of every file that changes.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace values the checkout holds that differ from the render (never by a placeholder).",
)
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
    diff: bool,
    force: bool,
    allow_placeholders: bool,
    palette_url: str | None,
    palette_api_key_file: str | None,
    no_token_check: bool,
) -> int:
    """Render the CanvOS inputs from the config.

    Writes Dockerfile.tailscale (the block for CanvOS's Dockerfile), user-data (the installer
    user-data, mode 0600 when it holds a secret) and .arg. With --canvos DIR the three are
    applied into a CanvOS checkout instead (add -o to get both); running it again changes
    nothing. A value the checkout already holds (a token, the project, a .arg variable) is never
    replaced without --force, and each file replaced is first kept as FILE.bak.

    With a Palette API key (PALETTE_API_KEY, palette.api_key or --palette-api-key-file), the
    registration token is first checked against Palette: a bad one stops with exit 2.

    Exit codes: 0 written or up to date, 1 --check found files that would change, 2 bad input
    or values in the checkout that the render would replace.
    """
    loaded = load_config(config_path, example, strict)
    hosts = inventory_hosts(loaded, strict)
    rendered = render_all(loaded, allow_placeholders=allow_placeholders, hosts=hosts)
    gate_token(loaded, palette_flags(palette_url, palette_api_key_file), skip=no_token_check)
    writes, plan = planned_writes(rendered, output, canvos, force=force)
    if plan is not None and plan.conflicts and not force:
        report_conflicts(plan, rendered.secrets)
        raise ConflictError(plan.conflicts)
    if diff:
        print_diffs(pending(writes), rendered.secrets)
    if check:
        code = report_check(writes)
    else:
        changed = pending(writes)
        report_written(writes, changed, write_files(changed))
        code = 0
    report_kept(plan)
    report_placeholders(rendered)
    return code


def planned_writes(
    rendered: Rendered, output: str | None, canvos: str | None, *, force: bool = False
) -> tuple[list[FileWrite], CanvosPlan | None]:
    writes: list[FileWrite] = []
    plan = None
    if output is not None or canvos is None:
        writes.extend(output_writes(rendered, Path(output or DEFAULT_OUTPUT)))
    if canvos is not None:
        plan = canvos_plan(rendered, Path(canvos), force=force)
        writes.extend(plan.writes)
    return writes, plan


def report_check(writes: Sequence[FileWrite]) -> int:
    changed = pending(writes)
    for write in changed:
        verb = "would be created" if write.status() == "new" else "would change"
        click.echo(f"{write.path}: {verb}", err=True)
    if changed:
        return 1
    click.echo("palette-tailscale: everything is up to date", err=True)
    return 0
