"""The rule catalogue: each rule module's ID, level, summary, documentation and check.

A rule module (``rules/ptNNN_*.py``) defines ``ID``, ``LEVEL``, ``SUMMARY`` and
``check(ctx) -> Iterator[Hit]``, and optionally ``APPLIES_TO`` (the kinds of file it checks; all
of installer, site and system by default) and ``NEEDS_YAML``. Its docstring is its
documentation (``--explain``): it holds a failing (``Bad::``) and a passing (``Good::``)
example that a test runs, and a ``Source:`` line naming what the rule relies on.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Final

from ..errors import InputError
from .context import Context, Hit
from .kinds import ALL_KINDS, CONCRETE
from .problem import Level

ID_RE: Final = re.compile(r"^PT[0-9]{3}$")
_EXAMPLE_RE: Final = re.compile(
    r"^(Bad|Good)(?: \(kind=(\w+)\))?::\n\n((?:(?:    .*)?\n)+)", re.MULTILINE
)


@dataclass(frozen=True, slots=True)
class Example:
    failing: bool
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: Level
    summary: str
    doc: str
    check: Callable[[Context], Iterable[Hit]]
    needs_yaml: bool = True
    kinds: frozenset[str] = ALL_KINDS

    @classmethod
    def of(cls, module: ModuleType) -> Rule:
        doc = textwrap.dedent((module.__doc__ or "").strip("\n"))
        return cls(module.ID, module.LEVEL, module.SUMMARY, doc.strip() + "\n", module.check,
                   getattr(module, "NEEDS_YAML", True),
                   frozenset(getattr(module, "APPLIES_TO", ALL_KINDS)))  # fmt: skip

    @property
    def examples(self) -> list[Example]:
        found = []
        for match in _EXAMPLE_RE.finditer(self.doc):
            body = textwrap.dedent(match.group(3)).strip("\n") + "\n"
            found.append(Example(match.group(1) == "Bad", match.group(2) or "auto", body))
        return found

    @property
    def applies_to(self) -> str:
        """The kinds of file the rule checks, in the order of ``--kind``."""
        return ", ".join(k for k in CONCRETE if k in self.kinds)

    def explain(self) -> str:
        return f"{self.id} ({self.level}): {self.summary}\nKinds: {self.applies_to}\n\n{self.doc}"


@cache
def all_rules() -> tuple[Rule, ...]:
    from .rules import MODULES

    return tuple(sorted((Rule.of(m) for m in MODULES), key=lambda r: r.id))


def get(rule_id: str) -> Rule:
    for rule in all_rules():
        if rule.id == rule_id.upper():
            return rule
    raise InputError(f"unknown rule {rule_id!r}", hint="`palette-tailscale lint --list-rules`")


def choose(select: Collection[str] | None, ignore: Collection[str] | None) -> tuple[Rule, ...]:
    """The rules to run; unknown IDs are an input error."""
    wanted = {get(r).id for r in select} if select else None
    dropped = {get(r).id for r in ignore or ()}
    return tuple(
        r for r in all_rules() if (wanted is None or r.id in wanted) and r.id not in dropped
    )
