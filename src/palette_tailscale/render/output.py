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


@dataclass(frozen=True, slots=True)
class FileWrite:
    """One file to write: where, what, with which mode."""

    path: Path
    data: bytes
    mode: int

    def status(self) -> str:
        """``new``, ``changed`` (content or mode) or ``unchanged``."""
        try:
            current = self.path.read_bytes()
            mode = stat.S_IMODE(os.stat(self.path).st_mode)
        except FileNotFoundError:
            return "new"
        except OSError:
            return "changed"
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


def write_files(writes: Sequence[FileWrite]) -> None:
    """Write every file atomically; nothing is written when a target cannot be."""
    try:
        write_all({w.path: w.data for w in writes}, modes={w.path: w.mode for w in writes})
    except OSError as exc:  # a full disk or a vanished directory: the user's to fix
        raise InputError(f"cannot write {exc.filename}: {exc.strerror}") from None
