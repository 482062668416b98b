"""What the kernel says of a block device: removable, read-only, its size, and what uses it.

Read from sysfs (``/sys/dev/block/MAJOR:MINOR`` leads to the device's folder, with its
partitions as sub-folders) and ``/proc`` (``self/mountinfo``, ``swaps``). Both roots, and the
way a path is recognised as a block device, are fields of :class:`SystemView`, so the checks
run unchanged against a stand-in tree in the tests.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ..errors import InputError

SECTOR: Final = 512


def _block_rdev(path: Path) -> int | None:
    """The device number when ``path`` is a block device (following symlinks)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_rdev if stat.S_ISBLK(st.st_mode) else None


@dataclass(frozen=True, slots=True)
class SystemView:
    """Where block device facts come from."""

    sys_root: Path = Path("/sys")
    proc_root: Path = Path("/proc")
    block_rdev: Callable[[Path], int | None] = field(default=_block_rdev)


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    name: str  # the kernel's name: sdb
    removable: bool
    read_only: bool
    size: int  # bytes
    partition: bool
    in_use: tuple[str, ...]  # "sdb1 is mounted on /media/x", "sdb2 is swap", ...


def device_facts(rdev: int, view: SystemView) -> DeviceFacts:
    """What sysfs and ``/proc`` say of the block device ``rdev``."""
    number = f"{os.major(rdev)}:{os.minor(rdev)}"
    link = view.sys_root / "dev" / "block" / number
    if not link.exists():
        raise InputError(f"no block device {number} in {view.sys_root}/dev/block")
    folder = link.resolve()
    parts = {folder.name: number}
    for child in sorted(folder.iterdir()):
        if (child / "partition").is_file():
            parts[child.name] = _read(child / "dev")
    partition = (folder / "partition").is_file()
    disk = folder.parent if partition else folder
    return DeviceFacts(
        name=folder.name,
        removable=_read(disk / "removable") == "1",
        read_only=_read(folder / "ro") == "1",
        size=int(_read(folder / "size") or 0) * SECTOR,
        partition=partition,
        in_use=tuple(_mounts(parts, view) + _swaps(parts, view) + _holders(folder, parts)),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _mounts(parts: dict[str, str], view: SystemView) -> list[str]:
    """Mounts of the disk or a partition: by device number, or by source device name."""
    numbers = {number: name for name, number in parts.items()}
    found = []
    for line in _read(view.proc_root / "self" / "mountinfo").splitlines():
        fields = line.split()
        if len(fields) < 5 or " - " not in line:
            continue
        source = line.split(" - ", 1)[1].split()
        name = numbers.get(fields[2])
        if name is None and len(source) > 1 and Path(source[1]).name in parts:
            name = Path(source[1]).name  # btrfs and others report an anonymous device number
        if name is not None:
            found.append(f"{name} is mounted on {_unescape(fields[4])}")
    return found


def _unescape(text: str) -> str:
    return text.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")


def _swaps(parts: dict[str, str], view: SystemView) -> list[str]:
    lines = _read(view.proc_root / "swaps").splitlines()[1:]
    names = (Path(line.split()[0]).name for line in lines if line.split())
    return [f"{name} is swap" for name in names if name in parts]


def _holders(folder: Path, parts: dict[str, str]) -> list[str]:
    found = []
    for name in parts:
        holders = folder / "holders" if name == folder.name else folder / name / "holders"
        with contextlib.suppress(OSError):
            found += [f"{name} is held by {h.name}" for h in sorted(holders.iterdir())]
    return found
