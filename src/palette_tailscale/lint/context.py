"""What every rule sees: the parsed file, its stages and steps, and their commands, built once.

Rules never walk the whole tree themselves: the engine builds one :class:`Context` per file and
each rule reads the slices it needs (``steps``, ``commands``), so adding a rule adds no parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from ..errors import Mark
from ..kairos import SKIP_COPY_PREFIX
from ..yamlio import Document, Map, Node, Scalar, Seq
from . import kinds, schema, shell
from .problem import Level

HEADER: Final = kinds.YIP_HEADER


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule reports; the engine adds the path, rule ID and default level."""

    mark: Mark
    message: str
    level: Level | None = None
    anchor: int | None = None  # another line whose disable comment also covers this hit


@dataclass(frozen=True, slots=True)
class Step:
    """One item of ``stages.<stage>`` (or the cloud-init ``runcmd`` list, run in ``boot``)."""

    stage: str
    stage_key: Scalar
    node: Map
    index: int

    def scalar(self, key: str) -> Scalar | None:
        value = self.node.get(key)
        return value if isinstance(value, Scalar) else None

    @property
    def name(self) -> str | None:
        value = self.scalar("name")
        return value.raw if value is not None and value.raw else None

    @property
    def guard(self) -> str:
        value = self.scalar("if")
        return value.raw if value is not None else ""

    @property
    def skip_copy(self) -> bool:
        return (self.name or "").startswith(SKIP_COPY_PREFIX)


@dataclass(frozen=True, slots=True)
class Command:
    """A shell command a step runs (``sh -c``)."""

    step: Step
    node: Scalar

    @property
    def text(self) -> str:
        return self.node.raw


@dataclass
class Context:
    """One file under lint."""

    path: str
    text: str
    kind: str  # "installer", "site" or "system" (auto already resolved)
    doc: Document
    steps: list[Step] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    parse_error: Hit | None = None  # set when the text is not YAML (PT002)
    kind_reason: str = "--kind"

    @cached_property
    def cloud_init(self) -> bool:
        """Whether yip reads the cloud-init keys (``runcmd``, ``users``...) of this file.

        User-data reaches the host through the collector, which writes it back under a
        ``#cloud-config`` header; a stage-directory file is read as it is (see :mod:`.kinds`).
        """
        return self.kind != "system" or kinds.yip_cloud_init(self.text)

    def decode_effect(self, path: tuple[str, ...]) -> str:
        """What yip does with the file when the value at ``path`` cannot be decoded."""
        if path[:1] == ("stages",) and self.cloud_init:
            return "yip drops every stage of the file"
        if path[:1] == ("install",):
            return "Kairos cannot decode the install section"
        return (
            "yip cannot load the file: none of its steps run, nor those of the other files in "
            "its directory (such as /oem)"
        )

    @property
    def root(self) -> Node | None:
        return self.doc.root

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def issues(self) -> list[schema.Issue]:
        """Shape problems of the whole document (one walk, shared by several rules)."""
        return list(schema.check(self.root, cloud_init=self.cloud_init))

    @cached_property
    def ups(self) -> list[tuple[Command, shell.Invocation]]:
        """Every ``tailscale up`` in the file's commands."""
        return [
            (c, inv) for c in self.commands if "tailscale" in c.text for inv in shell.ups(c.text)
        ]

    def top(self, key: str) -> Node | None:
        return self.root.get(key) if isinstance(self.root, Map) else None

    def at(self, node: Node) -> Mark:
        return Mark(self.path, node.mark.line, node.mark.col)

    def scalars(self, node: Node | None) -> Iterator[Scalar]:
        """Every scalar value (not key) under ``node``."""
        if isinstance(node, Scalar):
            yield node
        elif isinstance(node, Seq):
            for item in node.items:
                yield from self.scalars(item)
        elif isinstance(node, Map):
            for _, value in node.items():
                yield from self.scalars(value)

    def in_command(self, command: Command, offset: int, message: str) -> Hit:
        """A hit at character ``offset`` of a command; a disable comment on the command's first
        line covers it too (for block scalars, whose lines cannot carry the comment)."""
        return Hit(self.locate(command.node, offset), message, anchor=command.node.mark.line)

    def locate(self, node: Scalar, offset: int) -> Mark:
        """The source position of character ``offset`` of a scalar's value (best effort)."""
        text = node.raw
        start = text.rfind("\n", 0, offset) + 1
        end = text.find("\n", start)
        line_text = text[start : end if end >= 0 else len(text)]
        inner = offset - start
        vline = text.count("\n", 0, start)
        if node.style in ("|", ">"):
            return self._in_block(node, vline + 1, line_text, inner)
        if vline == 0:
            quote = 1 if node.style in ("'", '"') else 0
            mark = Mark(self.path, node.mark.line, node.mark.col + quote + inner)
            if self._source_has(mark, line_text[inner : inner + 12]):
                return mark
        return self._search(node, line_text, inner)

    def _source_has(self, mark: Mark, snippet: str) -> bool:
        if not 0 < mark.line <= len(self.lines):
            return False
        return self.lines[mark.line - 1][mark.col - 1 :].startswith(snippet)

    def _in_block(self, node: Scalar, delta: int, line_text: str, inner: int) -> Mark:
        number = node.mark.line + delta
        if 0 < number <= len(self.lines) and line_text:
            source = self.lines[number - 1]
            if source.endswith(line_text):
                return Mark(self.path, number, len(source) - len(line_text) + inner + 1)
        return self._search(node, line_text, inner)

    def _search(self, node: Scalar, line_text: str, inner: int) -> Mark:
        needle = line_text.strip()
        lead = len(line_text) - len(line_text.lstrip())
        if needle:
            last = min(len(self.lines), node.mark.line + node.raw.count("\n") + 50)
            for number in range(node.mark.line, last + 1):
                found = self.lines[number - 1].find(needle)
                if found >= 0:
                    return Mark(self.path, number, found + max(inner - lead, 0) + 1)
        return self.at(node)


def build(doc: Document, kind: str) -> Context:
    """Index the stages, steps and commands of a parsed document."""
    ctx = Context(path=doc.path, text=doc.text, kind="installer", doc=doc)
    root = doc.root
    if isinstance(root, Map):
        stages = root.get("stages")
        if isinstance(stages, Map):
            for key, value in stages.items():
                if isinstance(value, Seq):
                    ctx.steps.extend(
                        Step(key.raw, key, item, i)
                        for i, item in enumerate(value.items)
                        if isinstance(item, Map)
                    )
        for step in ctx.steps:
            commands = step.node.get("commands")
            if isinstance(commands, Seq):
                ctx.commands.extend(
                    Command(step, c) for c in commands.items if isinstance(c, Scalar)
                )
    choice = kinds.choose(kind, doc.text, root, skip_copy=any(s.skip_copy for s in ctx.steps))
    ctx.kind, ctx.kind_reason = choice.kind, choice.reason
    if isinstance(root, Map) and ctx.cloud_init:
        _add_runcmd(ctx, root)
    return ctx


def _add_runcmd(ctx: Context, root: Map) -> None:
    # yip runs the cloud-init ``runcmd`` list in the ``boot`` stage (loader_cloudinit.go).
    runcmd, key = root.get("runcmd"), root.key_node("runcmd")
    if isinstance(runcmd, Seq) and isinstance(key, Scalar):
        step = Step("boot", key, Map(pairs=[], mark=runcmd.mark), -1)
        ctx.commands.extend(Command(step, c) for c in runcmd.items if isinstance(c, Scalar))
