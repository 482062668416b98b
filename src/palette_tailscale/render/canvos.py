"""``render --canvos DIR``: apply the render into a CanvOS checkout, idempotently.

* ``Dockerfile``: the block goes right after the ``Add any other image customizations here``
  marker (both spellings, reference/canvos-palette.md §2), or replaces the block between our
  begin/end markers from an earlier run.
* ``user-data``: merged into the user's file (``canvos_userdata``), or written when absent.
* ``.arg``: our keys updated in place, missing ones appended, every other line kept.

Never clobber: a value the checkout already holds that the render would change (a token, the
project, a ``.arg`` variable) is a conflict. :func:`canvos_plan` reports conflicts with the
files as they would be both ways, so the caller can show the difference; the user's value stays
unless ``force``. A placeholder never replaces a real value. Every existing file that changes is
first kept as ``FILE.bak``.

Everything is computed in memory first; the caller writes all files or none.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ..errors import InputError, Mark
from ..inputfile import read_limited
from . import verify
from .argfile import LINE_RE, merge_arg
from .canvos_userdata import Conflict, Merge, merge_userdata
from .dockerfile import BEGIN_RE, END_LINE
from .output import FileWrite
from .plan import ARG_FILE, DOCKERFILE, USER_DATA, Rendered

MAX_CHECKOUT_FILE: Final = 4 * 1024 * 1024  # a Dockerfile, user-data (Kairos: 1 MiB) or .arg
MARKER_RE: Final = re.compile(r"^#+\s*Add any other image customizations here\s*#*\s*$")


@dataclass(frozen=True, slots=True)
class FileConflicts:
    """The conflicts in one file, and the file with the user's values and with ours."""

    path: Path
    conflicts: tuple[Conflict, ...]
    theirs: bytes
    forced: bytes


@dataclass(slots=True)
class CanvosPlan:
    """The checkout's files as they must be, and what stood in the way."""

    writes: list[FileWrite]
    conflicts: list[FileConflicts] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # real values kept over placeholders


class ConflictError(InputError):
    """The checkout holds values of its own that the render would replace (exit 2)."""

    def __init__(self, conflicts: list[FileConflicts]) -> None:
        count = sum(len(f.conflicts) for f in conflicts)
        names = ", ".join(str(f.path) for f in conflicts)
        super().__init__(
            f"{count} value{'s' if count != 1 else ''} in {names} would be replaced by the "
            "render; nothing was written",
            hint="keep them by setting the same values in the config, or pass --force to "
            "replace them",
        )
        self.conflicts = conflicts


def canvos_writes(rendered: Rendered, checkout: Path, *, force: bool = False) -> list[FileWrite]:
    """The three files of ``checkout`` after applying ``rendered``; :class:`ConflictError` when
    the checkout holds other values and not ``force``."""
    plan = canvos_plan(rendered, checkout, force=force)
    if plan.conflicts and not force:
        raise ConflictError(plan.conflicts)
    return plan.writes


def canvos_plan(rendered: Rendered, checkout: Path, *, force: bool = False) -> CanvosPlan:
    """The three files of ``checkout`` as they must be after applying ``rendered``.

    Conflicting values keep the user's value unless ``force``; either way they are reported.
    """
    dockerfile = checkout / "Dockerfile"
    if not checkout.is_dir():
        raise InputError(f"{checkout}: no such directory (expected a CanvOS checkout)")
    if not dockerfile.is_file():
        raise InputError(f"{checkout}: no Dockerfile here; is this a CanvOS checkout?")
    block = rendered.files[DOCKERFILE].decode()
    plan = CanvosPlan([_write(dockerfile, apply_block(_read(dockerfile), block, str(dockerfile)))])
    plan.writes.append(_userdata_write(rendered, checkout / USER_DATA, plan, force))
    plan.writes.append(_arg_write(rendered, checkout / ARG_FILE, plan, force))
    return plan


def apply_block(text: str, block: str, path: str) -> str:
    """``text`` with ``block`` after the marker line, or in place of an earlier block."""
    lines = text.splitlines(keepends=True)
    begin = next((i for i, line in enumerate(lines) if BEGIN_RE.match(line.rstrip("\r\n"))), None)
    if begin is not None:
        end = next(
            (i for i in range(begin + 1, len(lines)) if lines[i].rstrip("\r\n") == END_LINE),
            None,
        )
        if end is None:
            raise InputError(
                f"the palette-tailscale block has no end line {END_LINE!r}",
                mark=Mark(path, begin + 1, 1),
                hint="restore it or delete the partial block",
            )
        return "".join(lines[:begin]) + block + "".join(lines[end + 1 :])
    marker = next((i for i, line in enumerate(lines) if MARKER_RE.match(line.rstrip("\r\n"))), None)
    if marker is None:
        raise InputError(
            f"{path}: no line `# Add any other image customizations here` to insert after",
            hint="add that comment line where Tailscale should be installed",
        )
    head = "".join(lines[: marker + 1])
    return (head if head.endswith("\n") else head + "\n") + block + "".join(lines[marker + 1 :])


def _userdata_write(rendered: Rendered, path: Path, plan: CanvosPlan, force: bool) -> FileWrite:
    ours = rendered.files[USER_DATA].decode()
    if not path.exists():
        return FileWrite(path, ours.encode(), rendered.modes[USER_DATA])
    existing = _read(path)
    merge = Merge(force=force)
    merged = merge_userdata(existing, ours, str(path), merge)
    plan.kept.extend(f"{path}: {where}" for where in merge.kept)
    if merge.conflicts:
        other = merge_userdata(existing, ours, str(path), Merge(force=not force))
        theirs, forced = (other, merged) if force else (merged, other)
        plan.conflicts.append(
            FileConflicts(path, tuple(merge.conflicts), theirs.encode(), forced.encode())
        )
    verify.verify_userdata(
        merged,
        name=str(path),
        key_expected=False,
        secrets=rendered.secrets,
    )
    mode = rendered.modes[USER_DATA] if rendered.secrets else _mode(path)
    return FileWrite(path, merged.encode(), mode, backup=True)


def _arg_write(rendered: Rendered, path: Path, plan: CanvosPlan, force: bool) -> FileWrite:
    ours = rendered.files[ARG_FILE].decode()
    if not path.exists():
        return FileWrite(path, ours.encode(), rendered.modes[ARG_FILE])
    lines = [(m.group(1), line) for line in ours.splitlines() if (m := LINE_RE.match(line))]
    existing = _read(path)
    found: list[tuple[str, str, str]] = []
    merged = merge_arg(existing, lines, force=force, conflicts=found)
    if found:
        conflicts = tuple(Conflict(key, theirs, wanted) for key, theirs, wanted in found)
        other = merge_arg(existing, lines, force=not force)
        theirs, forced = (other, merged) if force else (merged, other)
        plan.conflicts.append(FileConflicts(path, conflicts, theirs.encode(), forced.encode()))
    return _write(path, merged)


def _write(path: Path, text: str) -> FileWrite:
    return FileWrite(path, text.encode(), _mode(path), backup=True)


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o644


def _read(path: Path) -> str:
    raw = read_limited(path, limit=MAX_CHECKOUT_FILE, label=str(path), fifo_ok=False)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
