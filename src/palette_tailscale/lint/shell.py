"""Just enough shell reading for the rules: find ``tailscale up`` and read its flags.

Commands run through ``sh -c`` (dash on Ubuntu). This is no shell parser: it finds invocations
on non-comment lines, follows backslash continuations, and stops at ``;``, ``&&``, ``||``,
``|`` or the end of the line, which is what user-data commands look like in practice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

UP_RE: Final = re.compile(r"\btailscale\s+up\b")
# Where a shell command word can start: line start, after a separator or a keyword.
COMMAND_START: Final = (
    r"(?:^|(?<=[;&|({`])|(?<=\$\()|(?<=\bdo\s)|(?<=\bthen\s)|(?<=\belse\s)|(?<=!\s))\s*"
)
KEY_FLAG_RE: Final = re.compile(r"--(auth-key|authkey)(?:=|\s+)(\S+)")
SECRET_RE: Final = re.compile(r"\b(?:tskey|hskey)-[A-Za-z0-9_-]+")
_END_RE: Final = re.compile(r"(?<!\\)\n|;|&&|\|\||\||\)(?=\s|$)|`")


@dataclass(frozen=True, slots=True)
class Invocation:
    """One ``tailscale up``: where it starts in the command, and its argument text."""

    offset: int
    args: str  # starts with one space; args[i] is command[base + i]
    base: int

    def flag(self, *names: str) -> tuple[str, int] | None:
        """The value of ``--name=value`` / ``--name value`` and its offset in the command."""
        for name in names:
            match = re.search(rf"(?:^|\s)--{re.escape(name)}(?:=|\s+)(\S+)", self.args)
            if match:
                return unquote(match.group(1)), self.base + match.start(1)
        return None

    def has_flag(self, *names: str) -> bool:
        return any(re.search(rf"(?:^|\s)--{re.escape(n)}(?:=|\s|$)", self.args) for n in names)


def code_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) for each line of ``text`` that is not a shell comment."""
    offset = 0
    for line in text.split("\n"):
        if not line.lstrip().startswith("#"):
            yield offset, line
        offset += len(line) + 1


def find(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, re.Match[str]]]:
    """(offset in ``text``, match within its line) for matches outside comment lines."""
    for offset, line in code_lines(text):
        for match in pattern.finditer(line):
            yield offset + match.start(), match


def ups(text: str) -> Iterator[Invocation]:
    """Every ``tailscale up`` invocation in a command."""
    for start, match in find(UP_RE, text):
        after = start + len(match.group(0))
        rest = text[after:].replace("\\\n", "  ")
        end = _END_RE.search(rest)
        yield Invocation(start, " " + rest[: end.start() if end else len(rest)], after - 1)


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.strip("'\"")
