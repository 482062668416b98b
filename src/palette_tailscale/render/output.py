"""Turning rendered bytes into files: what would change (``--check``) and all-or-nothing writes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_all
from ..errors import InputError
from .plan import Rendered

BACKUP_SUFFIX = ".bak"
MAX_COMPARED = 16 * 1024 * 1024  # far above any file a render writes


def on_disk(path: Path) -> bytes | None:
    """What a file a render would replace holds now: None when there is none.

    Only a regular file is read, and only up to :data:`MAX_COMPARED`: a FIFO there would block
    for ever and ``/dev/zero`` never ends. Anything else is :class:`InputError`; the write would
    refuse it anyway.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: it is not a regular file; move it away")
        if info.st_size > MAX_COMPARED:
            raise InputError(f"{path}: larger than {MAX_COMPARED // (1024 * 1024)} MiB")
        return fh.read(MAX_COMPARED + 1)[:MAX_COMPARED]


@dataclass(frozen=True, slots=True)
class FileWrite:
    """One file to write: where, what, with which mode; ``backup`` keeps the old one as .bak."""

    path: Path
    data: bytes
    mode: int
    backup: bool = False

    @property
    def backup_path(self) -> Path:
        return self.path.with_name(self.path.name + BACKUP_SUFFIX)

    def status(self) -> str:
        """``new``, ``changed`` (content or mode) or ``unchanged``.

        Only a regular file of the same size is read: anything else differs (and a device or a
        pipe there is refused when written, never read here).
        """
        try:
            info = os.stat(self.path)
            if not stat.S_ISREG(info.st_mode) or info.st_size != len(self.data):
                return "changed"
            current = self.path.read_bytes()
        except FileNotFoundError:
            return "new"
        except OSError:
            return "changed"
        mode = stat.S_IMODE(info.st_mode)
        return "unchanged" if current == self.data and mode == self.mode else "changed"


def output_writes(rendered: Rendered, out_dir: Path) -> list[FileWrite]:
    """The rendered files under ``out_dir``, sorted by name."""
    return [
        FileWrite(out_dir / name, rendered.files[name], rendered.modes[name])
        for name in sorted(rendered.files)
    ]


def pending(writes: Iterable[FileWrite]) -> list[FileWrite]:
    """The writes that would change something on disk."""
    return [w for w in writes if w.status() != "unchanged"]


def backups(writes: Iterable[FileWrite]) -> list[FileWrite]:
    """The ``FILE.bak`` copies to keep before ``writes`` replace existing files (mode kept)."""
    found = []
    for write in writes:
        if not write.backup:
            continue
        data = on_disk(write.path)
        if data is None:
            continue
        try:
            mode = stat.S_IMODE(os.stat(write.path).st_mode)
        except OSError as exc:
            raise InputError(f"{write.path}: cannot read: {exc.strerror}") from None
        found.append(FileWrite(write.backup_path, data, mode))
    return found


def write_files(writes: Sequence[FileWrite]) -> list[FileWrite]:
    """Write every file atomically, after a ``.bak`` of each existing file marked ``backup``;
    nothing is written when a target cannot be. Returns the backups written."""
    kept = backups(writes)
    every = [*kept, *writes]
    try:
        write_all({w.path: w.data for w in every}, modes={w.path: w.mode for w in every})
    except OSError as exc:  # a full disk or a vanished directory: the user's to fix
        raise InputError(f"cannot write {exc.filename}: {exc.strerror}") from None
    return kept
