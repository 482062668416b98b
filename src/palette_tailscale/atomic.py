"""Atomic file writes: a reader sees the old file or the new one, never a partial one.

A write is prepared first (:func:`prepare`): the temporary file is created in the target's
directory, which proves the target can be written before anything costly or irreversible
happens (an auth key minted, other files written). Then :meth:`PreparedWrite.commit` fills it and
renames it into place. An existing target that is not a regular file (a FIFO, a device, a socket)
is refused: replacing ``/dev/full`` with a regular file is never what the user meant. A symlink
to a regular file is written through. Every failure is an :class:`InputError` naming the path.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import InputError

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class PreparedWrite:
    """A temporary file beside the target, ready to become the target; a context manager."""

    def __init__(self, path: Path, mode: int) -> None:
        self.path = path
        self._target = _real_target(path)
        _check_parents(path, self._target)
        self._fd, self._tmp = -1, ""
        # Folders made for the file are removed again unless it is written: nothing is left
        # behind by a write that never happens.
        self._made = _make_parents(self._target.parent)
        try:
            self._fd, self._tmp = tempfile.mkstemp(
                prefix=f".{self._target.name}.", suffix=".tmp", dir=self._target.parent
            )
            os.fchmod(self._fd, mode)
        except BaseException:
            self.discard()
            raise

    def commit(self, data: bytes | str) -> None:
        """Write ``data`` and rename it into place (raises ``OSError`` when the disk fails)."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        fd, self._fd = self._fd, -1
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(self._tmp, self._target)
        self._tmp = ""
        self._made = []

    def discard(self) -> None:
        """Remove the temporary file (a no-op after a commit)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1
        if self._tmp:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
            self._tmp = ""
        for folder in self._made:  # deepest first; only while empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made = []

    def __enter__(self) -> PreparedWrite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


def prepare(path: Path, *, mode: int = 0o644) -> PreparedWrite:
    """Prove ``path`` writable by creating its temporary file; :class:`InputError` if not."""
    try:
        return PreparedWrite(path, mode)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {_reason(exc)}") from None


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename."""
    with prepare(path, mode=mode) as out:
        _commit(out, data)


def write_all(
    files: Mapping[Path, bytes | str], *, modes: Mapping[Path, int] | None = None
) -> None:
    """Write several files, each atomically; nothing is written when any target is unwritable.

    Every temporary file is created first, so that a predictable failure (a file where a
    directory should be, no permission, a read-only file system) stops the run before the first
    rename.
    """
    modes = modes or {}
    prepared: list[tuple[PreparedWrite, bytes | str]] = []
    try:
        for path, data in files.items():
            prepared.append((prepare(path, mode=modes.get(path, 0o644)), data))
        for out, data in prepared:
            _commit(out, data)
    finally:
        for out, _ in prepared:
            out.discard()


def check_writable(path: Path) -> None:
    """Raise :class:`InputError` now when ``path`` could not be written later."""
    prepare(path).discard()


def _commit(out: PreparedWrite, data: bytes | str) -> None:
    try:
        out.commit(data)
    except OSError as exc:
        raise InputError(f"cannot write {out.path}: {_reason(exc)}") from None


def _real_target(path: Path) -> Path:
    """The file a write to ``path`` lands in: through a symlink, refusing what is no file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return path if not path.is_symlink() else Path(os.path.realpath(path))
    except NotADirectoryError:
        return path  # _check_parents names the file in the way
    for test, kind in _KINDS:
        if test(info.st_mode):
            raise InputError(f"cannot write {path}: it is {kind}, not a regular file")
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; the ones created, deepest first."""
    missing = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _check_parents(path: Path, target: Path) -> None:
    for parent in _existing_parents(target):
        if not parent.is_dir():
            raise InputError(f"cannot write {path}: {parent} is not a directory")
        break


def _existing_parents(path: Path) -> Iterable[Path]:
    for parent in path.parents:
        if parent.exists():
            yield parent


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
