"""Classic mutation operators for Python modules and POSIX sh scripts.

Each mutant is one small edit of the source text (an operator swapped, a boundary moved, a
condition negated, a statement deleted, a constant changed), kept only when the result still
parses, so every mutant is a program a careless edit could have produced.

Python: operators and constants come from the token stream (so the rest of the file keeps its
bytes and its line numbers); statement deletion and negated conditions come from the syntax
tree. Docstrings and annotations are never mutated (with ``from __future__ import annotations``
an annotation is never evaluated, so a mutant there is equivalent by construction), nor is a
line marked ``# pragma: no mutate``.

sh: the same families, line by line, on code outside comments; every mutant must pass
``sh -n``.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, replace

SKIP_MARK = "pragma: no mutate"


@dataclass(frozen=True, slots=True)
class Mutant:
    """One edit of ``path``'s text: ``text[start:end]`` becomes ``replacement``."""

    path: str
    line: int  # 1-based line of the edit in the original file
    start: int
    end: int
    original: str
    replacement: str
    kind: str  # operator family: "operator", "boundary", "negate", "delete", "constant"
    col: int = 0  # 1-based column of the edit (set once the mutant is kept)

    def apply(self, text: str) -> str:
        return text[: self.start] + self.replacement + text[self.end :]

    @property
    def change(self) -> str:
        """A one-line description: ``'>=' -> '>'``."""
        before = _one_line(self.original)
        after = _one_line(self.replacement)
        return f"{self.kind}: {before!r} -> {after!r}"


def _one_line(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------
# Python


_OPERATORS: dict[str, tuple[tuple[str, str], ...]] = {
    "==": (("!=", "negate"),),
    "!=": (("==", "negate"),),
    "<": (("<=", "boundary"), (">=", "negate")),
    "<=": (("<", "boundary"), (">", "negate")),
    ">": ((">=", "boundary"), ("<=", "negate")),
    ">=": ((">", "boundary"), ("<", "negate")),
    "+": (("-", "operator"),),
    "-": (("+", "operator"),),
    "*": (("/", "operator"),),
    "/": (("*", "operator"),),
    "//": (("/", "operator"),),
    "%": (("*", "operator"),),
    "**": (("*", "operator"),),
    "|": (("&", "operator"),),
    "&": (("|", "operator"),),
    "<<": ((">>", "operator"),),
    ">>": (("<<", "operator"),),
    "+=": (("-=", "operator"),),
    "-=": (("+=", "operator"),),
}
_BINARY_ONLY = frozenset({"+", "-", "*", "/", "//", "%", "**", "|", "&", "<<", ">>"})
_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "and": (("or", "operator"),),
    "or": (("and", "operator"),),
    "True": (("False", "constant"),),
    "False": (("True", "constant"),),
    "break": (("continue", "operator"),),
    "continue": (("break", "operator"),),
}
_KEYWORDS_BEFORE_OPERAND = frozenset(
    {"and", "or", "not", "in", "is", "if", "else", "elif", "while", "return", "yield", "lambda",
     "for", "assert", "del", "await", "from", "import", "with", "as", "raise", "print"}
)  # fmt: skip


def python_mutants(text: str, path: str) -> list[Mutant]:
    """Every distinct mutant of a Python module that still compiles."""
    tree = ast.parse(text)
    index = _LineIndex(text)
    frozen = _frozen_spans(tree, text, index)
    skip_lines = {n for n, line in enumerate(text.splitlines(), 1) if SKIP_MARK in line}
    found = [*_token_mutants(text, path, index), *_tree_mutants(tree, text, path, index)]
    result: list[Mutant] = []
    seen: set[str] = set()
    for mutant in sorted(found, key=lambda m: (m.start, m.end, m.replacement)):
        if mutant.line in skip_lines or any(a <= mutant.start < b for a, b in frozen):
            continue
        mutated = mutant.apply(text)
        if mutated in seen or not _compiles(mutated):
            continue
        seen.add(mutated)
        result.append(_with_column(mutant, text))
    return result


def _with_column(mutant: Mutant, text: str) -> Mutant:
    return replace(mutant, col=mutant.start - text.rfind("\n", 0, mutant.start))


