"""Which files a lint run reads: files as given, directories searched for user-data files.

A file named on the command line is always linted. A file found by searching a directory is
linted when it is user-data: named ``user-data``, or with a header Kairos reads
(``#cloud-config``, ``#kairos-config``, ``#node-config`` in its first ten lines, see
:mod:`.kinds`), or holding one of the top-level keys Kairos user-data is made of. Other YAML
there (the tool's own config, Kubernetes manifests, CI files) is skipped, and ``--verbose``
names it. ``--exclude`` globs drop files whichever way they came.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Final

from ..errors import InputError
from .kinds import HEADER_LINES, HEADERS

NAMES: Final = frozenset({"user-data"})
SUFFIXES: Final = (".yaml", ".yml")
USER_DATA_KEYS: Final = ("stages", "stylus", "install", "users", "write_files")
_KEYS: Final = b"|".join(k.encode() for k in USER_DATA_KEYS)
_FIRST_LINE_RE: Final = re.compile(rb"^([ \t]*)[^\s#]", re.MULTILINE)
NOT_USER_DATA: Final = (
    f"not user-data (no Kairos header such as #cloud-config, none of the keys "
    f"{', '.join(USER_DATA_KEYS)})"
)
_HEADER_RE: Final = re.compile(
    rb"\A(?:[^\n]*\n){0,%d}(?:%s)[ \t\r]*(?:\n|\Z)"
    % (HEADER_LINES - 1, b"|".join(re.escape(h.encode()) for h in HEADERS))
)


@dataclass(frozen=True, slots=True)
class Source:
    """A file to lint; ``found`` when a directory search found it (then it may be skipped)."""

    path: Path
    found: bool = False


def wanted(path: Path) -> bool:
    return path.name in NAMES or path.name.endswith(SUFFIXES)


def is_user_data(path: Path, data: bytes) -> bool:
    """Whether a file found in a directory is user-data worth linting."""
    if path.name in NAMES:
        return True
    text = data.removeprefix(b"\xef\xbb\xbf")
    return _HEADER_RE.match(text) is not None or _has_user_data_key(text)


def _has_user_data_key(text: bytes) -> bool:
    """A top-level key of user-data: at the indentation of the document's first content line
    (a whole document may be indented, as when copied out of a web page)."""
    first = _FIRST_LINE_RE.search(text)
    indent = re.escape(first.group(1)) if first else b""
    keys = re.compile(rb"^" + indent + rb"[\"']?(?:" + _KEYS + rb")[\"']?[ \t]*:", re.MULTILINE)
    return keys.search(text) is not None


def excluded(path: Path, globs: Sequence[str]) -> bool:
    """A glob matches the whole path, or (without a ``/``) any one of its parts."""
    text = path.as_posix()
    for glob in globs:
        if fnmatch.fnmatchcase(text, glob) or fnmatch.fnmatchcase(text, f"*/{glob}"):
            return True
        if "/" not in glob and any(fnmatch.fnmatchcase(part, glob) for part in path.parts):
            return True
    return False


def collect(paths: Iterable[str | PathLike[str]], *, exclude: Sequence[str] = ()) -> list[Source]:
    """Files to lint, in order given (directories: sorted, hidden entries skipped)."""
    files: list[Source] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = _search(path)
            if not found:
                raise InputError(f"{path}: no user-data or *.yaml/*.yml files in this directory")
            files.extend(Source(p, found=True) for p in found if not excluded(p, exclude))
        elif path.exists():
            if not excluded(path, exclude):
                files.append(Source(path))
        else:
            raise InputError(f"{path}: no such file or directory")
    unique: dict[Path, Source] = {}
    for source in files:
        unique.setdefault(source.path, source)
    return list(unique.values())


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
