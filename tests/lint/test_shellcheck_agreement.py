"""PT035 (bash-only syntax) agrees with shellcheck in POSIX sh mode, the independent checker."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

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
