"""Shell errors that make ``sh -c`` fail on a whole text or on one test (PT044).

Not a shell parser: a lexer for the POSIX sh that yip runs (dash on Ubuntu) that knows quotes,
``$(...)``, backticks, ``${...}``, ``$((...))``, comments, line continuations and
here-documents, and splits the text into the words of simple commands. On that it finds what
stops the whole text (an unterminated quote or substitution, a trailing ``&&``, ``if`` without
``fi``: ``dash -n`` rejects these) and the ``[`` tests that always fail (``[-f``, ``x]``, no
``]``, ``]]``: shellcheck SC1035, SC1020, SC1072, SC1034).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

_PLAIN: Final = re.compile(r"[^\s'\"`\\$;&|()<>]+")
_PLAIN_TEXT: Final = re.compile(r"[\w \t\n./:=,+@%^~-]*")
_KEYWORDS: Final = re.compile(r"\b(?:if|fi|case|esac|do|done)\b")
_ASSIGNMENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_HEREDOC: Final = re.compile(r"""<<(-?)[ \t]*(?:'([^']*)'|"([^"]*)"|\\?([^\s'";&|<>()]+))""")
# `<WIFI_NETWORK>`, `<your-token>`: a stand-in to replace, read as one word, not redirections.
PLACEHOLDER: Final = re.compile(r"<(?:[A-Z][A-Z0-9_-]*|[\w-]*your[\w-]*)>")
_BACKQUOTE: Final = re.compile(r"(?<!\\)`")
_OPERATORS: Final = (";;", "&&", "||", ">>", ">&", "<&", ">|", "<>", "<<<")
_REDIRECTS: Final = frozenset({">", "<", ">>", ">&", "<&", ">|", "<>", "<<<"})
# After these words the next word is a command again.
_OPENERS: Final = frozenset({"if", "then", "else", "elif", "while", "until", "do", "{", "!"})
_PAIRS: Final = (("if", "fi"), ("case", "esac"), ("do", "done"), ("{", "}"))
_UNTERMINATED: Final = {")": "$("}


@dataclass(frozen=True, slots=True)
class ShellError:
    offset: int
    what: str  # what is wrong, quoting the text
    syntax: bool  # True: sh cannot parse the text; False: one `[` test always fails


@dataclass
class _Word:
    start: int
    text: str = ""
    quoted: bool = False  # any part quoted or escaped: never a keyword or a `[`


@dataclass(frozen=True, slots=True)
class _Op:
    text: str  # an operator, or "\n"
    start: int


Token = _Word | _Op


def errors(text: str) -> tuple[ShellError, ...]:
    """The shell errors of ``text`` (a ``commands`` entry or an ``if:``), in text order."""
    if _PLAIN_TEXT.fullmatch(text) and not _KEYWORDS.search(text):
        return ()  # words and spaces only: nothing to get wrong
    return _errors(text)


@lru_cache(maxsize=4096)  # a fleet's rendered files repeat the same commands
def _errors(text: str) -> tuple[ShellError, ...]:
    lexer = _Lexer(text)
    lexer.run()
    found = lexer.errors + _check(lexer.tokens)
    ends = [t for t in lexer.tokens if t.text != "\n" or isinstance(t, _Word)]
    last = ends[-1] if ends else None
    dangling = isinstance(last, _Op) and last.text in ("&&", "||", "|")
    if dangling and last is not None and not any(e.syntax for e in found):
        found.append(ShellError(last.start, f"the text ends with `{last.text}`", True))
    return tuple(sorted(found, key=lambda e: e.offset))


