"""One YAML layer for the whole tool: positions in, yaml.v3 meaning, deterministic text out.

Kairos reads user-data with Go's gopkg.in/yaml.v3, so what matters is what *that* library makes
of a file, not what a Python loader makes of it (reference/kairos-cloud-config.md §5.1):

* a plain ``0644`` is the integer 420, ``644`` is 644, ``0o644`` is 420, ``"0644"`` is a string;
* ``yes``/``on``/``y`` are strings unless decoded into a Go ``bool``;
* a plain scalar decoded into a Go ``string`` keeps its source text;
* duplicate keys are an error; extra ``---`` documents are ignored;
* an anchor inside itself and aliases that expand to too many nodes are errors (yaml.v3's
  "excessive aliasing"), so no caller ever expands an alias bomb.

:func:`load` keeps, for every node, its 1-based line and column, its raw text and its quoting
style, so lint rules and config errors can point at the exact place and reason about the raw
text. :func:`dump` writes YAML that reads back the same under yaml.v3 *and* YAML 1.1 loaders.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Union

from .errors import Mark, YamlError

# ---------------------------------------------------------------------------------------------
# Nodes


@dataclass(eq=False, slots=True)
class Scalar:
    raw: str
    style: str | None  # None: plain; "'" or '"': quoted; "|" or ">": block
    mark: Mark
    tag: str | None = None  # explicit non-core tag, if any

    @property
    def plain(self) -> bool:
        return self.style is None

    @property
    def value(self) -> Any:
        """The value yaml.v3 gives this scalar when decoding into ``interface{}``."""
        return resolve_v3(self.raw) if self.style is None else self.raw

    def as_int(self) -> int | None:
        """The integer yaml.v3 decodes into an int field, or None when it is a type error."""
        if self.style is not None:
            return None
        value = resolve_v3(self.raw)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def as_str(self) -> str:
        """The text yaml.v3 stores in a Go string field (plain scalars keep their source text)."""
        return self.raw


@dataclass(eq=False, slots=True)
class Seq:
    items: list[Node]
    mark: Mark
    flow: bool = False


@dataclass(eq=False, slots=True)
class Map:
    pairs: list[tuple[Node, Node]]
    mark: Mark
    flow: bool = False
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for i, (key, _) in enumerate(self.pairs):
            if isinstance(key, Scalar):
                self._index.setdefault(key.raw, i)

    def get(self, key: str) -> Node | None:
        i = self._index.get(key)
        return None if i is None else self.pairs[i][1]

    def key_node(self, key: str) -> Node | None:
        i = self._index.get(key)
        return None if i is None else self.pairs[i][0]

    def keys(self) -> list[str]:
        return [k.raw for k, _ in self.pairs if isinstance(k, Scalar)]

    def items(self) -> Iterator[tuple[Scalar, Node]]:
        for key, value in self.pairs:
            if isinstance(key, Scalar):
                yield key, value


Node = Union[Scalar, Seq, Map]  # noqa: UP007 - a runtime alias on Python 3.10


@dataclass(slots=True)
class Document:
    """A parsed YAML file: its text, lines and root node (None for an empty document)."""

    path: str
    text: str
    root: Node | None
    extra_documents: int = 0

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


# ---------------------------------------------------------------------------------------------
# yaml.v3 scalar resolution (resolve.go)

_V3_NULL: Final = frozenset({"", "~", "null", "Null", "NULL"})
_V3_TRUE: Final = frozenset({"true", "True", "TRUE"})
_V3_FALSE: Final = frozenset({"false", "False", "FALSE"})
_V3_FLOAT_RE: Final = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_V3_INF: Final = {
    ".inf": math.inf,
    ".Inf": math.inf,
    ".INF": math.inf,
    "+.inf": math.inf,
    "+.Inf": math.inf,
    "+.INF": math.inf,
    "-.inf": -math.inf,
    "-.Inf": -math.inf,
    "-.INF": -math.inf,
}
_V3_NAN: Final = frozenset({".nan", ".NaN", ".NAN"})
_GO_INT_RE: Final = re.compile(
    r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$"
)


# The most significant digits a 64-bit integer has in each base. Text with more (leading zeros
# aside, which Go accepts in any number) is out of range for Go and is never handed to int(),
# which refuses over 4,300 decimal digits.
_GO_INT_DIGITS: Final = {2: 64, 8: 22, 10: 20, 16: 16}


def go_parse_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, 64)`` after yaml.v3 removed underscores; None on failure."""
    plain = text.replace("_", "")
    if not _GO_INT_RE.fullmatch(plain):
        return None
    sign = -1 if plain.startswith("-") else 1
    body = plain.lstrip("+-").lower()
    if body.startswith(("0x", "0o", "0b")):
        digits, base = body[2:], {"x": 16, "o": 8, "b": 2}[body[1]]
    elif len(body) > 1 and body.startswith("0"):
        digits, base = body[1:], 8
    else:
        digits, base = body, 10
    digits = digits.lstrip("0") or "0"
    if len(digits) > _GO_INT_DIGITS[base]:
        return None
    value = sign * int(digits, base)
    return value if -(2**63) <= value < 2**64 else None


def resolve_v3(raw: str) -> Any:
    """Resolve a plain scalar as yaml.v3 does for an untyped destination."""
    if raw in _V3_NULL:
        return None
    if raw in _V3_TRUE:
        return True
    if raw in _V3_FALSE:
        return False
    if raw in _V3_INF:
        return _V3_INF[raw]
    if raw in _V3_NAN:
        return math.nan
    if raw[:1] in "+-.0123456789":
        as_int = go_parse_int(raw)
        if as_int is not None:
            return as_int
        plain = raw.replace("_", "")
        if _V3_FLOAT_RE.fullmatch(plain):
            value = float(plain)
            # Go's ParseFloat fails on a number beyond float64 (1e999); yaml.v3 keeps the text.
            return raw if math.isinf(value) else value
    return raw


# ---------------------------------------------------------------------------------------------
# Loading

MAX_DEPTH: Final = 200


def load(text: str, path: str = "<string>") -> Document:
    """Parse ``text`` (first document only, as yaml.v3 does) keeping positions for every node."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    if "\x00" in text:
        raise YamlError("file contains a NUL byte; is it binary?", mark=Mark(path, 1, 1))
    # The safe composer keeps marks and scalar styles but skips comment bookkeeping (~1.5x faster).
    parser = YAML(typ="safe", pure=True)
    try:
        docs = parser.compose_all(text)
        first = next(docs, None)
        extra = sum(1 for _ in docs)
    except MarkedYAMLError as exc:
        raise _yaml_error(exc, path) from None
    except ReaderError as exc:
        raise _reader_error(exc, text, path) from None
    except YAMLError as exc:
        raise YamlError(
            f"invalid YAML: {' '.join(str(exc).split())}", mark=Mark(path, 1, 1)
        ) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply", mark=Mark(path, 1, 1)) from None
    root = None if first is None else _convert(first, path, 0, {}, [MAX_MERGED_PAIRS])
    if "&" in text and "*" in text:  # anchors and aliases: refuse what no reader can expand
        problem = alias_problem(root)
        if problem:
            raise YamlError(problem, mark=Mark(path, 1, 1))
    return Document(path=path, text=text, root=root, extra_documents=extra)


def _yaml_error(exc: Any, path: str) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    where = Mark(path, mark.line + 1, mark.column + 1) if mark else Mark(path, 1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    context = f" ({exc.context})" if exc.context and exc.problem else ""
    error = YamlError(f"invalid YAML: {problem}{context}", mark=where)
    if exc.context_mark is not None:
        error.context_mark = Mark(path, exc.context_mark.line + 1, exc.context_mark.column + 1)
    return error


def _reader_error(exc: Any, text: str, path: str) -> YamlError:
    """A character YAML does not allow (a control character): one line, at its position."""
    position = exc.position if isinstance(exc.position, int) else 0
    start = text.rfind("\n", 0, position) + 1
    mark = Mark(path, text.count("\n", 0, position) + 1, position - start + 1)
    char = exc.character
    code = char if isinstance(char, int) else ord(char[0]) if char else 0
    escape = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return YamlError(
        f"invalid YAML: control character U+{code:04X} is not allowed here; "
        f"inside double quotes write it as {escape}",
        mark=mark,
    )


def _mark(node: Any, path: str) -> Mark:
    return Mark(path, node.start_mark.line + 1, node.start_mark.column + 1)


_SURROGATE_RE: Final = re.compile("[\ud800-\udfff]")


def _convert(node: Any, path: str, depth: int, seen: dict[int, Node], budget: list[int]) -> Node:
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    if depth > MAX_DEPTH:
        raise YamlError(f"YAML nested deeper than {MAX_DEPTH} levels", mark=_mark(node, path))
    if id(node) in seen:  # an alias: the same node again
        return seen[id(node)]
    mark = _mark(node, path)
    if isinstance(node, ScalarNode):
        surrogate = _SURROGATE_RE.search(node.value)
        if surrogate:  # only an escape makes one: the text itself was decoded from UTF-8
            raise YamlError(
                f"invalid Unicode escape: U+{ord(surrogate.group()):04X} is half of a UTF-16 "
                "surrogate pair, not a character; yaml.v3 rejects the document (write the "
                "character itself, or \\U followed by its 8 hex digits)",
                mark=mark,
            )
        tag = str(node.tag)
        explicit = None if tag.startswith("tag:yaml.org,2002:") else tag
        result: Node = Scalar(raw=node.value, style=node.style or None, mark=mark, tag=explicit)
    elif isinstance(node, SequenceNode):
        result = Seq(items=[], mark=mark, flow=bool(node.flow_style))
        seen[id(node)] = result
        result.items.extend(_convert(item, path, depth + 1, seen, budget) for item in node.value)
    elif isinstance(node, MappingNode):
        pairs: list[tuple[Node, Node]] = []
        merge, merge_key = None, None
        for k, v in node.value:
            if _is_merge_key(k):
                if merge_key is not None:
                    first = _mark(merge_key, path).line
                    raise YamlError(
                        f"duplicate key '<<' (first at line {first}); yaml.v3 rejects the file",
                        mark=_mark(k, path),
                    )
                merge, merge_key = v, k
            else:
                key = _convert(k, path, depth + 1, seen, budget)
                pairs.append((key, _convert(v, path, depth + 1, seen, budget)))
        _check_duplicates(pairs)
        if merge is not None:
            pairs = _merged(pairs, _convert(merge, path, depth + 1, seen, budget), budget)
        result = Map(pairs=pairs, mark=mark, flow=bool(node.flow_style))
    else:  # pragma: no cover - ruamel only produces the three node kinds
        raise YamlError(f"unsupported YAML node {type(node).__name__}", mark=mark)
    seen[id(node)] = result
    return result


# Merge keys (``<<: *anchor``), resolved as yaml.v3 decode.go ``merge`` does (v3.0.1): the
# mapping's own keys win, then each merged mapping in order (earlier ones win); the merged pairs
# keep the positions of the anchored text they come from.
_MERGE_TAG: Final = "tag:yaml.org,2002:merge"
MAX_MERGED_PAIRS: Final = 200_000  # pairs copied by merge keys in one document (alias bombs)


def _is_merge_key(node: Any) -> bool:
    # yaml.v3 isMerge: a plain `<<` (quoted "<<" is a string) or one tagged !!merge.
    return node.value == "<<" and not node.style and str(node.tag) == _MERGE_TAG


def _merged(
    own: list[tuple[Node, Node]], merge: Node, budget: list[int]
) -> list[tuple[Node, Node]]:
    sources = merge.items if isinstance(merge, Seq) else [merge]
    pairs = list(own)
    keys = {k.raw for k, _ in own if isinstance(k, Scalar)}
    for source in sources:
        if not isinstance(source, Map):
            raise YamlError(
                "a merge key (<<) needs a mapping or a list of mappings as its value; "
                "yaml.v3 rejects the document",
                mark=source.mark,
            )
        for key, value in source.pairs:
            if isinstance(key, Scalar):
                if key.raw in keys:
                    continue
                keys.add(key.raw)
            pairs.append((key, value))
    budget[0] -= len(pairs) - len(own)
    if budget[0] < 0:
        raise YamlError(
            "excessive aliasing (merge keys expand to too many keys); yaml.v3 rejects it",
            mark=merge.mark,
        )
    return pairs


MAX_EXPANDED: Final = 200_000  # nodes once aliases are expanded


def alias_problem(root: Node | None) -> str | None:
    """Why a document cannot be walked as a tree once its aliases are expanded, or None.

    yaml.v3 rejects an anchor that contains itself and "excessive aliasing" (alias bombs: nine
    levels of nine aliases make 9^9 nodes from a few lines). The walk here is iterative and
    counts every node as often as aliases repeat it, without expanding anything.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)] if root is not None else []
    while stack:
        node, done = stack.pop()
        key, kids = id(node), _children(node)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            if size[key] > MAX_EXPANDED:
                return "excessive aliasing (aliases expand to too many nodes); yaml.v3 rejects it"
            if depth[key] > MAX_DEPTH:
                return f"YAML nested deeper than {MAX_DEPTH} levels once aliases are expanded"
            continue
        if key in size:
            continue
        if any(id(k) in open_ for k in kids):
            return "an anchor contains an alias to itself; yaml.v3 rejects the document"
        open_.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in size)
    return None


