"""Reading what a stick holds, read-only: a ``cidata`` ISO, a file or device holding one at
offset 0, or a site user-data file.

The path is opened read-only (never for writing, so a mounted stick cannot be harmed) and
without following it into anything but a regular file or a block device. An ISO 9660 volume
is recognised by its primary volume descriptor (``CD001`` at 32 KiB) and parsed with pycdlib;
the files are looked up by their Rock Ridge or Joliet names, the names Linux and Kairos see
(a plain ISO 9660 name cannot spell ``user-data``). The ISO's bytes are the volume's size
(``space size x block size``) from offset 0, so the sha256 of a stick equals that of the ISO
file written to it, whatever lies after it on the device.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final, Literal

from ..errors import InputError

MediumKind = Literal["iso", "image", "device", "user-data"]
VOLUME_ID: Final = "cidata"
USER_DATA: Final = "user-data"
META_DATA: Final = "meta-data"
# Kairos's collector skips a config file larger than this (lint.engine.MAX_BYTES).
MAX_USER_DATA: Final = 1024 * 1024
# A site ISO is its user-data plus some 60 KiB; anything larger is not one of ours to hash.
MAX_ISO: Final = 64 * 1024 * 1024
_DESCRIPTOR_AT: Final = 16 * 2048
_CHUNK: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class IsoFacts:
    """The ISO 9660 volume: label, size, sha256 and which of the two files it holds."""

    volume: str
    size: int
    sha256: str | None  # None when the volume is larger than a site ISO can be
    has_user_data: bool
    has_meta_data: bool

    @property
    def check(self) -> str | None:
        """The short check code printed on labels: the sha256's first 8 hex digits."""
        return self.sha256[:8] if self.sha256 else None


@dataclass(frozen=True, slots=True)
class Medium:
    path: str
    kind: MediumKind
    user_data: bytes | None  # None when an ISO holds no user-data
    iso: IsoFacts | None = None


def read_medium(path: Path) -> Medium:
    """What ``path`` holds; :class:`InputError` (exit 2) when it cannot be read as either."""
    with _open_read_only(path) as (fp, is_device, size):
        head = fp.read(_DESCRIPTOR_AT + 8)
        if head[_DESCRIPTOR_AT + 1 : _DESCRIPTOR_AT + 6] == b"CD001":
            return _read_iso(path, fp, is_device, size)
        if is_device:
            raise InputError(f"{path}: no ISO 9660 volume at the start of the device")
        rest = fp.read(MAX_USER_DATA + 1 - len(head))
    data = head + rest
    if len(data) > MAX_USER_DATA:
        raise InputError(f"{path}: neither an ISO 9660 image nor site user-data (over 1 MiB)")
    return Medium(str(path), "user-data", data)


@contextlib.contextmanager
def _open_read_only(path: Path) -> Iterator[tuple[BinaryIO, bool, int]]:
    """``(file, is a block device, size)``; refuses anything but a regular file or a device."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISBLK(mode)):
            raise InputError(f"{path}: not a file or a block device")
        size = os.lseek(fd, 0, os.SEEK_END)
        os.lseek(fd, 0, os.SEEK_SET)
        fp = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fp:
        try:
            yield fp, stat.S_ISBLK(mode), size
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _read_iso(path: Path, fp: BinaryIO, is_device: bool, size: int) -> Medium:
    import pycdlib

    iso = pycdlib.PyCdlib()
    fp.seek(0)
    try:
        iso.open_fp(fp)
        volume = iso.pvd.volume_identifier.decode("ascii", "replace").rstrip(" \x00")
        iso_size = iso.pvd.space_size * iso.pvd.logical_block_size()
        user_data = _extract(iso, USER_DATA, path)
        has_meta = _find(iso, META_DATA) is not None
    except InputError:
        raise
    except Exception as exc:  # pycdlib on damaged input raises many kinds; all mean "corrupt"
        raise InputError(f"{path}: a damaged ISO 9660 image: {exc}") from None
    finally:
        with contextlib.suppress(Exception):
            iso.close()
    if iso_size > size:
        raise InputError(
            f"{path}: a truncated ISO 9660 image: the volume has {iso_size} bytes, "
            f"the {'device' if is_device else 'file'} {size}"
        )
    digest = _sha256(fp, iso_size) if iso_size <= MAX_ISO else None
    kind: MediumKind = "device" if is_device else ("iso" if size == iso_size else "image")
    facts = IsoFacts(volume, iso_size, digest, user_data is not None, has_meta)
    return Medium(str(path), kind, user_data, facts)


def _find(iso: Any, name: str) -> tuple[str, str] | None:
    """The lookup (``rr_path`` or ``joliet_path``) under which ``/name`` exists, if any."""
    import pycdlib.pycdlibexception as errors

    views = []
    if iso.has_rock_ridge():
        views.append("rr_path")
    if iso.has_joliet():
        views.append("joliet_path")
    for view in views:
        with contextlib.suppress(errors.PyCdlibInvalidInput):
            iso.get_record(**{view: f"/{name}"})
            return view, f"/{name}"
    return None


def _extract(iso: Any, name: str, path: Path) -> bytes | None:
    found = _find(iso, name)
    if found is None:
        return None
    view, iso_path = found
    length = iso.get_record(**{view: iso_path}).get_data_length()
    if length > MAX_USER_DATA:
        raise InputError(f"{path}: its {name} has {length} bytes; Kairos reads at most 1 MiB")
    out = io.BytesIO()
    iso.get_file_from_iso_fp(out, **{view: iso_path})
    data = out.getvalue()
    if len(data) != length:
        raise InputError(f"{path}: a damaged ISO 9660 image: {name} is cut short")
    return data


def _sha256(fp: BinaryIO, length: int) -> str:
    digest = hashlib.sha256()
    fp.seek(0)
    left = length
    while left:
        chunk = fp.read(min(_CHUNK, left))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str | None:
    """The sha256 of a file's content; None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()
