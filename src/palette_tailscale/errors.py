"""Errors shared by every part of palette-tailscale.

Hierarchy::

    PaletteTailscaleError        expected failure; the CLI prints one line and exits
    ├── InputError               the user's input is wrong (exit 2); may carry a position
    │   ├── YamlError            YAML that cannot be parsed
    │   └── InputErrors          several input problems found in one pass, sorted by position
    ├── GeneratedInvalidError    we produced something invalid: a bug, not the user's fault (exit 3)
    └── CheckFailed              `--check`-style "would change" results (exit 1)

Library code raises these and never prints or exits; ``cli.main`` turns them into a message
and an exit code.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

MAX_SHOWN: Final = 50  # problems listed in one message; the rest are counted


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based line and column in a named source."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


def shown(text: str) -> str:
    """``text`` with every character that is not printable written as an escape (``\\x1e``),
    so a key from the user's file can neither break a message's lines nor drive a terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


MAX_LINE = 1000  # an error line quoting a value of 10,000 characters is cut in its middle


def cut(line: str) -> str:
    """``line`` whole up to :data:`MAX_LINE` characters, else its start and end around a count."""
    if len(line) <= MAX_LINE:
        return line
    return f"{line[: MAX_LINE - 300]}… ({len(line)} characters) …{line[-250:]}"


def error_line(message: str) -> str:
    """``message`` as the tool's one line on stderr: escaped and cut."""
    return f"palette-tailscale: error: {cut(shown(message))}"


class PaletteTailscaleError(Exception):
    """An expected failure with a message that says what to do."""

    exit_code = 1

    def __init__(self, message: str, *, mark: Mark | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.mark}: {self.message}" if self.mark else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(PaletteTailscaleError):
    """The user's input (file, flag, environment) is wrong."""

    exit_code = 2


class YamlError(InputError):
    """A YAML document could not be parsed."""

    # Where the construct the parser could not finish starts (the line yaml.v3 reports).
    context_mark: Mark | None = None


class InputErrors(InputError):
    """Every problem a validation pass found, sorted by position, at most ``MAX_SHOWN`` listed.

    ``str()`` gives one problem per line (then ``… and N more problems``); ``problems`` holds
    them all.
    """

    def __init__(self, problems: Sequence[InputError]) -> None:
        self.problems = sorted(problems, key=_position)
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        rest = len(self.problems) - MAX_SHOWN
        if rest > 0:
            lines.append(f"… and {rest} more problem{'s' if rest != 1 else ''}")
        super().__init__("\n".join(lines))

    def __str__(self) -> str:
        return self.message


def _position(error: InputError) -> tuple[str, int, int]:
    mark = error.mark
    return (mark.path, mark.line, mark.col) if mark else ("", 0, 0)


class Problems:
    """Collects input problems so one run reports them all (see :class:`InputErrors`)."""

    def __init__(self) -> None:
        self.found: list[InputError] = []

    def add(self, error: InputError) -> None:
        if isinstance(error, InputErrors):
            self.found.extend(error.problems)
        else:
            self.found.append(error)

    @contextmanager
    def gather(self) -> Iterator[None]:
        """Record an :class:`InputError` raised inside the block and carry on after it."""
        try:
            yield
        except InputError as exc:
            self.add(exc)

    def check(self) -> None:
        """Raise what was found: the one error itself, or :class:`InputErrors` for several.

        A problem found more than once (a bad CSV column, met on every row) is reported once.
        """
        unique: dict[str, InputError] = {}
        for error in self.found:
            unique.setdefault(str(error), error)
        if len(unique) == 1:
            raise next(iter(unique.values()))
        if unique:
            raise InputErrors(list(unique.values()))


class GeneratedInvalidError(PaletteTailscaleError):
    """palette-tailscale produced an artifact that fails its own checks (a bug)."""

    exit_code = 3


class CheckFailed(PaletteTailscaleError):
    """A check found a difference or a finding (exit 1)."""

    exit_code = 1
