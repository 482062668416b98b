"""docs/lint.md: its rule reference is generated from the rule modules (checked for drift), and
every console example in it runs with the shown output and exit code.

Regenerate the reference, once the rule change is committed, with ``UPDATE_GOLDEN=1 python -m
pytest tests/lint/test_docs_page.py`` (tests/golden.py: it shows the diff it made).
"""

from __future__ import annotations

import io
import re
import shlex
import sys
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from palette_tailscale.lint.registry import all_rules
from tests import golden
from tests.conftest import REPO

DOC = REPO / "docs" / "lint.md"
START, END = "<!-- rules:start", "<!-- rules:end -->"
FENCE_RE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def reference() -> str:
    rows = [f"| [{r.id}](#{r.id.lower()}) | {r.level} | {r.summary} |" for r in all_rules()]
    parts = ["| ID | level | finds |", "|---|---|---|", *rows, ""]
    for rule in all_rules():
        body = re.sub(r"^(Bad|Good)( \(kind=\w+\))?::$", r"\1\2:", rule.doc, flags=re.MULTILINE)
        parts += [f"### {rule.id}", "", f"*{rule.level}*: {rule.summary}", "", body.rstrip(), ""]
    return "\n".join(parts)


def test_rule_reference_is_up_to_date() -> None:
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    marker, _, tail = rest.partition("\n")
    _, _, after = tail.partition(END)
    fresh = f"{head}{START}{marker}\n{reference()}\n{END}{after}"
    golden.compare(DOC, fresh)


def console_examples() -> list[tuple[dict[str, str], str]]:
    """(files shown before the block, console block) pairs.

    A ``yaml`` block starting ``#cloud-config`` is ``user-data``; one whose first line is
    ``# file: PATH`` is the file PATH (the rest of the block), for the examples that follow.
    """
    found: list[tuple[dict[str, str], str]] = []
    files: dict[str, str] = {"user-data": ""}
    for match in FENCE_RE.finditer(DOC.read_text(encoding="utf-8")):
        lang, body = match.groups()
        if lang == "yaml" and body.startswith("#cloud-config\n"):
            files = {**files, "user-data": body}
        elif lang == "yaml" and body.startswith("# file: "):
            name, _, content = body.partition("\n")
            files = {**files, name.removeprefix("# file: ").strip(): content}
        elif lang == "console":
            found.append((files, body))
    return found


def steps(block: str) -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ `` line of a console block."""
    out: list[tuple[str, str]] = []
    for line in block.splitlines(keepends=True):
        if line.startswith("$ "):
            out.append((line[2:].strip(), ""))
        else:
            command, expected = out[-1]
            out[-1] = (command, expected + line)
    return out


@pytest.mark.parametrize(("files", "block"), console_examples())
def test_console_example(
    files: dict[str, str],
    block: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    code = None
    for command, expected in steps(block):
        if command == "echo $?":
            assert f"{code}\n" == expected
            continue
        stdin = b""
        if " | " in command:
            producer, command = command.split(" | ", 1)
            stdin = shlex.split(producer)[1].encode().decode("unicode_escape").encode()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        argv = shlex.split(command)
        assert argv[:2] == ["palette-tailscale", "lint"]
        code = main(argv[1:])
        out, err = capsys.readouterr()
        assert out + err == expected, command


def test_the_page_has_examples() -> None:
    assert len(console_examples()) >= 4
