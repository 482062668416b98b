"""The finding record shared by the engine, the rules and the output formats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Level = Literal["error", "warning", "info"]
LEVELS: Final[tuple[Level, ...]] = ("error", "warning", "info")
KINDS: Final = ("auto", "installer", "site", "system")


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: where (1-based line and column), which rule, how bad, and why."""

    path: str
    line: int
    col: int
    rule: str
    level: Level
    message: str

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.rule)


def fails(problems: list[Problem], *, strict: bool = False) -> bool:
    """Whether these findings fail a run: any error, or any warning under ``--strict``."""
    failing = {"error", "warning"} if strict else {"error"}
    return any(p.level in failing for p in problems)
