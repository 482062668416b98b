"""Every rendered user-data is read back and checked before anything is written.

The checks mirror what makes Kairos silently drop a file or a stage (reference/kairos-cloud-
config.md §5.3, §9): the header line, stages as lists of mappings, known stage and step keys,
integer modes, plus what this tool promises: its own steps are there, the auth key sits only in
the ``skip-copy-`` step, and no ``{{`` reaches yip's templating in the steps it owns. A failure
here is a bug in the renderer (:class:`GeneratedInvalidError`); the same checks applied to a
user's own input raise :class:`InputError` instead (see ``render.plan`` and ``render.canvos``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from .. import device, yamlio
from ..errors import GeneratedInvalidError, Mark, YamlError
from ..kairos import STEP_FIELDS, is_known_stage
from ..secrets import Secret
from . import steps

HEADER_LINE: Final = "#cloud-config"
_KEY_RE: Final = re.compile(r"\b(tskey|hskey)-[a-z]+-")
_KINDS: Final = {"list": yamlio.Seq, "map": yamlio.Map, "string": yamlio.Scalar}
_TEMPLATED: Final = ("commands", "if", "content")


@dataclass(frozen=True, slots=True)
class Problem:
    path: tuple[Any, ...]
    mark: Mark
    message: str
    on_key: bool = False  # the problem is the key at ``path``, not its value

    def __str__(self) -> str:
        return f"{self.mark}: {self.message}"


def structural_problems(doc: yamlio.Document, *, header: bool = True) -> list[Problem]:
    """Shape problems that make Kairos ignore part or all of the file."""
    problems: list[Problem] = []
    start = Mark(doc.path, 1, 1)
    if header and doc.text.split("\n", 1)[0].rstrip(" \t") != HEADER_LINE:
        problems.append(Problem((), start, "line 1 is not exactly #cloud-config"))
    root = doc.root
    if root is None:
        return problems
    if not isinstance(root, yamlio.Map):
        return [*problems, Problem((), root.mark, "the document is not a mapping")]
    stages = root.get("stages")
    if stages is None:
        return problems
    if not isinstance(stages, yamlio.Map):
        return [*problems, Problem(("stages",), stages.mark, "stages is not a mapping")]
    for key, value in stages.items():
        problems.extend(_stage_problems(key, value))
    return problems


def _stage_problems(key: yamlio.Scalar, value: yamlio.Node) -> Iterator[Problem]:
    path: tuple[Any, ...] = ("stages", key.raw)
    if not is_known_stage(key.raw):
        yield Problem(path, key.mark, f"unknown stage {key.raw!r} (it would never run)", True)
    if isinstance(value, yamlio.Scalar) and value.value is None:
        return  # an empty stage decodes to no steps
    if not isinstance(value, yamlio.Seq):
        yield Problem(path, value.mark, f"stage {key.raw} is not a list of steps")
        return
    for i, step in enumerate(value.items):
        if not isinstance(step, yamlio.Map):
            yield Problem((*path, i), step.mark, f"step {i} of {key.raw} is not a mapping")
            continue
        yield from _step_problems((*path, i), step)


def _step_problems(path: tuple[Any, ...], step: yamlio.Map) -> Iterator[Problem]:
    for key, value in step.items():
        kind = STEP_FIELDS.get(key.raw)
        if kind is None:
            yield Problem((*path, key.raw), key.mark, f"unknown step key {key.raw!r}", True)
            continue
        expected = _KINDS.get(kind, yamlio.Scalar)
        if not isinstance(value, expected):
            yield Problem((*path, key.raw), value.mark, f"{key.raw} has the wrong type")
        elif key.raw in ("files", "directories") and isinstance(value, yamlio.Seq):
            yield from _mode_problems((*path, key.raw), value)


def _mode_problems(path: tuple[Any, ...], entries: yamlio.Seq) -> Iterator[Problem]:
    for i, entry in enumerate(entries.items):
        if not isinstance(entry, yamlio.Map):
            yield Problem((*path, i), entry.mark, "a file entry is not a mapping")
            continue
        mode = entry.get("permissions")
        if mode is None:
            yield Problem((*path, i), entry.mark, "no permissions: yip would write mode 0000")
            continue
        value = mode.as_int() if isinstance(mode, yamlio.Scalar) else None
        if value is None or not 0 <= value <= 0o7777:
            yield Problem((*path, i, "permissions"), mode.mark, "permissions is not a file mode")


def promise_problems(
    doc: yamlio.Document, *, key_expected: bool, secrets: Iterable[Secret] = ()
) -> list[Problem]:
    """What the tool promises of its own output (owned steps, key placement, no templates)."""
    problems: list[Problem] = []
    names = _step_names(doc.root)
    wanted = [steps.ENROLL_STEP, *([device.KEY_STEP_NAME] if key_expected else [])]
    start = Mark(doc.path, 1, 1)
    problems.extend(Problem((), start, f"step {n} is missing") for n in wanted if n not in names)
    values = [s.reveal() for s in secrets if s.reveal()]
    for path, node in yamlio.walk(doc.root):
        if not isinstance(node, yamlio.Scalar):
            continue
        in_key_step = names.get(path[:3]) == device.KEY_STEP_NAME
        if not in_key_step and _holds_key(node.raw, path, values):
            problems.append(Problem(path, node.mark, "an auth key outside the skip-copy step"))
        owned = device.is_owned_step(names.get(path[:3], ""))
        if owned and "{{" in node.raw and any(p in _TEMPLATED for p in path[3:]):
            problems.append(Problem(path, node.mark, "'{{' in a templated field of our step"))
    return problems


def looks_like_key(text: str) -> bool:
    """A Tailscale or Headscale key literal (``tskey-auth-…``, ``hskey-…``)."""
    return bool(_KEY_RE.search(text))


def _holds_key(text: str, path: tuple[Any, ...], secrets: list[str]) -> bool:
    if path[:3] == ("stylus", "site", "edgeHostToken"):
        return bool(_KEY_RE.search(text))
    return bool(_KEY_RE.search(text)) or any(s in text for s in secrets if len(s) >= 8)


def _step_names(root: yamlio.Node | None) -> dict[Any, str]:
    """``("stages", stage, index)`` → step name, plus every name as a key of its own."""
    names: dict[Any, str] = {}
    stages = root.get("stages") if isinstance(root, yamlio.Map) else None
    if not isinstance(stages, yamlio.Map):
        return names
    for key, value in stages.items():
        for i, step in enumerate(value.items if isinstance(value, yamlio.Seq) else []):
            name = step.get("name") if isinstance(step, yamlio.Map) else None
            if isinstance(name, yamlio.Scalar):
                names[("stages", key.raw, i)] = name.raw
                names[name.raw] = name.raw
    return names


def verify_userdata(
    text: str, *, name: str, key_expected: bool, secrets: Iterable[Secret] = ()
) -> None:
    """Raise :class:`GeneratedInvalidError` when rendered user-data fails a check."""
    secrets = tuple(secrets)
    try:
        doc = yamlio.load(text, name)
    except YamlError as exc:
        raise GeneratedInvalidError(f"rendered {name} does not parse: {exc}") from None
    problems = structural_problems(doc) + promise_problems(
        doc, key_expected=key_expected, secrets=secrets
    )
    problems.extend(_lint_problems(text, name))
    if problems:
        raise GeneratedInvalidError(f"rendered {name} fails its checks: {problems[0]}")


def _lint_problems(text: str, name: str) -> list[Problem]:
    from .selflint import lint_errors

    return [Problem((), mark, message) for mark, message in lint_errors(text, name)]
