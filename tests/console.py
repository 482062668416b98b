"""Run the ```console examples of a Markdown document as a user would type them.

``$ palette-tailscale ARGS`` lines run through ``main()``; the lines after one are its expected
output (stdout then stderr); ``$ echo $?`` checks the previous exit code. An expected ``...``
line matches any run of output lines (for fresh IDs and dates); trailing blanks are ignored.
"""

from __future__ import annotations

import shlex

import pytest

from palette_tailscale.cli.main import main


def console_blocks(markdown: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in markdown.splitlines():
        if line == "```console":
            current = []
        elif line == "```" and current is not None:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def sessions(block: list[str]) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for line in block:
        if line.startswith("$ "):
            found.append((line[2:], []))
        else:
            found[-1][1].append(line)
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line-by-line equality (trailing blanks aside); an expected ``...`` is any run of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    same = bool(actual) and expected[0].rstrip() == actual[0].rstrip()
    return same and matches(expected[1:], actual[1:])


def run_examples(markdown: str, capsys: pytest.CaptureFixture[str], label: str) -> int:
    """Run every console example in order; returns how many commands ran."""
    code, ran = 0, 0
    for block in console_blocks(markdown):
        for command, expected in sessions(block):
            if command == "echo $?":
                assert [str(code)] == expected, f"{label}: exit code {code} after the last command"
                continue
            args = shlex.split(command)
            assert args[0] == "palette-tailscale", f"{label}: {command}"
            code = main(args[1:])
            ran += 1
            out, err = capsys.readouterr()
            actual = (out + err).splitlines()
            assert matches(expected, actual), f"{label}: $ {command}\n" + "\n".join(actual)
    return ran
