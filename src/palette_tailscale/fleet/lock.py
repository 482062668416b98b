"""One ``fleet`` run at a time in an output directory, and that directory made ready to write.

``fleet render`` and ``fleet provision`` both write ``DIR/hosts/…``; provision also keeps the
journal. Each holds an exclusive ``flock`` on the directory itself for the whole run, so a render
can never replace files a provision is writing (nor the reverse), and nothing extra is created
for the lock. The lock goes away with the process, however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError


def ready(out_dir: Path) -> list[Path]:
    """Create ``out_dir`` if needed and prove a file can be made in it; else :class:`InputError`.

    Returns the folders it created, deepest first (see :func:`undo`).
    """
    missing: list[Path] = []
    for parent in (out_dir, *out_dir.parents):
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                where = "it" if parent == out_dir else str(parent)
                raise InputError(f"cannot write to {out_dir}: {where} is not a directory")
            break
        missing.append(parent)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe.", suffix=".tmp", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        undo(missing)
        raise InputError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    return missing


def undo(made: list[Path]) -> None:
    """Remove the folders :func:`ready` made, as long as they stayed empty."""
    for folder in made:
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def hold(out_dir: Path) -> Iterator[None]:
    """Make ``out_dir`` ready, then hold its lock; :class:`InputError` when another run has it.

    A run that fails leaves no folder it made and did not fill.
    """
    made = ready(out_dir)
    fd = lock(out_dir)
    try:
        yield
    except BaseException:
        undo(made)
        raise
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def lock(out_dir: Path) -> int:
    """Take the directory's lock; the descriptor holding it (close it to let go)."""
    try:
        fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise InputError(f"cannot open {out_dir}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise InputError(f"{out_dir} is in use: another `fleet` run is working there") from None
    return fd
