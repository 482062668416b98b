"""Linting many files on every core, with output identical to one process.

Each file is linted independently, so the files are handed out in order-preserving chunks to a
pool of forked workers; the results come back in the order the files were given. Workers read
their files themselves (only paths travel) and report an unreadable file as a value, not an
exception, so the run fails the same way as in one process. Where ``fork`` does not exist, or
the run is small, everything stays in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from ..errors import InputError
from ..workers import start_worker
from .engine import MAX_BYTES, lint_file
from .problem import Problem
from .sources import Source, is_user_data, read_source

AUTO_THRESHOLD: Final = 300  # files; below this, forking costs more than it saves
CHUNK: Final = 16


@dataclass(frozen=True, slots=True)
class Options:
    kind: str = "auto"
    select: Collection[str] | None = None
    ignore: Collection[str] | None = None


@dataclass(frozen=True, slots=True)
class Linted:
    """One file's outcome: skipped, an error reading it, or its problems (and lines if any)."""

    path: str
    kind: str = ""  # "kind (why)", as `lint --verbose` says it
    skipped: bool = False
    error: str | None = None
    problems: tuple[Problem, ...] = ()
    lines: tuple[str, ...] = ()


def default_jobs(files: int) -> int:
    """One process per core for a few hundred files or more; in-process otherwise."""
    return (os.cpu_count() or 1) if files >= AUTO_THRESHOLD else 1


def lint_all(sources: Sequence[Source], options: Options, jobs: int) -> Iterator[Linted]:
    """Every source linted, in order, on ``jobs`` processes."""
    tasks = [(source, options) for source in sources]
    if jobs <= 1 or len(sources) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_lint_one, tasks)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(
        min(jobs, len(sources)), initializer=start_worker, initargs=(os.getpid(),)
    ) as pool:
        yield from pool.imap(_lint_one, tasks, chunksize=CHUNK)


def lint_data(path: str, data: bytes, options: Options) -> Linted:
    linted = lint_file(data, path, kind=options.kind, select=options.select, ignore=options.ignore)
    # The source lines the text format quotes; of a file too large to lint, only its head.
    head = data if len(data) <= MAX_BYTES else data[:4096]
    lines = tuple(head.decode("utf-8", "replace").splitlines()) if linted.problems else ()
    kind = f"{linted.kind} ({linted.reason})"
    return Linted(path, kind=kind, problems=tuple(linted.problems), lines=lines)


def _lint_one(task: tuple[Source, Options]) -> Linted:
    source, options = task
    try:
        data = read_source(source.path)
    except InputError as exc:
        return Linted(str(source.path), error=str(exc).removeprefix(f"{source.path}: "))
    if source.found and not is_user_data(source.path, data):
        return Linted(str(source.path), skipped=True)
    return lint_data(str(source.path), data, options)


def raise_error(linted: Linted) -> None:
    if linted.error is not None:
        raise InputError(f"{linted.path}: {linted.error}")
