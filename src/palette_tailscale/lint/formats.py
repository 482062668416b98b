"""Output formats: pure functions from findings to text (the CLI writes it).

``text`` (humans; source line and caret), ``parsable`` (one line each, grep-able), ``json``,
``github`` (workflow commands that annotate the diff) and ``sarif`` (code scanning, in
:mod:`.sarif`). Source lines are redacted: a finding about a key never prints the key.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Final

from ..secrets import REDACTED, redact
from .credentials import scrub_line
from .problem import Problem

FORMATS: Final = ("text", "parsable", "json", "sarif", "github")
_COLOURS: Final = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"
_FLAG_VALUE_RE: Final = re.compile(
    r"(--(?:auth-key|authkey)(?:=|\s+)['\"]?)(?!file:|\$)([^\s'\"]+)"
)


def parsable(problems: Sequence[Problem]) -> str:
    return "".join(f"{p.path}:{p.line}:{p.col}: {p.level} {p.rule} {p.message}\n" for p in problems)


def as_json(problems: Sequence[Problem]) -> str:
    return json.dumps([asdict(p) for p in problems], indent=2, ensure_ascii=False) + "\n"


def github(problems: Sequence[Problem]) -> str:
    out = []
    for p in problems:
        level = "notice" if p.level == "info" else p.level
        where = f"file={_prop(p.path)},line={p.line},col={p.col},title={p.rule}"
        out.append(f"::{level} {where}::{_data(p.message)}\n")
    return "".join(out)


def text(
    problems: Sequence[Problem], sources: Mapping[str, list[str]], *, color: bool = False
) -> str:
    out = [_entry(p, sources.get(p.path, []), color) for p in problems]
    if problems:
        out.append(summary(problems) + "\n")
    return "".join(out)


def summary(problems: Sequence[Problem]) -> str:
    """``3 problems (1 error, 1 warning, 1 info) in 1 file``."""
    counts: Counter[str] = Counter(p.level for p in problems)
    parts = [
        _count(counts[level], level) for level in ("error", "warning", "info") if counts[level]
    ]
    files = len({p.path for p in problems})
    return f"{_count(len(problems), 'problem')} ({', '.join(parts)}) in {_count(files, 'file')}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 or noun == "info" else f"{n} {noun}s"


def _entry(p: Problem, lines: list[str], color: bool) -> str:
    level: str = p.level
    rule = p.rule
    if color:
        level, rule = f"{_COLOURS[p.level]}{level}{_RESET}", f"{_BOLD}{rule}{_RESET}"
    head = f"{p.path}:{p.line}:{p.col}: {level} {rule} {p.message}\n"
    if not 0 < p.line <= len(lines):
        return head
    source = lines[p.line - 1]
    shown, before = scrub(source), scrub(source[: p.col - 1])
    # Redaction may shorten the text before the caret; keep the caret under the same token.
    before = before if shown.startswith(before) else source[: p.col - 1]
    pad = "".join("\t" if c == "\t" else " " for c in before)
    caret = f"{_COLOURS[p.level]}^{_RESET}" if color else "^"
    gutter = f"{p.line:>5}"
    return f"{head}{gutter} | {shown}\n{' ' * len(gutter)} | {pad}{caret}\n"


def scrub(line: str) -> str:
    """A source line safe to print: key-shaped tokens, literal --auth-key values and the
    values of other credentials (passwords, tokens: PT043) removed."""
    return scrub_line(redact(_FLAG_VALUE_RE.sub(lambda m: m.group(1) + REDACTED, line)))


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
