"""Lint Kairos/Palette user-data: numbered rules, positions, several output formats.

Public API (importing this package stays cheap; the engine loads on first use)::

    lint_text(text, path="<string>", *, kind="auto", select=None, ignore=None) -> list[Problem]
    lint_paths(paths, *, kind="auto", select=None, ignore=None) -> list[Problem]
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from os import PathLike

from .problem import Problem, fails

__all__ = ["Problem", "fails", "lint_paths", "lint_text"]


def lint_text(
    text: str,
    path: str = "<string>",
    *,
    kind: str = "auto",
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
) -> list[Problem]:
    """Lint one user-data document given as text; findings sorted by position."""
    from .engine import lint_text as run

    return run(text, path, kind=kind, select=select, ignore=ignore)


def lint_paths(
    paths: Iterable[str | PathLike[str]],
    *,
    kind: str = "auto",
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
) -> list[Problem]:
    """Lint files and directories (searched for user-data; other YAML found there is skipped).

    Raises :class:`~palette_tailscale.errors.InputError` when a path cannot be read.
    """
    from .engine import lint_bytes
    from .sources import collect, is_user_data, read_source

    problems: list[Problem] = []
    for source in collect(paths):
        data = read_source(source.path)
        if source.found and not is_user_data(source.path, data):
            continue
        found = lint_bytes(data, str(source.path), kind=kind, select=select, ignore=ignore)
        problems.extend(found)
    return problems