@dataclass
class _Lexer:
    text: str
    pos: int = 0
    tokens: list[Token] = field(default_factory=list)
    errors: list[ShellError] = field(default_factory=list)
    heredocs: list[tuple[str, bool]] = field(default_factory=list)
    depth: int = 0  # open `(` inside a `$(`

    def run(self, end: str = "", opened: int = 0) -> None:
        """Tokens up to ``end`` (the ``)`` of a ``$(`` opened at ``opened``) or the text's end."""
        word: _Word | None = None
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if end and c == end and not (end == ")" and (self.depth or self._in_case(word))):
                self._flush(word)
                return
            if c == "#" and word is None:
                self.pos = self._comment_end()
            elif plain := _PLAIN.match(text, self.pos):
                word = word or _Word(self.pos)
                word.text += plain.group(0)
                self.pos = plain.end()
            elif c in " \t\r\n":
                self._flush(word)
                word = None
                self.pos += 1
                if c == "\n":
                    self.tokens.append(_Op("\n", self.pos - 1))
                    self._skip_heredocs()
            elif c in "'\"`\\$":
                word = word or _Word(self.pos)
                self._special(word, c)
            elif placeholder := PLACEHOLDER.match(text, self.pos):
                word = word or _Word(self.pos, quoted=True)
                word.text += placeholder.group(0)
                self.pos = placeholder.end()
            else:
                self._flush(word)
                word = None
                self._operator()
        self._flush(word)
        if end:
            self.errors.append(ShellError(opened, f"unterminated {_UNTERMINATED[end]}", True))

    def _in_case(self, word: _Word | None) -> bool:
        """Whether a `)` here ends a case pattern (``$(case $x in a) ...;; esac)``)."""
        depth, keyword = 0, True
        for token in [*self.tokens, *([word] if word is not None else [])]:
            if isinstance(token, _Op):
                keyword = token.text not in _REDIRECTS
                continue
            if keyword and not token.quoted:
                depth += (token.text == "case") - (token.text == "esac")
            keyword = not token.quoted and token.text in _OPENERS
        return depth > 0

    def _comment_end(self) -> int:
        newline = self.text.find("\n", self.pos)
        return len(self.text) if newline < 0 else newline

    def _flush(self, word: _Word | None) -> None:
        if word is not None:
            self.tokens.append(word)

    def _special(self, word: _Word, c: str) -> None:
        text, start = self.text, self.pos
        if c == "\\":
            self.pos += 2
            if not text.startswith("\\\n", start):  # a line continuation joins words
                word.text += text[start : start + 2]
                word.quoted = True
        elif c == "'":
            self._close(word, start, text.find("'", start + 1), "' string")
        elif c == '"':
            self._close(word, start, self._double_end(start + 1), '" string')
        elif c == "`":
            self._nested(word, start, start + 1, "`")
        elif text.startswith("$((", start):
            self._balanced(word, start, "(", ")", 2)
        elif text.startswith("$(", start):
            self._nested(word, start, start + 2, ")")
        elif text.startswith("${", start):
            self._balanced(word, start, "{", "}", 1)
        else:
            word.text += "$"
            self.pos += 1

    def _close(self, word: _Word, start: int, close: int, what: str) -> None:
        if close < 0:
            self.errors.append(ShellError(start, f"unterminated {what}", True))
            self.pos = len(self.text)
            return
        word.text += self.text[start : close + 1]
        word.quoted = True
        self.pos = close + 1

    def _double_end(self, i: int) -> int:
        text = self.text
        while i < len(text) and text[i] != '"':
            if text[i] == "\\":
                i += 2
            elif text.startswith("$(", i) and not text.startswith("$((", i):
                i = self._inner(i + 2, ")") + 1
            elif text[i] == "`":
                i = self._inner(i + 1, "`") + 1
            else:
                i += 1
        return i if i < len(text) else -1

    def _inner(self, start: int, end: str) -> int:
        """Lex a substitution from ``start``; its errors are ours. Returns where it ends."""
        if end == "`":
            # dash reads up to the next unescaped backquote and re-parses that text on its own
            # terms; only a missing backquote is certain to fail.
            close = _BACKQUOTE.search(self.text, start)
            if close is None:
                self.errors.append(ShellError(start - 1, "unterminated ` substitution", True))
                return len(self.text)
            return close.start()
        inner = _Lexer(self.text, start)
        inner.run(end, start - 2)
        self.errors.extend(inner.errors + _check(inner.tokens))
        return inner.pos

    def _nested(self, word: _Word, start: int, inside: int, end: str) -> None:
        stop = self._inner(inside, end)
        word.text += self.text[start : stop + 1]
        self.pos = stop + 1

    def _balanced(self, word: _Word, start: int, opener: str, closer: str, count: int) -> None:
        text, i, depth = self.text, start + 1 + count, count
        while i < len(text) and depth:
            if text[i] == "\\":
                i += 2
                continue
            if text[i] in "'\"" and opener == "{":
                close = text.find(text[i], i + 1)
                i = close + 1 if close > 0 else len(text)
                continue
            # dash nests `${` inside `${...}` (a plain `{` does not count) and `(` in `$((`
            opens = text.startswith("${", i) if opener == "{" else text[i] == opener
            depth += opens - (text[i] == closer)
            i += 1
        if depth and opener == "{" and "}" in text[start:]:
            i = text.rindex("}") + 1  # dash does not always nest `${`: be lenient
        elif depth:
            shown = "$((" if count == 2 else "${"
            self.errors.append(ShellError(start, f"unterminated {shown}", True))
            i = len(text)
        word.text += text[start:i]
        self.pos = i

    def _operator(self) -> None:
        text, start = self.text, self.pos
        heredoc = _HEREDOC.match(text, start)
        if heredoc:
            delimiter = next(g for g in heredoc.groups()[1:] if g is not None)
            self.heredocs.append((delimiter, heredoc.group(1) == "-"))
            self.tokens.append(_Op("<<", start))
            self.pos = heredoc.end()
            return
        op = next((o for o in _OPERATORS if text.startswith(o, start)), text[start])
        self.depth += (op == "(") - (op == ")" and self.depth > 0)
        self.tokens.append(_Op(op, start))
        self.pos += len(op)

    def _skip_heredocs(self) -> None:
        for delimiter, tabs in self.heredocs:
            while self.pos < len(self.text):
                newline = self.text.find("\n", self.pos)
                stop = len(self.text) if newline < 0 else newline
                line = self.text[self.pos : stop]
                self.pos = stop + 1
                if (line.lstrip("\t") if tabs else line) == delimiter:
                    break
        self.heredocs.clear()


