"""Atomic file writes: a reader sees the old file or the new one, never a partial one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import InputError


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_all(
    files: Mapping[Path, bytes | str], *, modes: Mapping[Path, int] | None = None
) -> None:
    """Write several files, each atomically; nothing is written when any target is unwritable.

    Every target directory is checked first so that a predictable failure (a file where a
    directory should be, no permission) stops the run before the first write.
    """
    modes = modes or {}
    for path in files:
        check_writable(path)
    for path, data in files.items():
        write_atomic(path, data, mode=modes.get(path, 0o644))


def check_writable(path: Path) -> None:
    """Raise :class:`InputError` now when ``path`` could not be written later."""
    for parent in _existing_parents(path):
        if not parent.is_dir():
            raise InputError(f"cannot write {path}: {parent} is not a directory")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InputError(f"cannot write {path}: no permission to write in {parent}")
        break
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a directory")


def _existing_parents(path: Path) -> Iterable[Path]:
    for parent in path.parents:
        if parent.exists():
            yield parent