class _LineIndex:
    """(line, column) of the tokenizer and the syntax tree to offsets into the text."""

    def __init__(self, text: str) -> None:
        # Only "\n" ends a line for the tokenizer and the parser (not str.splitlines's \x0c etc.).
        self.starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
        if self.starts[-1] != len(text):
            self.starts.append(len(text))

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def utf8_offset(self, text: str, line: int, byte_col: int) -> int:
        """The syntax tree counts columns in UTF-8 bytes."""
        start = self.starts[line - 1]
        line_text = text[start : self.starts[line]] if line < len(self.starts) else text[start:]
        return start + len(line_text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def _span(node: ast.AST, text: str, index: _LineIndex) -> tuple[int, int]:
    start = index.utf8_offset(text, node.lineno, node.col_offset)  # type: ignore[attr-defined]
    end = index.utf8_offset(text, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
    return start, end


def _frozen_spans(tree: ast.AST, text: str, index: _LineIndex) -> list[tuple[int, int]]:
    """Docstrings and annotations: never mutated."""
    text_spans: list[ast.AST] = []
    for node in ast.walk(tree):
        scoped = isinstance(node, (ast.Module, *_DEFINITIONS))
        if scoped and node.body and _is_docstring(node, node.body[0]):  # type: ignore[attr-defined]
            text_spans.append(node.body[0])  # type: ignore[attr-defined]
        if isinstance(node, ast.arg) and node.annotation is not None:
            text_spans.append(node.annotation)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            text_spans.append(node.returns)
        if isinstance(node, ast.Call) and _called(node) in _TYPE_ONLY_CALLS:
            text_spans.extend(node.args)  # TypeVar("T"): a name for type checkers only
        if isinstance(node, ast.AnnAssign):
            text_spans.append(node.annotation)
    return [_span(node, text, index) for node in text_spans]


_TYPE_ONLY_CALLS = frozenset({"TypeVar", "NewType", "ParamSpec", "TypeVarTuple"})


def _called(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _token_mutants(text: str, path: str, index: _LineIndex) -> Iterator[Mutant]:
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(text).readline)
        if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT)
    ]
    loop_in: list[int] = []  # bracket depths at which a `for` waits for its `in`
    depth = 0
    for i, tok in enumerate(tokens):
        start = index.offset(*tok.start)
        end = index.offset(*tok.end)
        prev = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None

        def make(
            replacement: str,
            kind: str,
            stop: int = end,
            first: int = start,
            line: int = tok.start[0],
        ) -> Mutant:
            return Mutant(path, line, first, stop, text[first:stop], replacement, kind)

        if tok.type == tokenize.OP:
            if tok.string in "([{":
                depth += 1
            elif tok.string in ")]}":
                depth -= 1
            if tok.string in _BINARY_ONLY and not _is_operand_end(prev):
                continue
            for replacement, kind in _OPERATORS.get(tok.string, ()):
                yield make(replacement, kind)
        elif tok.type == tokenize.NAME:
            word = tok.string
            if word == "for":
                loop_in.append(depth)
            elif word == "in" and loop_in and loop_in[-1] == depth:
                loop_in.pop()
            elif word == "in" and not (prev and prev.string == "not"):
                yield make("not in", "negate")
            elif word == "not" and after is not None and after.string == "in":
                yield make("in", "negate", stop=index.offset(*after.end))
            elif word == "is":
                if after is not None and after.string == "not":
                    yield make("is", "negate", stop=index.offset(*after.end))
                else:
                    yield make("is not", "negate")
            elif word == "not" and not (prev and prev.string == "is"):
                stop = index.offset(*after.start) if after is not None else end
                yield make("", "negate", stop=stop)
            for replacement, kind in _WORDS.get(word, ()):
                yield make(replacement, kind)
        elif tok.type == tokenize.NUMBER:
            changed = _bump_number(tok.string)
            if changed is not None:
                yield make(changed, "constant")
        elif tok.type == tokenize.STRING:
            yield make(_mark_string(tok.string), "constant")


def _is_operand_end(tok: tokenize.TokenInfo | None) -> bool:
    if tok is None:
        return False
    if tok.type == tokenize.NAME:
        return tok.string not in _KEYWORDS_BEFORE_OPERAND
    if tok.type in (tokenize.NUMBER, tokenize.STRING):
        return True
    return tok.type == tokenize.OP and tok.string in ")]}"


