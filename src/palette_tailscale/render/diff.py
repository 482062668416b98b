"""Unified diffs of what a render would change, with every secret masked.

The rendered secrets (registration token, auth key) are masked by value; values the checkout
already holds are masked by where they sit (``edgeHostToken:``) and by shape (``tskey-…``), so a
diff can be pasted into a ticket or a CI log.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Final

from ..secrets import REDACTED, Secret, redact
from .output import FileWrite, on_disk

_SECRET_KEY_RE: Final = re.compile(
    r"^(\s*[-\s]*[\"']?(?:edgeHostToken|registration_?token|auth_?key|api_?key)[\"']?\s*[:=]\s*)"
    r"(?![\s\"']*$)(.+)$",
    re.IGNORECASE | re.MULTILINE,
)


def mask(text: str, secrets: Iterable[Secret] = ()) -> str:
    """``text`` with known secret values, secret-named keys' values and key shapes masked."""
    text = redact(text, *secrets)
    return _SECRET_KEY_RE.sub(lambda m: m.group(1) + REDACTED, text)


def unified(
    name: str,
    before: bytes | None,
    after: bytes,
    *,
    secrets: Sequence[Secret] = (),
    labels: tuple[str, str] | None = None,
) -> str:
    """A unified diff of one file (``before`` None: the file is new); empty when equal."""
    old = _lines(before, secrets)
    new = _lines(after, secrets)
    first, second = labels or (name if before is not None else "/dev/null", name)
    text = "".join(difflib.unified_diff(old, new, first, second))
    return text


def write_diff(write: FileWrite, secrets: Sequence[Secret] = ()) -> str:
    """The diff of one planned write against the file on disk (content only)."""
    return unified(str(write.path), on_disk(write.path), write.data, secrets=secrets)


def _lines(data: bytes | None, secrets: Sequence[Secret]) -> list[str]:
    if data is None:
        return []
    lines = mask(data.decode("utf-8", "replace"), secrets).splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines
