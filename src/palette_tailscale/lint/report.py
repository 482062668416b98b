"""One lint run over files, directories and stdin, and its rendering in the chosen format."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Final

from . import formats
from .parallel import Options, default_jobs, lint_all, lint_data, raise_error
from .problem import Problem, fails
from .sarif import sarif
from .sources import NOT_USER_DATA, collect

STDIN: Final = "-"
STDIN_NAME: Final = "<stdin>"


@dataclass(frozen=True)
class Report:
    problems: list[Problem]
    files: int
    lines: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # path -> "kind (why)", in lint order
    skipped: list[str] = field(default_factory=list)  # found in a directory, not user-data

    def failed(self, *, strict: bool) -> bool:
        return fails(self.problems, strict=strict)


def lint_sources(
    paths: Sequence[str],
    *,
    read_stdin: Callable[[], bytes],
    kind: str = "auto",
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
    exclude: Sequence[str] = (),
    jobs: int = 1,
) -> Report:
    """Lint every source; missing paths raise InputError before anything is linted.

    ``jobs`` 0 picks one process per core for large runs; the report is the same either way.
    """
    resolved = {p: collect([p], exclude=exclude) for p in paths if p != STDIN}
    sources = [s for p in paths if p != STDIN for s in resolved[p]]
    options = Options(kind, select, ignore)
    done = {
        item.path: item for item in lint_all(sources, options, jobs or default_jobs(len(sources)))
    }
    problems: list[Problem] = []
    lines: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    skipped: list[str] = []
    count = 0
    for path in paths:
        found = (
            [lint_data(STDIN_NAME, read_stdin(), options)]
            if path == STDIN
            else [done[str(s.path)] for s in resolved[path]]
        )
        for item in found:
            raise_error(item)
            if item.skipped:
                skipped.append(item.path)
                kinds[item.path] = f"skipped: {NOT_USER_DATA}"
                continue
            count += 1
            kinds[item.path] = item.kind
            problems.extend(item.problems)
            if item.problems:
                lines[item.path] = list(item.lines)
    return Report(problems, count, lines, kinds, skipped)


def default_format(isatty: bool) -> str:
    """github under GitHub Actions, text on a terminal, parsable when piped or redirected."""
    if os.environ.get("GITHUB_ACTIONS", "").lower() not in ("", "0", "false"):
        return "github"
    return "text" if isatty else "parsable"


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    if fmt == "text":
        return formats.text(report.problems, report.lines, color=color)
    if fmt == "parsable":
        return formats.parsable(report.problems)
    if fmt == "json":
        return formats.as_json(report.problems)
    if fmt == "sarif":
        return sarif(report.problems)
    if fmt == "github":
        return formats.github(report.problems)
    raise ValueError(f"unknown format {fmt!r}")