def _bump_number(token: str) -> str | None:
    """The literal plus one, in the same base (``0o600`` -> ``0o601``)."""
    plain = token.replace("_", "")
    lower = plain.lower()
    try:
        if lower.startswith(("0x", "0o", "0b")):
            base = {"x": 16, "o": 8, "b": 2}[lower[1]]
            value = int(lower[2:], base) + 1
            digits = {16: format(value, "x"), 8: format(value, "o"), 2: format(value, "b")}[base]
            return plain[:2] + digits
        if lower.endswith("j"):
            return None
        if any(c in lower for c in ".e"):
            return repr(float(plain) + 1.0)
        return str(int(plain) + 1)
    except ValueError:
        return None


def _mark_string(token: str) -> str:
    """The same literal with ``XX`` added inside both quotes (mutmut's string mutation)."""
    prefix_end = next(i for i, c in enumerate(token) if c in "'\"")
    quote = (
        token[prefix_end : prefix_end + 3]
        if token[prefix_end : prefix_end + 3]
        in (
            '"""',
            "'''",
        )
        else token[prefix_end]
    )
    body = token[prefix_end + len(quote) : len(token) - len(quote)]
    return f"{token[:prefix_end]}{quote}XX{body}XX{quote}"


def _tree_mutants(tree: ast.AST, text: str, path: str, index: _LineIndex) -> Iterator[Mutant]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _deletions(node, text, path, index)
        tests: list[ast.expr] = []
        if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            tests.append(node.test)
        elif isinstance(node, ast.comprehension):
            tests.extend(node.ifs)
        for test in tests:
            if _negation_is_a_token_mutant(test):
                continue
            start, end = _span(test, text, index)
            yield Mutant(
                path, test.lineno, start, end, text[start:end], f"not ({text[start:end]})", "negate"
            )


