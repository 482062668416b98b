"""``palette-tailscale lint``: check Kairos/Palette user-data files with numbered rules."""

from __future__ import annotations

import json
import sys

import click

from ..lint.formats import FORMATS
from ..lint.problem import KINDS
from ..lint.registry import all_rules, get
from ..lint.report import Report, default_format, lint_sources, render
from ..lint.sources import read_stream
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
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: github under GitHub Actions, text on a terminal, "
    "parsable otherwise]; with --list-rules, text or json.",
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
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip files whose path, or any folder or file name in it, matches GLOB (repeatable).",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="auto",
    show_default=True,
    help="What the files are: installer user-data, site user-data, system/drop-in files run "
    "from a stage directory, or guess per file.",
)
@click.option(
    "--jobs",
    type=click.IntRange(0, 256),
    default=0,
    help="Worker processes [default: 0, one per core for a few hundred files or more].",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Say which kind each file was linted as, and which were skipped (on stderr).",
)
@click.option("--list-rules", is_flag=True, help="List the rules and exit.")
@click.option("--explain", metavar="PT0NN", help="Show a rule's documentation and exit.")
def lint(
    paths: tuple[str, ...],
    fmt: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    strict: bool,
    exit_zero: bool,
    kind: str,
    jobs: int,
    verbose: bool,
    list_rules: bool,
    explain: str | None,
) -> int:  # fmt: skip
    """Check Kairos/Palette user-data files (PATHs, directories, or - for stdin).

    Directories are searched for files named user-data and *.yaml/*.yml; of those, files that
    are not user-data (no #cloud-config header and none of the keys stages, stylus, install,
    users, write_files: a tool config, a Kubernetes manifest) are skipped. Files named on the
    command line are always linted. Exit codes: 0 clean, 1 errors found (or warnings with
    --strict; never with --exit-zero), 2 bad usage or unreadable input.
    """
    if list_rules:
        click.echo(_rules_listing(fmt), nl=False)
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
        exclude=exclude,
        jobs=jobs,
    )
    _report_kinds(report, verbose)
    chosen = fmt or default_format(sys.stdout.isatty())
    click.echo(render(report, chosen, color=use_color(sys.stdout)), nl=False)
    return 1 if report.failed(strict=strict) and not exit_zero else 0


def _rules_listing(fmt: str | None) -> str:
    if fmt not in (None, "text", "json"):
        raise click.UsageError(f"--list-rules prints text or json, not {fmt}")
    rules = all_rules()
    if fmt == "json":
        data = [{"id": r.id, "level": r.level, "summary": r.summary} for r in rules]
        return json.dumps(data, indent=2) + "\n"
    return "".join(f"{r.id}  {r.level:<7}  {r.summary}\n" for r in rules)


def _report_kinds(report: Report, verbose: bool) -> None:
    """With --verbose, each file's kind (or why it was skipped), in lint order; and a word when
    a search found YAML but no user-data."""
    if verbose:
        click.echo("".join(f"{path}: {kind}\n" for path, kind in report.kinds.items()), nl=False,
                   err=True)  # fmt: skip
    if report.skipped and not report.files:
        more = "" if verbose else " (--verbose names them)"
        click.echo(
            f"palette-tailscale: nothing to lint: {len(report.skipped)} YAML file"
            f"{'s' if len(report.skipped) != 1 else ''} found, none of them user-data{more}",
            err=True,
        )


def _read_stdin() -> bytes:
    # The raw bytes, so invalid UTF-8 is reported like any other file's.
    return read_stream(sys.stdin.buffer, "<stdin>")
