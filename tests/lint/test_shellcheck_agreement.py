"""PT035 (bash-only syntax) agrees with shellcheck in POSIX sh mode, the independent checker."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palette_tailscale.lint import lint_text
from tests.conftest import require_tool

SNIPPETS = [
    ("[[ -f /x ]] && echo yes", "SC3010"),
    ('a=1; [ "$a" == 1 ] && echo yes', "SC3014"),
    ("cat <(ls)", "SC3001"),
    ("ls &>/dev/null", "SC3020"),
    ('x=A; echo "${x,,}"', "SC3059"),
    ("function f { :; }", "SC2113"),
    ("[ -f /x ] && echo yes", None),
    ('a=1; [ "$a" = 1 ] && echo yes', None),
    ("ls >/dev/null 2>&1", None),
]


def shellcheck_codes(script: str, tmp_path: Path) -> set[str]:
    path = tmp_path / "snippet.sh"
    path.write_text(script + "\n", encoding="utf-8")
    result = subprocess.run(
        [require_tool("shellcheck"), "--shell=sh", "--format=gcc", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return set(re.findall(r"\[(SC\d+)\]", result.stdout))


@pytest.mark.parametrize(("script", "code"), SNIPPETS)
def test_pt035_agrees_with_shellcheck(script: str, code: str | None, tmp_path: Path) -> None:
    codes = shellcheck_codes(script, tmp_path)
    doc = (
        "#cloud-config\nstages:\n  boot:\n    - commands:\n        - |\n          " + script + "\n"
    )
    ours = [p.rule for p in lint_text(doc, select=["PT035"])]
    if code is None:
        assert not {c for c in codes if c.startswith("SC30") or c == "SC2113"}
        assert ours == []
    else:
        assert code in codes
        assert ours == ["PT035"]


# PT044: broken `[` tests (shellcheck's parser errors) and texts sh cannot parse (dash -n).
TESTS = [
    ("[-f /x ] && echo yes", "SC1035"),
    ("[ -f /x] && echo yes", "SC1020"),
    ('[ -n "$(ls)"] && echo yes', "SC1020"),
    ("[ -f /x ] || [ ! -d /y]", "SC1020"),
    ("[ -f /x && echo yes", "SC1072"),
    ("[ -f /x ]]", "SC1034"),
    ("[ -f /x ] && [ ! -d /y ]", None),
    ('[ "$(cat /x)" = "]" ]', None),
    ("case $x in [0-9]) echo digit;; *) :;; esac", None),
]
SYNTAX = [
    ("echo 'unterminated", True),
    ('echo "unterminated', True),
    ("echo $(date", True),
    ("[ -f /x ] &&", True),
    ("if [ -f /x ]; then echo", True),
    ("for i in 1 2; do echo $i", True),
    ("{ echo a; ", True),
    ("cat <<EOF\n'\nEOF\necho done", False),
    ('x=$(if true; then echo y; fi) && echo "$x"', False),
    ('a="$(echo "(")" # [-f', False),
    ("[ -f /x ] \\\n  && echo continued", False),
    ("echo $((1 + 2)) ${HOME:-/} `date`", False),
    ("x=$(case $y in a) echo 1;; *) echo 2;; esac)", False),
    ('echo $(echo case) ${x:-"}"} ${a:-${b}}', False),
    ("cat << 'a b'\n[-f\na b\necho", False),
    ("echo ${x", True),
    ("echo done >", True),
    ("ls > | cat", True),
    ("ls 2>&1 >/dev/null <&0", False),
]


def _dash_rejects(script: str, tmp_path: Path) -> bool:
    path = tmp_path / "snippet.sh"
    path.write_text(script + "\n", encoding="utf-8")
    result = subprocess.run(
        [require_tool("dash"), "-n", str(path)], capture_output=True, check=False
    )
    return result.returncode != 0


def _pt044(script: str, where: str) -> list[str]:
    if where == "if":
        doc = (
            "#cloud-config\nstages:\n  boot:\n    - if: |\n        "
            + script.replace("\n", "\n        ")
            + "\n      commands: [x]\n"
        )
    else:
        doc = (
            "#cloud-config\nstages:\n  boot:\n    - commands:\n        - |\n          "
            + (script.replace("\n", "\n          "))
            + "\n"
        )
    return [p.message for p in lint_text(doc, select=["PT044"])]


@pytest.mark.parametrize(("script", "code"), TESTS)
@pytest.mark.parametrize("where", ["if", "commands"])
def test_pt044_tests_agree_with_shellcheck(
    script: str, code: str | None, where: str, tmp_path: Path
) -> None:
    codes = shellcheck_codes(script, tmp_path)
    ours = _pt044(script, where)
    if code is None:
        assert not codes & {"SC1035", "SC1020", "SC1072", "SC1073", "SC1034"}
        assert ours == []
    else:
        assert code in codes
        assert len(ours) == 1
        skip = "yip skips the step" in ours[0]
        assert skip is (where == "if")


@pytest.mark.parametrize(("script", "broken"), SYNTAX)
def test_pt044_syntax_agrees_with_dash(script: str, broken: bool, tmp_path: Path) -> None:
    assert _dash_rejects(script, tmp_path) is broken
    ours = _pt044(script, "commands")
    assert bool(ours) is broken
    assert all("sh cannot parse the command" in m for m in ours)


def test_pt044_agrees_with_dash_on_every_command_of_both_corpora(tmp_path: Path) -> None:
    from palette_tailscale.errors import YamlError
    from palette_tailscale.lint.context import build
    from palette_tailscale.lint.sh_syntax import PLACEHOLDER, errors
    from palette_tailscale.yamlio import load
    from tests.conftest import CORPUS, CORPUS_2, require_path

    texts = []
    for path in [*require_path(CORPUS).glob("*.yaml"), *require_path(CORPUS_2).glob("*.yaml")]:
        try:
            ctx = build(load(path.read_text(encoding="utf-8"), path.name), "auto")
        except YamlError:
            continue
        texts += [c.text for c in ctx.commands] + [s.guard for s in ctx.steps if s.guard]
    assert len(texts) > 100
    # `<WIFI_NETWORK>`-style stand-ins are redirections to dash; PT044 leaves them to the
    # reader (two corpus commands carry one, and dash rejects both).
    stand_ins = [t for t in texts if PLACEHOLDER.search(t)]
    assert len(stand_ins) == 2 and all(_dash_rejects(t, tmp_path) for t in stand_ins)
    disagree = [
        t
        for t in texts
        if t not in stand_ins and any(e.syntax for e in errors(t)) != _dash_rejects(t, tmp_path)
    ]
    assert disagree == []


_WORDS = [
    "if", "then", "fi", "do", "done", "while", "for", "x", "in", "case", "esac", ";;", ";", "&&",
    "||", "|", "&", "(", ")", "{", "}", "'", '"', "$(", "`", "${", "\\", "#", "\n", " ", "echo",
    "[", "]", "-f", "<", ">", "2>&1", "<<EOF\nEOF\n", "a=1", "!", "$x", "$((", "))", "\\}",
    "'c d'", "<< 'E F'\nE F\n", "$(case", ") x;;", "[[", "==",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(["", " "])), max_size=10))
def test_pt044_never_calls_a_text_broken_that_dash_accepts(parts: list[tuple[str, str]]) -> None:
    from palette_tailscale.lint.sh_syntax import errors

    script = "".join(word + space for word, space in parts)
    if any(e.syntax for e in errors(script)):
        with tempfile.TemporaryDirectory() as folder:
            assert _dash_rejects(script, Path(folder)), script
