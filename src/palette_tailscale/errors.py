"""Errors shared by every part of palette-tailscale.

Hierarchy::

    PaletteTailscaleError        expected failure; the CLI prints one line and exits
    ├── InputError               the user's input is wrong (exit 2); may carry a position
    │   └── YamlError            YAML that cannot be parsed
    ├── GeneratedInvalidError    we produced something invalid: a bug, not the user's fault (exit 3)
    └── CheckFailed              `--check`-style "would change" results (exit 1)

Library code raises these and never prints or exits; ``cli.main`` turns them into a message
and an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based line and column in a named source."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


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


class GeneratedInvalidError(PaletteTailscaleError):
    """palette-tailscale produced an artifact that fails its own checks (a bug)."""

    exit_code = 3


class CheckFailed(PaletteTailscaleError):
    """A check found a difference or a finding (exit 1)."""

    exit_code = 1
