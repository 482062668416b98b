"""Which files a lint run reads: files as given, directories searched for user-data files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Final

from ..errors import InputError

NAMES: Final = frozenset({"user-data"})
SUFFIXES: Final = (".yaml", ".yml")


def wanted(path: Path) -> bool:
    return path.name in NAMES or path.name.endswith(SUFFIXES)


def collect(paths: Iterable[str | PathLike[str]]) -> list[Path]:
    """Files to lint, in order given (directories: sorted, hidden entries skipped)."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = _search(path)
            if not found:
                raise InputError(f"{path}: no user-data or *.yaml/*.yml files in this directory")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    return list(dict.fromkeys(files))


def _search(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(
            Path(folder, n) for n in sorted(names) if not n.startswith(".") and wanted(Path(n))
        )
    return found


def read_source(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