def _check(tokens: list[Token]) -> list[ShellError]:
    """Unbalanced keywords, redirections without a target and broken ``[`` tests."""
    found: list[ShellError] = []
    counts = dict.fromkeys((w for pair in _PAIRS for w in pair), 0)
    first: dict[str, int] = {}
    # keyword: the next word may be a reserved word (it starts a command, POSIX 2.4).
    keyword, patterns, target, case_words = True, False, False, 0
    simple: list[_Word] = []
    for i, token in enumerate([*tokens, _Op(";", -1)]):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if isinstance(token, _Op):
            if token.text in _REDIRECTS:
                target, keyword = True, False  # `>x if` : no reserved word after a redirection
                if not isinstance(following, _Word):
                    found.append(ShellError(token.start, f"`{token.text}` without a target", True))
            elif token.text != "<<":
                found.extend(_test(simple))
                simple, keyword = [], True
                patterns = (patterns or token.text == ";;") and token.text != ")"
            continue
        if target or _io_number(token, following):
            target = target and _io_number(token, following)  # `>2>x`: still waiting
            continue
        word = "" if token.quoted else token.text
        if patterns and word != "esac":
            continue  # case patterns are no commands
        patterns = False
        if case_words:  # `case WORD in`: the subject and `in` are no commands
            case_words += 1
            patterns, case_words = (True, 0) if word == "in" else (False, case_words)
            continue
        simple.append(token)
        if keyword:
            if word in counts:
                counts[word] += 1
                first.setdefault(word, token.start)
            case_words = 1 if word == "case" else 0
            keyword = word in _OPENERS
    for opener, closer in _PAIRS:
        if counts[opener] != counts[closer]:
            extra, missing = (
                (opener, closer) if counts[opener] > counts[closer] else (closer, opener)
            )
            found.append(ShellError(first[extra], f"`{extra}` without its `{missing}`", True))
    return found


def _io_number(word: _Word, following: Token | None) -> bool:
    """``2`` in ``2>&1``: a file descriptor glued to the redirection, not a word."""
    return (
        word.text.isdigit()
        and isinstance(following, _Op)
        and following.text in _REDIRECTS | {"<<"}
        and following.start == word.start + len(word.text)
    )


def _test(words: list[_Word]) -> list[ShellError]:
    """The error of one simple command when it is a ``[`` test."""
    rest = list(words)
    while rest and (rest[0].text in _OPENERS or _ASSIGNMENT.match(rest[0].text)):
        rest.pop(0)
    if not rest or rest[0].quoted or not rest[0].text.startswith("["):
        return []
    head, args = rest[0], rest[1:]
    if head.text.startswith("[["):
        return []  # bash's [[ ]] (PT035)
    if head.text != "[":
        what = f"`{head.text}` is not a command: `[` needs a space after it"
        return [ShellError(head.start, what, False)]
    texts = [w.text for w in args]
    if "]" in texts:
        return []
    last = args[-1] if args else head
    if last.text == "]]":
        return [ShellError(last.start, "a `[` test closed with `]]`", False)]
    if last is not head and last.text.endswith("]") and not last.text.endswith("\\]"):
        where = last.start + len(last.text) - 1
        return [ShellError(where, f"`{last.text}`: `]` needs a space before it", False)]
    return [ShellError(head.start, "a `[` test without its closing `]`", False)]
