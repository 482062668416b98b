"""``fleet flash``: write a host's ISO to a stick (or an image file), then read it back.

A block device is written only when the kernel says it is a removable disk that nothing uses:
not mounted (itself or a partition), not swap, not held by device-mapper, LVM or RAID, and
not a partition of a disk. ``--force`` overrides these (a USB card reader may not report
"removable"); it never overrides a read-only device or one too small for the ISO. Without
``--force`` the device is also opened ``O_EXCL``, so the kernel itself refuses one that is
mounted. After writing, the device is flushed, its cached pages dropped, and the ISO's length
read back from it and compared by sha256.

The facts come from ``/sys`` and ``/proc`` through :class:`~.blockdev.SystemView`, whose roots
(and the way a path is recognised as a block device) the tests replace with a stand-in tree:
tests write to files only, never to a device.

A regular file is written whole (a temporary file and a rename, mode 0600: it holds a key);
an existing one only with ``--force``. A missing path under ``/dev`` is refused: it is a
mistyped device name, not an image to create.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from ..atomic import write_atomic
from ..errors import InputError, PaletteTailscaleError
from ..kairos import is_valid_hostname
from . import artifacts
from .blockdev import DeviceFacts, SystemView, device_facts
from .keyhistory import KeyHistory
from .medium import MAX_ISO

SECTOR: Final = 512
_CHUNK: Final = 1024 * 1024


TargetKind = Literal["device", "file"]


@dataclass(frozen=True, slots=True)
class FlashTarget:
    path: Path
    kind: TargetKind
    facts: DeviceFacts | None = None
    overridden: tuple[str, ...] = ()  # refusals --force set aside


@dataclass(frozen=True, slots=True)
class FlashResult:
    target: FlashTarget
    size: int
    sha256: str


def check_target(target: Path, size: int, *, force: bool, view: SystemView) -> FlashTarget:
    """Where ``size`` bytes may go, or :class:`InputError` (exit 2) saying why not."""
    rdev = view.block_rdev(target)
    if rdev is not None:
        return _check_device(target, rdev, size, force=force, view=view)
    return _check_file(target, force=force)


def _check_device(
    target: Path, rdev: int, size: int, *, force: bool, view: SystemView
) -> FlashTarget:
    facts = device_facts(rdev, view)
    if facts.read_only:
        raise InputError(f"{target}: the device is read-only (a write-protect switch?)")
    if facts.size < size:
        raise InputError(f"{target}: the device has {facts.size} bytes; the ISO needs {size}")
    soft = list(facts.in_use)
    if not facts.removable:
        soft.append(f"{facts.name} is not a removable device")
    if facts.partition:
        soft.append(f"{facts.name} is a partition: write the whole stick (its disk device)")
    if soft and not force:
        raise InputError(
            f"{target}: refusing to write: {'; '.join(soft)}",
            hint="check the device; --force writes anyway",
        )
    return FlashTarget(target, "device", facts, tuple(soft))


def _check_file(target: Path, *, force: bool) -> FlashTarget:
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        parent = target.parent.resolve()
        if parent == Path("/dev"):
            raise InputError(f"{target}: no such device") from None
        if not parent.is_dir():
            raise InputError(f"{target}: {target.parent} is not a directory") from None
        return FlashTarget(target, "file")
    except OSError as exc:
        raise InputError(f"{target}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{target}: neither a block device nor a regular file")
    if not force:
        raise InputError(f"{target}: the file exists", hint="--force replaces it")
    return FlashTarget(target, "file", None, (f"{target} exists",))


def flash(iso: bytes, target: FlashTarget, *, force: bool) -> FlashResult:
    """Write and read back; :class:`PaletteTailscaleError` (exit 1) when they differ."""
    wanted = hashlib.sha256(iso).hexdigest()
    try:
        if target.kind == "file":
            write_atomic(target.path, iso, mode=0o600)
        else:
            _write_device(target.path, iso, exclusive=not force)
        got = _read_back(target.path, len(iso))
    except OSError as exc:
        raise PaletteTailscaleError(f"{target.path}: {exc.strerror or exc}") from None
    if got != wanted:
        raise PaletteTailscaleError(
            f"{target.path}: read back sha256 {got[:16]}…, wrote {wanted[:16]}…: "
            "the medium is faulty; use another stick"
        )
    return FlashResult(target, len(iso), got)


def _write_device(path: Path, data: bytes, *, exclusive: bool) -> None:
    flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | (os.O_EXCL if exclusive else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        reason = "it is in use (mounted?)" if exc.errno == errno.EBUSY else exc.strerror or str(exc)
        raise InputError(f"{path}: cannot open for writing: {reason}") from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view[:_CHUNK]) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_back(path: Path, length: int) -> str:
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        # Drop the cached pages first, so the bytes come from the medium, not from memory.
        with contextlib.suppress(OSError, AttributeError):
            os.posix_fadvise(fd, 0, length, os.POSIX_FADV_DONTNEED)
        left = length
        while left:
            chunk = os.read(fd, min(_CHUNK, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest()


def host_iso(out_dir: Path, name: str, found: Mapping[str, KeyHistory] | None) -> bytes:
    """The host's ISO from ``DIR/hosts/NAME/NAME.iso``, checked against the journal."""
    if not is_valid_hostname(name):
        raise InputError(f"{name!r} is not a host name (a lowercase DNS label)")
    path = artifacts.paths(out_dir, name)[artifacts.ISO]
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_ISO + 1)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}", hint="run `fleet provision`") from None
    if len(data) > MAX_ISO:
        raise InputError(f"{path}: larger than a site ISO can be")
    history = (found or {}).get(name)
    current = history.current if history else None
    if current is not None and current.files.get(artifacts.ISO) != hashlib.sha256(data).hexdigest():
        raise PaletteTailscaleError(
            f"{path} is not the ISO the journal recorded for {name}: run `fleet provision`"
        )
    return data
