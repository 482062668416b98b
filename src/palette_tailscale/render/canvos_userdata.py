"""Merging the rendered user-data into a user's own ``user-data`` without losing anything of theirs.

ruamel.yaml's round trip keeps the user's comments, key order, quoting and indentation. Of the
steps, only those this tool owns (``device.is_owned_step``) are replaced, in place; owned steps
the config no longer renders are removed. Other rendered values follow Kairos' merge (maps
recurse, list items are added once). A scalar the user set to another real value (a token, a
project, an endpoint) is a :class:`Conflict`: the user's value stays unless ``force``. A
placeholder never replaces a real value, not even with ``force``. Merging the same render twice
gives the same bytes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any, Final

from .. import yamlio
from ..device import is_owned_step
from ..errors import InputError
from . import verify
from .plan import is_placeholder
from .selflint import lint_errors

HEADER_LINE: Final = "#cloud-config"
_INDENT_RE: Final = re.compile(r"^( *)(- )?[^\s#-]")


@dataclass(frozen=True, slots=True)
class Conflict:
    """A value the user set that the render would replace: ``where`` is a dotted path."""

    where: str
    theirs: str
    ours: str


@dataclass(slots=True)
class Merge:
    """What a merge found: conflicts (kept unless ``force``), real values kept over placeholders."""

    force: bool = False
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def merge_userdata(existing: str, ours: str, path: str, merge: Merge | None = None) -> str:
    """``existing`` (the user's file at ``path``) with ``ours`` merged in."""
    merge = merge if merge is not None else Merge(force=True)
    _check_user_file(existing, path)
    yaml = _yaml(existing)
    user = yaml.load(existing)
    if user is None:
        user = yaml.load("{}")
    mine = yaml.load(ours)
    _merge_stages(user, mine.pop("stages", {}), merge)
    _merge_map(user, mine, (), merge)
    out = io.StringIO()
    yaml.dump(user, out)
    text = out.getvalue()
    if text.split("\n", 1)[0].rstrip(" \t") != HEADER_LINE:
        text = f"{HEADER_LINE}\n{text}"
    return text


def _check_user_file(text: str, path: str) -> None:
    doc = yamlio.load(text, path)  # YamlError (exit 2) with the position of a syntax error
    if doc.root is not None and not isinstance(doc.root, yamlio.Map):
        raise InputError("user-data is not a YAML mapping", mark=doc.root.mark)
    problems = verify.structural_problems(doc, header=False)
    if problems:
        raise InputError(f"existing user-data: {problems[0].message}", mark=problems[0].mark)
    for mark, message in lint_errors(text, path):
        if not message.startswith("PT001"):  # a missing header is added by the merge
            raise InputError(f"existing user-data: {message}", mark=mark)


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, offset = _guess_indent(text)
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml


def _guess_indent(text: str) -> tuple[int, int]:
    """The user's mapping indent and the offset of ``-`` under its parent key."""
    mapping, offset = 2, 0
    found_map = found_seq = False
    previous: tuple[int, bool] | None = None  # (indent, line ends a key with ":")
    for line in text.splitlines():
        match = _INDENT_RE.match(line)
        if not match:
            continue
        indent, dash = len(match.group(1)), bool(match.group(2))
        if previous is not None and previous[1] and indent > previous[0]:
            if dash and not found_seq:
                offset, found_seq = indent - previous[0], True
            elif not dash and not found_map:
                mapping, found_map = indent - previous[0], True
        elif previous is not None and previous[1] and dash and indent == previous[0]:
            found_seq = True
        previous = (indent + (2 if dash else 0), line.rstrip().endswith(":"))
    return mapping, offset


def _merge_stages(user: Any, ours: Any, merge: Merge) -> None:
    stages = user.get("stages")
    if stages is None:
        if ours:
            user["stages"] = ours
        return
    wanted = {step.get("name") for steps in ours.values() for step in steps}
    for stage in list(stages):
        if stages[stage] is None:  # an empty stage (`boot:`) holds no steps
            continue
        _drop_stale_owned(stages, stage, wanted)
    for stage, steps in ours.items():
        if stages.get(stage) is None:
            stages[stage] = steps
            continue
        for step in steps:
            _place_step(stages[stage], step, f"stages.{stage}", merge)


def _drop_stale_owned(stages: Any, stage: str, wanted: set[Any]) -> None:
    steps = stages[stage]
    stale = [i for i, s in enumerate(steps) if _owned(s) and s.get("name") not in wanted]
    for i in reversed(stale):
        del steps[i]
    if stale and not steps:
        del stages[stage]


def _place_step(steps: Any, step: Any, where: str, merge: Merge) -> None:
    name = step.get("name")
    for i, existing in enumerate(steps):
        if name is not None and hasattr(existing, "get") and existing.get("name") == name:
            if _placeholders(step) - _placeholders(existing) and not _placeholders(existing):
                # Our step would bring a placeholder where theirs holds the real thing.
                merge.kept.append(f"{where}: step {name}")
                return
            steps[i] = step
            return
        if existing == step:
            return
    steps.append(step)


def _placeholders(node: Any) -> set[str]:
    """The placeholder scalars anywhere under ``node``."""
    if hasattr(node, "items"):
        return {p for value in node.values() for p in _placeholders(value)}
    if isinstance(node, list):
        return {p for item in node for p in _placeholders(item)}
    return {node} if isinstance(node, str) and is_placeholder(node) else set()


def _owned(step: Any) -> bool:
    name = step.get("name") if hasattr(step, "get") else None
    return isinstance(name, str) and is_owned_step(name)


def _merge_map(user: Any, ours: Any, path: tuple[str, ...], merge: Merge) -> None:
    for key, value in ours.items():
        current = user.get(key)
        where = (*path, str(key))
        if hasattr(current, "items") and hasattr(value, "items"):
            _merge_map(current, value, where, merge)
        elif isinstance(current, list) and isinstance(value, list):
            current.extend(item for item in value if item not in current)
        elif _takes(current, value, ".".join(where), merge):
            user[key] = value


def _takes(current: Any, value: Any, where: str, merge: Merge) -> bool:
    """Whether the rendered ``value`` replaces the user's ``current`` one."""
    if current is None or current == "" or current == value:
        return True
    if isinstance(current, str) and is_placeholder(current):
        return True  # a placeholder of an earlier render makes way for anything
    if isinstance(value, str) and is_placeholder(value):
        merge.kept.append(where)  # never a placeholder over a real value, even with force
        return False
    merge.conflicts.append(Conflict(where, _shown(current), _shown(value)))
    return merge.force


def _shown(value: Any) -> str:
    if hasattr(value, "items") or isinstance(value, list):
        return "a mapping" if hasattr(value, "items") else "a list"
    return str(value)
