"""``palette-tailscale lint``: check Kairos/Palette user-data files with numbered rules."""

from __future__ import annotations

import sys

import click

from ..lint.formats import FORMATS
from ..lint.problem import KINDS
from ..lint.registry import all_rules, get
from ..lint.report import default_format, lint_sources, render
from .common import use_color


def _ids(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    ids = tuple(part.strip().upper() for item in value for part in item.split(",") if part.strip())
    known = {rule.id for rule in all_rules()}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise click.BadParameter(f"unknown rule {', '.join(unknown)} (see --list-rules)")
    return ids


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: github under GitHub Actions, text on a terminal, "
    "parsable otherwise].",
)
@click.option(
    "--select",
    multiple=True,
    callback=_ids,
    metavar="IDS",
    help="Run only these rules (comma list, repeatable).",
)
@click.option(
    "--ignore",
    multiple=True,
    callback=_ids,
    metavar="IDS",
    help="Skip these rules (comma list, repeatable).",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="auto",
    show_default=True,
    help="What the files are: installer user-data, site user-data, system/drop-in files run "
    "from a stage directory, or guess per file.",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Say which kind each file was linted as (on stderr)."
)
@click.option("--list-rules", is_flag=True, help="List the rules and exit.")
@click.option("--explain", metavar="PT0NN", help="Show a rule's documentation and exit.")
def lint(
    paths: tuple[str, ...],
    fmt: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
    kind: str,
    verbose: bool,
    list_rules: bool,
    explain: str | None,
) -> int:  # fmt: skip
    """Check Kairos/Palette user-data files (PATHs, directories, or - for stdin).

    Directories are searched for files named user-data and *.yaml/*.yml. Exit codes: 0 clean,
    1 errors found (or warnings with --strict), 2 bad usage or unreadable input.
    """
    if list_rules:
        click.echo("".join(f"{r.id}  {r.level:<7}  {r.summary}\n" for r in all_rules()), nl=False)
        return 0
    if explain:
        click.echo(get(explain).explain(), nl=False)
        return 0
    report = lint_sources(
        paths or (".",),
        read_stdin=_read_stdin,
        kind=kind,
        select=select or None,
        ignore=ignore,
    )
    if verbose:
        click.echo("".join(f"{path}: {kind}\n" for path, kind in report.kinds.items()), nl=False,
                   err=True)  # fmt: skip
    chosen = fmt or default_format(sys.stdout.isatty())
    click.echo(render(report, chosen, color=use_color(sys.stdout)), nl=False)
    return 1 if report.failed(strict=strict) else 0


def _read_stdin() -> bytes:
    # The raw bytes, so invalid UTF-8 is reported like any other file's.
    return sys.stdin.buffer.read()
