"""What ``render`` and ``build`` tell the user about files: diffs, conflicts, backups, notices."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import click

from ..render.canvos import CanvosPlan
from ..render.diff import mask, unified, write_diff
from ..render.output import FileWrite
from ..render.plan import Rendered
from ..secrets import REDACTED, Secret

_SECRET_WHERE: Final = re.compile(r"(?i)(token|key|secret|password)")


def print_diffs(writes: Sequence[FileWrite], secrets: Sequence[Secret]) -> None:
    """A unified diff of every write that changes content, on stdout."""
    for write in writes:
        text = write_diff(write, secrets)
        if text:
            click.echo(text, nl=False)


def report_conflicts(plan: CanvosPlan, secrets: Sequence[Secret]) -> None:
    """Each conflict on a line, then the diff from the user's values to the render's (stderr)."""
    for found in plan.conflicts:
        for conflict in found.conflicts:
            theirs, ours = conflict.theirs, conflict.ours
            if _SECRET_WHERE.search(conflict.where):
                theirs = ours = REDACTED
            click.echo(
                f"palette-tailscale: conflict: {found.path}: {conflict.where}: the checkout has "
                f"{mask(theirs, secrets)!r}, the render has {mask(ours, secrets)!r}",
                err=True,
            )
    for found in plan.conflicts:
        name = str(found.path)
        labels = (f"{name} (yours)", f"{name} (with --force)")
        text = unified(name, found.theirs, found.forced, secrets=secrets, labels=labels)
        click.echo(text, nl=False, err=True)


def report_kept(plan: CanvosPlan | None) -> None:
    for where in plan.kept if plan else ():
        click.echo(
            f"palette-tailscale: NOTICE: kept the real value of {where}: the render has only a "
            "placeholder there",
            err=True,
        )


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


def report_written(
    writes: Sequence[FileWrite], changed: Sequence[FileWrite], backups: Sequence[FileWrite] = ()
) -> None:
    written = {w.path for w in changed}
    kept = {b.path for b in backups}
    for write in writes:
        state = "wrote" if write.path in written else "unchanged"
        extra = f"; the previous one is {write.backup_path}" if write.backup_path in kept else ""
        click.echo(f"{state} {write.path} (mode {write.mode:04o}{extra})", err=True)
