"""``render --canvos DIR``: apply the render into a CanvOS checkout, idempotently.

* ``Dockerfile``: the block goes right after the ``Add any other image customizations here``
  marker (both spellings, reference/canvos-palette.md §2), or replaces the block between our
  begin/end markers from an earlier run.
* ``user-data``: merged into the user's file (``canvos_userdata``), or written when absent.
* ``.arg``: our keys updated in place, missing ones appended, every other line kept.

Everything is computed in memory first; the caller writes all files or none.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Final

from ..errors import InputError, Mark
from . import verify
from .argfile import LINE_RE, merge_arg
from .canvos_userdata import merge_userdata
from .dockerfile import BEGIN_RE, END_LINE
from .output import FileWrite
from .plan import ARG_FILE, DOCKERFILE, USER_DATA, Rendered

MARKER_RE: Final = re.compile(r"^#+\s*Add any other image customizations here\s*#*\s*$")


def canvos_writes(rendered: Rendered, checkout: Path) -> list[FileWrite]:
    """The three files of ``checkout`` as they must be after applying ``rendered``."""
    dockerfile = checkout / "Dockerfile"
    if not checkout.is_dir():
        raise InputError(f"{checkout}: no such directory (expected a CanvOS checkout)")
    if not dockerfile.is_file():
        raise InputError(f"{checkout}: no Dockerfile here; is this a CanvOS checkout?")
    block = rendered.files[DOCKERFILE].decode()
    return [
        _write(dockerfile, apply_block(_read(dockerfile), block, str(dockerfile)), None),
        _userdata_write(rendered, checkout / USER_DATA),
        _arg_write(rendered, checkout / ARG_FILE),
    ]


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


def _userdata_write(rendered: Rendered, path: Path) -> FileWrite:
    ours = rendered.files[USER_DATA].decode()
    if not path.exists():
        return FileWrite(path, ours.encode(), rendered.modes[USER_DATA])
    merged = merge_userdata(_read(path), ours, str(path))
    verify.verify_userdata(
        merged,
        name=str(path),
        key_expected=False,
        secrets=rendered.secrets,
    )
    mode = rendered.modes[USER_DATA] if rendered.secrets else _mode(path)
    return FileWrite(path, merged.encode(), mode)


def _arg_write(rendered: Rendered, path: Path) -> FileWrite:
    ours = rendered.files[ARG_FILE].decode()
    if not path.exists():
        return FileWrite(path, ours.encode(), rendered.modes[ARG_FILE])
    lines = [(m.group(1), line) for line in ours.splitlines() if (m := LINE_RE.match(line))]
    return _write(path, merge_arg(_read(path), lines), None)


def _write(path: Path, text: str, mode: int | None) -> FileWrite:
    return FileWrite(path, text.encode(), mode if mode is not None else _mode(path))


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o644


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