def _children(node: Node) -> list[Node]:
    if isinstance(node, Seq):
        return node.items
    if isinstance(node, Map):
        return [n for pair in node.pairs for n in pair]
    return []


def _check_duplicates(pairs: list[tuple[Node, Node]]) -> None:
    seen: dict[str, Mark] = {}
    for key, _ in pairs:
        if not isinstance(key, Scalar):
            continue
        if key.raw in seen:
            first = seen[key.raw]
            raise YamlError(
                f"duplicate key {key.raw!r} (first at line {first.line}); yaml.v3 rejects the file",
                mark=key.mark,
            )
        seen[key.raw] = key.mark


def to_python(node: Node | None) -> Any:
    """Plain Python data with yaml.v3's untyped meaning (maps keep source order)."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Seq):
        return [to_python(item) for item in node.items]
    return {_key_text(k): to_python(v) for k, v in node.pairs}


def _key_text(key: Node) -> Any:
    if isinstance(key, Scalar):
        value = key.value
        return value if isinstance(value, (str, int, bool)) or value is None else key.raw
    return json.dumps(to_python(key), sort_keys=True)


def walk(node: Node | None, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Node]]:
    """Every node with its path of keys (str) and indexes (int), depth first."""
    if node is None:
        return
    yield path, node
    if isinstance(node, Seq):
        for i, item in enumerate(node.items):
            yield from walk(item, (*path, i))
    elif isinstance(node, Map):
        for key, value in node.items():
            yield from walk(value, (*path, key.raw))


# ---------------------------------------------------------------------------------------------
# Dumping


class Octal(int):
    """An integer written in octal with a leading zero (``0600``), as file modes should be."""

    __slots__ = ()


class Raw(str):
    """Text inserted verbatim as a scalar (caller guarantees it is a valid plain scalar)."""

    __slots__ = ()


_PLAIN_SAFE_RE: Final = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_ ./:@=+,()\[\]{}!*%$^~-]*$")
# Words that some YAML 1.1 or 1.2 loader turns into a non-string.
_YAML11_SPECIAL: Final = frozenset(
    w
    for base in ("y", "yes", "n", "no", "true", "false", "on", "off", "null", "none", "~")
    for w in (base, base.capitalize(), base.upper())
)


def _needs_quotes(text: str) -> bool:
    if not text or text != text.strip() or not _PLAIN_SAFE_RE.fullmatch(text):
        return True
    if text in _YAML11_SPECIAL or text.startswith(("-", "?", ":", "!", "*", "&", "%", "@", "`")):
        return True
    if ": " in text or " #" in text or text.endswith(":") or any(c in text for c in "[]{},"):
        return True
    if resolve_v3(text) != text:
        return True
    # YAML 1.1 also reads 0o…, sexagesimal 1:20 and 1_000 as numbers; quote anything numeric-ish.
    return bool(re.fullmatch(r"^[-+]?[0-9.][0-9_:.eE+-]*$", text))


def quote(text: str) -> str:
    """``text`` as a YAML scalar that every loader reads back as the same string."""
    if not _needs_quotes(text):
        return text
    return _NON_PRINTABLE_RE.sub(_escape, json.dumps(text, ensure_ascii=False))


# Characters YAML does not allow unescaped in a stream (YAML 1.2 §5.1 c-printable).
_NON_PRINTABLE_RE: Final = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


_CONTROL_RE: Final = re.compile("[\x00-\x08\x0b-\x1f]")


def _block_ok(text: str) -> bool:
    lines = text.split("\n")
    if any(line != line.rstrip(" \t") for line in lines):
        return False
    if _CONTROL_RE.search(text):  # C0 controls other than tab and newline (CR included)
        return False
    if _NON_PRINTABLE_RE.search(text):
        return False
    return not text.endswith("\n\n") and not text.startswith("\n")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Octal):
        return "0" + format(int(value), "o") if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, Mapping):
        if not value:
            out[-1] += " {}"
            return
        for key, item in value.items():
            out.append(f"{pad}{quote(str(key))}:")
            _emit_value(item, indent, out)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        if not value:
            out[-1] += " []"
            return
        for item in value:
            if isinstance(item, Mapping) and item:
                start = len(out)
                _emit(item, indent + 2, out)
                out[start] = f"{pad}- " + out[start][indent + 2 :]
            else:
                out.append(f"{pad}-")
                # A sequence inside a sequence must be indented, or it reads as sibling items.
                nested = isinstance(item, Sequence) and not isinstance(item, str) and bool(item)
                _emit_value(item, indent + 2 if nested else indent, out)
    else:
        out[-1] += " " + _scalar(value)


def _emit_value(item: Any, indent: int, out: list[str]) -> None:
    if isinstance(item, str) and not isinstance(item, Raw) and "\n" in item and _block_ok(item):
        body = item[:-1] if item.endswith("\n") else item
        indicator = "|" if item.endswith("\n") else "|-"
        if body.startswith(" "):
            indicator += "2"
        out[-1] += " " + indicator
        sub = " " * (indent + 2)
        out.extend((sub + line) if line else "" for line in body.split("\n"))
    elif isinstance(item, Mapping) and item:
        _emit(item, indent + 2, out)
    elif isinstance(item, Sequence) and not isinstance(item, str) and item:
        _emit(item, indent, out)  # block sequences sit at the key's indentation
    else:
        _emit(item, indent, out)


def dump(data: Mapping[str, Any], *, header: str = "") -> str:
    """Deterministic block-style YAML for ``data`` (insertion order kept), ending in a newline."""
    out: list[str] = [""]
    _emit(data, 0, out)
    body = "\n".join(out[1:]) + "\n"
    return header + body
