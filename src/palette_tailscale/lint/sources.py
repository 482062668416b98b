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
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import BinaryIO, Final

from ..errors import InputError
from ..inputfile import read_limited, size_text
from .kinds import HEADER_LINES, HEADERS

NAMES: Final = frozenset({"user-data"})
SUFFIXES: Final = (".yaml", ".yml")
# Files over 1 MiB are a PT038 finding; far larger ones are not user-data at all, and reading
# them whole would only cost memory.
READ_LIMIT: Final = 16 * 1024 * 1024
_TOO_LARGE: Final = "Kairos skips files over 1 MiB"
MAX_WALK: Final = 200_000  # directory entries a search may visit
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
        if not str(item):  # Path("") is ".": a lint of "$FILE" with FILE unset is a mistake
            raise InputError("an empty path; give a file, a directory or - for stdin")
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
    """Regular files named like user-data under ``root``; a FIFO or device met on the way is
    skipped (only a path given by name is read as a pipe), and so is the rest of a tree larger
    than any checkout (``lint /`` would walk the whole system)."""
    found: list[Path] = []
    seen = 0
    for folder, dirs, names in os.walk(root):
        seen += len(dirs) + len(names)
        if seen > MAX_WALK:
            raise InputError(
                f"{root}: more than {MAX_WALK:,} entries below it; name the files or a "
                "narrower directory"
            )
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(folder, name)
            if not name.startswith(".") and wanted(path) and _regular(path):
                found.append(path)
    return found


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # let the read say why it cannot be read


def read_source(path: Path) -> bytes:
    """The file's bytes: a regular file or a pipe (``<(command)``), at most :data:`READ_LIMIT`."""
    return read_limited(path, limit=READ_LIMIT, label=str(path), too_large_hint=_TOO_LARGE)


def read_stream(stream: BinaryIO, name: str) -> bytes:
    """Standard input, at most :data:`READ_LIMIT` bytes."""
    data = stream.read(READ_LIMIT + 1)
    if len(data) > READ_LIMIT:
        raise InputError(f"{name}: larger than {size_text(READ_LIMIT)}", hint=_TOO_LARGE)
    return data
