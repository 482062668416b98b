"""A host's files: ``DIR/hosts/NAME/{user-data, meta-data, NAME.iso}``, written atomically.

A file holding a key (``user-data`` and the ISO) is mode 0600. Every file is written through a
temporary file and a rename, so a reader (or a resumed run) sees the old file or the new one,
never a part; temporary files left by a killed run are removed by the next one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from ..errors import InputError
from .iso import build_iso

USER_DATA: Final = "user-data"
META_DATA: Final = "meta-data"
ISO: Final = "iso"
MAX_HOST_FILE: Final = 16 * 1024 * 1024  # far above an ISO of one user-data
SECRET_MODE: Final = 0o600
PUBLIC_MODE: Final = 0o644

Health = Literal["ok", "rebuild-iso", "missing"]


@dataclass(frozen=True, slots=True)
class HostArtifacts:
    """The bytes of one host's three files."""

    user_data: bytes
    meta_data: bytes
    iso: bytes

    @classmethod
    def from_user_data(cls, user_data: bytes) -> HostArtifacts:
        return cls(user_data=user_data, meta_data=b"", iso=build_iso(user_data))

    def by_name(self) -> dict[str, bytes]:
        return {USER_DATA: self.user_data, META_DATA: self.meta_data, ISO: self.iso}

    def digests(self) -> dict[str, str]:
        return {name: sha256(data) for name, data in self.by_name().items()}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def host_dir(out_dir: Path, name: str) -> Path:
    return out_dir / "hosts" / name


def file_names(name: str) -> dict[str, str]:
    return {USER_DATA: USER_DATA, META_DATA: META_DATA, ISO: f"{name}.iso"}


def paths(out_dir: Path, name: str) -> dict[str, Path]:
    folder = host_dir(out_dir, name)
    return {key: folder / file_name for key, file_name in file_names(name).items()}


def write(out_dir: Path, name: str, artifacts: HostArtifacts, *, secret: bool) -> None:
    """Write the host's files, each whole: a reader sees the old file or the new, never a part.

    The caller makes them durable (provisioning syncs before journalling "written"; rendering
    syncs once at the end), since one sync for many files costs far less than one per file.
    """
    mode = SECRET_MODE if secret else PUBLIC_MODE
    if _write_new_folder(out_dir, name, artifacts, mode):
        return
    for key, target in paths(out_dir, name).items():
        _replace(target, artifacts.by_name()[key], PUBLIC_MODE if key == META_DATA else mode)


def _write_new_folder(out_dir: Path, name: str, artifacts: HostArtifacts, mode: int) -> bool:
    """A host seen for the first time: fill a temporary folder, then rename it into place.

    One rename makes all three files appear at once (and costs half the file system work of
    three). False when the folder exists already: then each file is replaced on its own.
    """
    folder = host_dir(out_dir, name)
    if folder.exists():
        return False
    if not folder.parent.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{name}.{secrets.token_hex(4)}.tmp"
    os.mkdir(staging, 0o700)
    try:
        data = artifacts.by_name()
        for key, file_name in file_names(name).items():
            _put(staging / file_name, data[key], PUBLIC_MODE if key == META_DATA else mode)
        os.chmod(staging, 0o755)
        os.rename(staging, folder)
    except FileExistsError:
        shutil.rmtree(staging, ignore_errors=True)
        return False
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return True


def _replace(path: Path, data: bytes, mode: int) -> None:
    """Replace one file through a temporary file beside it and a rename."""
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        _put(tmp, data, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _put(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (it must not exist) holding ``data``; every file is written here.

    Blocks of zeros (most of an ISO's head: the 32 KiB system area, padding) are left as holes:
    the file reads back the same bytes and the disk writes half as much.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        for start, stop in _data_runs(view):
            os.pwrite(fd, view[start:stop], start)
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


_HOLE: Final = 4096
_ZEROS: Final = bytes(_HOLE)


def _data_runs(view: memoryview) -> list[tuple[int, int]]:
    """``(start, stop)`` of the runs of ``_HOLE``-sized blocks that are not all zeros."""
    runs: list[tuple[int, int]] = []
    for start in range(0, len(view), _HOLE):
        block = view[start : start + _HOLE]
        if block == _ZEROS[: len(block)]:
            continue
        stop = start + len(block)
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], stop)
        else:
            runs.append((start, stop))
    return runs


def check(out_dir: Path, name: str, digests: dict[str, str]) -> tuple[Health, bytes | None]:
    """Whether the files on disk are the ones recorded; the user-data bytes when they are."""
    targets = paths(out_dir, name)
    user_data = _read(targets[USER_DATA])
    if user_data is None or sha256(user_data) != digests.get(USER_DATA):
        return "missing", None
    for other in (META_DATA, ISO):
        data = _read(targets[other])
        if data is None or sha256(data) != digests.get(other):
            return "rebuild-iso", user_data
    return "ok", user_data


def _read(path: Path) -> bytes | None:
    """A host file as written, or None: a missing, special or oversized file is not ours."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HOST_FILE:
            return None
        return path.read_bytes()
    except OSError:
        return None


def check_folders(out_dir: Path, names: list[str]) -> None:
    """Raise :class:`InputError` when ``DIR/hosts`` or a host's folder is in the way.

    Checked before the first write (and before any key is minted), so that a file where a
    folder belongs stops the run with its name instead of failing host after host.
    """
    hosts = out_dir / "hosts"
    if hosts.exists() and not hosts.is_dir():
        raise InputError(f"cannot write to {hosts}: it is not a directory; move it away")
    if not hosts.is_dir():
        return
    blocked = [n for n in names if (hosts / n).exists() and not (hosts / n).is_dir()]
    if blocked:
        more = f" (and {len(blocked) - 1} more)" if len(blocked) > 1 else ""
        raise InputError(
            f"cannot write to {hosts / blocked[0]}{more}: it is not a directory; move it away"
        )
    # A folder where a host's file belongs: its write would fail, in provision after a mint.
    odd = [
        path
        for name in names
        if (hosts / name).is_dir()
        for path in paths(out_dir, name).values()
        if path.is_dir() and not path.is_symlink()
    ]
    if odd:
        more = f" (and {len(odd) - 1} more)" if len(odd) > 1 else ""
        raise InputError(f"cannot write {odd[0]}{more}: it is a directory; move it away")


def remove_temp_files(out_dir: Path) -> int:
    """Delete temporary files and folders a killed run left behind; how many were removed."""
    removed = 0
    hosts = out_dir / "hosts"
    for leftover in [*hosts.glob("*/.*.tmp"), *hosts.glob(".*.tmp")]:
        with contextlib.suppress(OSError):
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
            removed += 1
    return removed
