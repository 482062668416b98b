"""``build``: apply the render into a CanvOS checkout, then run its Earthly build."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click

from ..errors import InputError
from ..render.canvos import CanvosPlan, ConflictError, canvos_plan
from ..render.output import FileWrite, pending, write_files
from ..render.plan import Rendered, render_all
from .common import UserPath, config_options, inventory_hosts, load_config
from .palette_common import gate_token, palette_flags, token_check_options
from .render_output import (
    print_diffs,
    report_conflicts,
    report_kept,
    report_placeholders,
    report_written,
)

DEFAULT_TARGET = "+build-all-images"
_TARGET_RE = re.compile(r"^\+[a-z0-9][a-z0-9-]*$")


@click.command()
@click.option(
    "--canvos",
    type=UserPath(file_okay=False),
    required=True,
    help="The CanvOS checkout to build in.",
)
@config_options
@click.option(
    "--target",
    default=DEFAULT_TARGET,
    show_default=True,
    help="The Earthly target passed to ./earthly.sh.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the files that would change (with a diff) and the command; do nothing.",
)
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
def build(
    canvos: str,
    config_path: str | None,
    example: bool,
    strict: bool,
    target: str,
    dry_run: bool,
    force: bool,
    allow_placeholders: bool,
    palette_url: str | None,
    palette_api_key_file: str | None,
    no_token_check: bool,
) -> int:
    """Apply the render into a CanvOS checkout and run ./earthly.sh TARGET there.

    Earthly's output is streamed and its exit code is returned. CanvOS's earthly.sh runs
    Earthly in a Docker container, so Docker must be on PATH. A build whose user-data would
    carry placeholders (--example without the secrets set) is refused unless
    --allow-placeholders is given, and values the checkout already holds are never replaced
    without --force. --dry-run still checks the checkout (earthly.sh).

    --dry-run writes and runs nothing: it prints what would change, with a diff, and exits with
    the code the build would get before Earthly starts (2 when it would be refused).

    Exit codes: the build's own, or 2 for bad input, a refusal or a missing tool.
    """
    if not _TARGET_RE.fullmatch(target):
        raise click.BadParameter(
            "an Earthly target such as +build-all-images", param_hint="--target"
        )
    loaded = load_config(config_path, example, strict)
    hosts = inventory_hosts(loaded, strict)
    rendered = render_all(loaded, allow_placeholders=allow_placeholders, hosts=hosts)
    gate_token(loaded, palette_flags(palette_url, palette_api_key_file), skip=no_token_check)
    checkout = Path(canvos)
    plan = canvos_plan(rendered, checkout, force=force)
    command = ["./earthly.sh", target]
    check_checkout(checkout)
    if dry_run:
        print_plan(plan.writes, checkout, command, rendered)
        report_kept(plan)
        report_placeholders(rendered)
        preflight(plan, rendered, checkout, force=force, allow_placeholders=allow_placeholders)
        return 0
    preflight(plan, rendered, checkout, force=force, allow_placeholders=allow_placeholders)
    changed = pending(plan.writes)
    report_written(plan.writes, changed, write_files(changed))
    report_kept(plan)
    report_placeholders(rendered)
    click.echo(f"palette-tailscale: running {shlex.join(command)} in {checkout}", err=True)
    return run_build(checkout, command)


def preflight(
    plan: CanvosPlan,
    rendered: Rendered,
    checkout: Path,
    *,
    force: bool,
    allow_placeholders: bool,
) -> None:
    """Every reason the build would stop before Earthly starts, as an exit-2 error."""
    if plan.conflicts and not force:
        report_conflicts(plan, rendered.secrets)
        raise ConflictError(plan.conflicts)
    if rendered.placeholders and not allow_placeholders:
        raise InputError(
            "the image would carry placeholders instead of secrets: "
            + "; ".join(rendered.placeholders),
            hint="set the secrets, or pass --allow-placeholders to build anyway",
        )
    check_tools(checkout)


def print_plan(
    writes: list[FileWrite], checkout: Path, command: list[str], rendered: Rendered
) -> None:
    for write in writes:
        status = write.status()
        verb = {"new": "would create", "changed": "would update"}.get(status, "unchanged:")
        click.echo(f"{verb} {write.path} (mode {write.mode:04o})")
    print_diffs(pending(writes), rendered.secrets)
    click.echo(f"would run: cd {shlex.quote(str(checkout))} && {shlex.join(command)}")


def check_checkout(checkout: Path) -> None:
    """A CanvOS checkout has its build script (``--dry-run`` checks this too)."""
    script = checkout / "earthly.sh"
    if not script.is_file():
        raise InputError(f"{script}: missing; is {checkout} a CanvOS checkout?")


def check_tools(checkout: Path) -> None:
    """Fail before writing anything when the build cannot start."""
    check_checkout(checkout)
    if shutil.which("docker") is None:
        raise InputError(
            "docker is not on PATH; CanvOS's earthly.sh runs Earthly in a Docker container",
            hint="install Docker, or use --dry-run to see the plan",
        )


def run_build(checkout: Path, command: list[str]) -> int:
    """Run the build with inherited stdout/stderr (streamed) and return its exit code."""
    try:
        result = subprocess.run(command, cwd=checkout, check=False)
    except PermissionError:
        raise InputError(f"{checkout / 'earthly.sh'}: not executable (chmod +x it)") from None
    except OSError as exc:
        raise InputError(f"cannot run {command[0]} in {checkout}: {exc.strerror}") from None
    code = result.returncode
    return 128 - code if code < 0 else code
