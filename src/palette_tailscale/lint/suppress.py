"""Inline suppression: ``# palette-tailscale: disable=PT013[,PT015]`` covers its own line;
``# palette-tailscale: disable-file[=PT013,...]`` in the first ten lines covers the file.
Without ``=IDs`` every rule is disabled there."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

MARKER: Final = "palette-tailscale:"
FILE_SCOPE_LINES: Final = 10
_RE: Final = re.compile(
    r"#\s*palette-tailscale:\s*(disable-file|disable)\b(?:\s*=\s*([A-Za-z0-9, ]+))?"
)
ALL: Final[frozenset[str]] = frozenset({"*"})


@dataclass
class Suppressions:
    file: frozenset[str] = frozenset()
    lines: dict[int, frozenset[str]] = field(default_factory=dict)

    def covers(self, rule: str, *lines: int | None) -> bool:
        if self.file & {rule, "*"}:
            return True
        return any(n is not None and self.lines.get(n, frozenset()) & {rule, "*"} for n in lines)


def parse(text: str) -> Suppressions:
    found = Suppressions()
    if MARKER not in text:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        match = _RE.search(line) if MARKER in line else None
        if match is None:
            continue
        ids = _ids(match.group(2))
        if match.group(1) == "disable-file":
            if number <= FILE_SCOPE_LINES:
                found.file = found.file | ids
        else:
            found.lines[number] = found.lines.get(number, frozenset()) | ids
    return found


def _ids(text: str | None) -> frozenset[str]:
    if not text:
        return ALL
    return frozenset(part.strip().upper() for part in text.split(",") if part.strip())