def _negation_is_a_token_mutant(test: ast.expr) -> bool:
    """``not x`` and single comparisons are already negated by the token operators."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return True
    return isinstance(test, ast.Compare) and len(test.ops) == 1


_DELETABLE = (
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Return,
    ast.Raise,
    ast.Delete,
    ast.Assert,
    ast.Break,
    ast.Continue,
)


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _deletions(
    func: ast.FunctionDef | ast.AsyncFunctionDef, text: str, path: str, index: _LineIndex
) -> Iterator[Mutant]:
    """Every simple statement of a function body replaced by ``pass`` (nested bodies included)."""
    for node in ast.walk(func):
        for field in ("body", "orelse", "finalbody", "handlers"):
            stmts = getattr(node, field, None)
            for stmt in stmts if isinstance(stmts, list) else ():
                if not isinstance(stmt, _DELETABLE) or _is_docstring(node, stmt):
                    continue
                if node is not func and isinstance(node, _DEFINITIONS):
                    continue  # a nested definition gets its own walk
                start, end = _span(stmt, text, index)
                yield Mutant(path, stmt.lineno, start, end, text[start:end], "pass", "delete")


def _is_docstring(parent: ast.AST, stmt: ast.stmt) -> bool:
    body = getattr(parent, "body", None)
    return bool(
        body
        and stmt is body[0]
        and isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _compiles(text: str) -> bool:
    try:
        compile(text, "<mutant>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# POSIX sh


_SH_TESTS: dict[str, tuple[tuple[str, str], ...]] = {
    "-lt": (("-le", "boundary"), ("-ge", "negate")),
    "-le": (("-lt", "boundary"), ("-gt", "negate")),
    "-gt": (("-ge", "boundary"), ("-le", "negate")),
    "-ge": (("-gt", "boundary"), ("-lt", "negate")),
    "-eq": (("-ne", "negate"),),
    "-ne": (("-eq", "negate"),),
    "-z": (("-n", "negate"),),
    "-n": (("-z", "negate"),),
    "=": (("!=", "negate"),),
    "!=": (("=", "negate"),),
}
_SH_TEST_RE = re.compile(r"(?<=\s)(-lt|-le|-gt|-ge|-eq|-ne|-z|-n|!=|=)(?=\s)")
_SH_LIST_RE = re.compile(r"&&|\|\|")
_SH_NUMBER_RE = re.compile(r"(?<![\w$#{}\[\]!:.\\/&>%+*-])\d+(?![\w>\]:.-])")
_SH_CONDITION_RE = re.compile(r"^(\s*(?:if|elif|while|until)\s+)(!\s+)?")
_SH_ARITH_RE = re.compile(r"\$\(\(")
_SH_CASE_ARM_RE = re.compile(r"^(\s*)([^()#]+?)\)(\s+)(.*?)(\s*;;)\s*$")
_SH_PATTERNS_RE = re.compile(r"^(\s*)([^()#\s][^()#]*?)\)\s*$")
_SH_STRUCTURE = re.compile(
    r"^\s*(if|then|else|elif|fi|for|while|until|do|done|case|esac|\{|\}|\(|\)|;;)(\s|;|$)"
)
_SH_FUNCTION = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*\(\)")


def shell_mutants(text: str, path: str, shell: str = "sh") -> list[Mutant]:
    """Every distinct mutant of a POSIX sh script that ``sh -n`` accepts."""
    index = _LineIndex(text)
    lines = text.splitlines(keepends=True)
    found: list[Mutant] = []
    for number, line in enumerate(lines, 1):
        if (number == 1 and line.startswith("#!")) or SKIP_MARK in line:
            continue
        previous = lines[number - 2].rstrip("\n") if number > 1 else ""
        base = index.offset(number, 0)
        code = _sh_code(line.rstrip("\n"))
        found += _sh_line_mutants(path, number, base, code, previous)
    result: list[Mutant] = []
    seen: set[str] = set()
    for mutant in sorted(found, key=lambda m: (m.start, m.end, m.replacement)):
        mutated = mutant.apply(text)
        if mutated in seen or mutated == text:
            continue
        seen.add(mutated)
        result.append(_with_column(mutant, text))
    return [m for m in result if _sh_parses(m.apply(text), shell)]


def _sh_code(line: str) -> str:
    """The line up to its comment (a ``#`` outside quotes that starts a word)."""
    return line[: len(_sh_scan(line)[0])]


def _sh_scan(line: str) -> tuple[str, list[tuple[int, int]]]:
    """Classify a line: its context per character and its single-quoted words.

    Returns a string as long as the code part of the line (the comment cut off), with ``c`` for
    code (commands, ``$(...)``, ``$((...))``), ``t`` for the literal text of a double-quoted
    string, ``q`` inside single quotes and ``p`` inside ``${...}``; and the spans of the
    single-quoted words that stand in code. Messages and parameter expansions are not mutated.
    """
    kinds: list[str] = []
    words: list[tuple[int, int]] = []
    stack = ["c"]  # c: code, d: double quotes, p: ${...}, s: $(...), a: $((...))
    depth: list[int] = []
    i = 0
    while i < len(line):
        top, c = stack[-1], line[i]
        if top in "csa" and c == "#" and (i == 0 or line[i - 1] in " \t;"):
            break
        if top in "csa" and c == "'":
            close = line.find("'", i + 1)
            close = len(line) - 1 if close < 0 else close
            words.append((i, close + 1))
            kinds += "q" * (close + 1 - i)
            i = close + 1
            continue
        opened = _sh_open(line, i, top)
        if opened:
            stack.append(opened[0])
            depth.append(0)
            kinds += ("t" if top == "d" else "c") * opened[1]
            i += opened[1]
            continue
        if top == "d" and c == "\\":
            kinds += "tt"
            i += 2
            continue
        closing = _sh_close(line, i, top, depth)
        kinds += closing[1] * closing[0] if closing[0] else {"d": "t", "p": "p"}.get(top, "c")
        if closing[0]:
            stack.pop()
            depth.pop()
            i += closing[0]
        else:
            i += 1
    return "".join(kinds)[: len(line)], words


def _sh_open(line: str, i: int, top: str) -> tuple[str, int] | None:
    """A context opening at ``i``: its kind and the length of its opener."""
    if top in "csap" and line[i] == '"':
        return "d", 1
    if top in "csadp":
        if line.startswith("$((", i):
            return "a", 3
        if line.startswith("$(", i):
            return "s", 2
        if line.startswith("${", i):
            return "p", 2
    return None


def _sh_close(line: str, i: int, top: str, depth: list[int]) -> tuple[int, str]:
    """How many characters close the current context at ``i`` (0: none), and their kind."""
    c = line[i]
    if top == "d" and c == '"':
        return 1, "c"
    if top == "p" and c == "}":
        return 1, "p"
    if top == "a" and line.startswith("))", i) and depth[-1] == 0:
        return 2, "c"
    if top in "sa" and c == "(":
        depth[-1] += 1
    elif top in "sa" and c == ")":
        if depth[-1] == 0 and top == "s":
            return 1, "c"
        depth[-1] -= 1
    return 0, ""


def _sh_line_mutants(path: str, number: int, base: int, code: str, previous: str) -> list[Mutant]:
    found: list[Mutant] = []

    def add(start: int, end: int, replacement: str, kind: str) -> None:
        found.append(
            Mutant(path, number, base + start, base + end, code[start:end], replacement, kind)
        )

    if not code.strip():
        return found
    kinds, quoted = _sh_scan(code)

    def in_code(pos: int) -> bool:
        return kinds[pos] == "c"

    for match in _SH_TEST_RE.finditer(code):
        if in_code(match.start()) and _inside_brackets(code, match.start()):
            for replacement, kind in _SH_TESTS[match.group(1)]:
                add(match.start(), match.end(), replacement, kind)
    for match in _SH_LIST_RE.finditer(code):
        if in_code(match.start()):
            add(match.start(), match.end(), "||" if match.group() == "&&" else "&&", "operator")
    for match in _SH_NUMBER_RE.finditer(code):
        if in_code(match.start()):
            add(match.start(), match.end(), _sh_bump(match.group()), "constant")
    for a, b in quoted:
        add(a, b, f"'XX{code[a + 1 : b - 1]}XX'", "constant")
    for arith in _SH_ARITH_RE.finditer(code):
        close = code.find("))", arith.end())
        for i in range(arith.end(), close if close > 0 else arith.end()):
            if code[i] in "+-" and code[i - 1] == " ":
                add(i, i + 1, "-" if code[i] == "+" else "+", "operator")
            elif code[i] == "*" and code[i - 1] == " ":
                add(i, i + 1, "/", "operator")
    condition = _SH_CONDITION_RE.match(code)
    if condition:
        keyword = condition.group(1)
        if condition.group(2):
            add(condition.start(1), condition.end(2), keyword, "negate")
        else:
            add(condition.start(1), condition.end(1), f"{keyword}! ", "negate")
    found += _sh_case_mutants(path, number, base, code)
    deletion = _sh_deletion(code, previous)
    if deletion is not None:
        add(deletion[0], deletion[1], ":", "delete")
    return found


def _inside_brackets(code: str, pos: int) -> bool:
    """A test operator sits inside ``[ ... ]`` (so ``=`` in an assignment is left alone)."""
    opened = code.rfind("[ ", 0, pos)
    return opened >= 0 and code.find(" ]", pos) > 0 and code.rfind(" ]", 0, pos) < opened


def _sh_bump(digits: str) -> str:
    if len(digits) > 1 and digits.startswith("0"):
        return "0" + format(int(digits, 8) + 1, "o")
    return str(int(digits) + 1)


def _sh_case_mutants(path: str, number: int, base: int, code: str) -> list[Mutant]:
    """Drop one alternative of a multi-pattern case arm (``a | b)`` -> ``b)``)."""
    found: list[Mutant] = []
    match = _SH_CASE_ARM_RE.match(code) or _SH_PATTERNS_RE.match(code)
    if not match or _SH_STRUCTURE.match(code) or "=" in match.group(2):
        return found
    patterns = match.group(2)
    parts = [p.strip() for p in patterns.split("|")]
    if len(parts) < 2:
        return found
    start = match.start(2)
    for i, part in enumerate(parts):
        rest = " | ".join(p for j, p in enumerate(parts) if j != i)
        found.append(
            Mutant(
                path,
                number,
                base + start,
                base + start + len(patterns),
                f"{patterns} (drop {part})",
                rest,
                "negate",
            )
        )
    return found


def _sh_deletion(code: str, previous: str) -> tuple[int, int] | None:
    """The span of a simple command that can be replaced by ``:``, if the line is one."""
    stripped = code.strip()
    if previous.rstrip().endswith(("\\", "|", "&&", "||")) or code.rstrip().endswith("\\"):
        return None
    arm = _SH_CASE_ARM_RE.match(code)
    if arm and not _SH_STRUCTURE.match(code):
        return arm.start(4), arm.end(4)
    if _SH_STRUCTURE.match(code) or _SH_FUNCTION.match(code) or _SH_PATTERNS_RE.match(code):
        return None
    if stripped.endswith(("(", "{", "|", "&&", "||", "then", "do")):
        return None
    if stripped.startswith((")", "}")):
        return None
    start = len(code) - len(code.lstrip())
    return start, len(code)


def _sh_parses(text: str, shell: str) -> bool:
    done = subprocess.run([shell, "-n"], input=text, text=True, capture_output=True, check=False)
    return done.returncode == 0
