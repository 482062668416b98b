"""One lint run over files, directories and stdin, and its rendering in the chosen format."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from . import formats
from .engine import lint_file
from .problem import Problem, fails
from .sarif import sarif
from .sources import collect, read_source

STDIN: Final = "-"
STDIN_NAME: Final = "<stdin>"


@dataclass(frozen=True)
class Report:
    problems: list[Problem]
    files: int
    lines: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # path -> "kind (why)", in lint order

    def failed(self, *, strict: bool) -> bool:
        return fails(self.problems, strict=strict)


def lint_sources(
    paths: Sequence[str],
    *,
    read_stdin: Callable[[], bytes],
    kind: str = "auto",
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
) -> Report:
    """Lint every source; unreadable paths raise InputError before anything is linted."""
    resolved = {p: collect([p]) for p in paths if p != STDIN}
    problems: list[Problem] = []
    lines: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    count = 0
    for path in paths:
        for shown, data in _read(path, resolved, read_stdin):
            count += 1
            linted = lint_file(data, shown, kind=kind, select=select, ignore=ignore)
            problems.extend(linted.problems)
            kinds[shown] = f"{linted.kind} ({linted.reason})"
            if linted.problems:
                lines[shown] = data.decode("utf-8", "replace").splitlines()
    return Report(problems, count, lines, kinds)


def _read(
    path: str, resolved: dict[str, list[Path]], read_stdin: Callable[[], bytes]
) -> Iterator[tuple[str, bytes]]:
    if path == STDIN:
        yield STDIN_NAME, read_stdin()
        return
    for file in resolved[path]:
        yield str(file), read_source(file)


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
