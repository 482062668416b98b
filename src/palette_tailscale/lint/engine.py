"""Run the chosen rules over one file: decode, parse once, index once, dispatch, filter.

Unreadable *content* (invalid UTF-8, a NUL byte, a parse error, absurd nesting) is a PT002
finding, never an exception, so one bad file in a directory does not hide the others.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from ..errors import Mark, YamlError
from ..secrets import redact
from ..yamlio import Document, load
from . import graph, kinds, suppress
from .context import Context, Hit, build
from .problem import KINDS, Problem
from .registry import Rule, choose

MAX_BYTES: Final = 1024 * 1024  # Kairos' collector (sdk/collector) skips larger config files


def lint_text(
    text: str,
    path: str = "<string>",
    *,
    kind: str = "auto",
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
) -> list[Problem]:
    """Lint one document given as text (see :func:`palette_tailscale.lint.lint_text`)."""
    rules = _rules(kind, select, ignore)
    return _run(_context(text, path, kind), rules)


def lint_bytes(
    data: bytes,
    path: str,
    *,
    kind: str = "auto",
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
) -> list[Problem]:
    """Like :func:`lint_text` for raw file content (invalid UTF-8 is a PT002 finding)."""
    return lint_file(data, path, kind=kind, select=select, ignore=ignore).problems


@dataclass(frozen=True, slots=True)
class Linted:
    """One file's findings and the kind it was linted as (with the reason, for --verbose)."""

    kind: str
    reason: str
    problems: list[Problem]


def lint_file(
    data: bytes,
    path: str,
    *,
    kind: str = "auto",
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
) -> Linted:
    """Lint raw file content; also say which kind of file it was taken for."""
    rules = _rules(kind, select, ignore)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", "replace")  # for PT001 and the suppression comments
        hit = Hit(_byte_mark(data, exc.start, path), _utf8_message(data, exc))
        ctx = _unparsed(text, path, kind, hit)
    else:
        ctx = _context(text, path, kind)
    return Linted(ctx.kind, ctx.kind_reason, _run(ctx, rules))


def _rules(
    kind: str, select: Collection[str] | None, ignore: Collection[str] | None
) -> tuple[Rule, ...]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return choose(select, ignore)


def _context(text: str, path: str, kind: str) -> Context:
    if len(text) > MAX_BYTES or len(text.encode("utf-8")) > MAX_BYTES:
        return _unparsed(text, path, kind, None)  # only the text rules (PT001, PT038) run
    try:
        doc = load(text, path)
    except YamlError as exc:
        return _unparsed(text, path, kind, _parse_hit(exc, path))
    aliased = "*" in text and "&" in text and graph.problem(doc.root)
    if aliased:
        return _unparsed(text, path, kind, Hit(Mark(path, 1, 1), aliased))
    return build(doc, kind)


def _unparsed(text: str, path: str, kind: str, error: Hit | None) -> Context:
    """A context without a document: the YAML rules skip it, PT002 reports ``error``."""
    choice = kinds.choose(kind, text, None)
    ctx = Context(path, text, choice.kind, Document(path, text, None), kind_reason=choice.reason)
    ctx.parse_error = error
    return ctx


def _parse_hit(exc: YamlError, path: str) -> Hit:
    # yaml.v3 reports the line where the construct it could not finish starts (context mark);
    # the message keeps the position of the offending token too.
    mark = exc.context_mark or exc.mark or Mark(path, 1, 1)
    message = exc.message
    if exc.context_mark and exc.mark and exc.mark != exc.context_mark:
        message += f"; the parser stopped at line {exc.mark.line}, column {exc.mark.col}"
    return Hit(mark, message)


def _run(ctx: Context, rules: tuple[Rule, ...]) -> list[Problem]:
    parsed = ctx.parse_error is None and ctx.root is not None
    directives = suppress.parse(ctx.text)
    found: set[Problem] = set()
    for rule in rules:
        if (rule.needs_yaml and not parsed) or ctx.kind not in rule.kinds:
            continue
        for hit in rule.check(ctx):
            if directives.covers(rule.id, hit.mark.line, hit.anchor):
                continue
            level = hit.level or rule.level
            message = redact(hit.message)  # a rule may quote a value; never a key
            found.add(Problem(ctx.path, hit.mark.line, hit.mark.col, rule.id, level, message))
    return sorted(found, key=lambda p: p.sort_key)


def _byte_mark(data: bytes, index: int, path: str) -> Mark:
    line = data.count(b"\n", 0, index) + 1
    start = data.rfind(b"\n", 0, index) + 1
    col = len(data[start:index].decode("utf-8", errors="replace")) + 1
    return Mark(path, line, col)


def _utf8_message(data: bytes, exc: UnicodeDecodeError) -> str:
    return (
        f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded; Kairos reads UTF-8 only"
    )
