"""The mutation runner itself: which mutants it makes, and that mutants reach every test."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.mutation import runner
from tests.mutation.mutants import Mutant, python_mutants, shell_mutants
from tests.mutation.targets import TARGETS

PY = '''"""Module docstring: never mutated."""
from __future__ import annotations


def f(a: int, items: list[str]) -> bool:
    """Docstring."""
    for x in items:
        if x not in ("a", "b"):
            return a >= 4 and True
    total = a + 1
    return not total  # pragma: no mutate
'''


def _changes(mutants: list[Mutant]) -> list[tuple[int, str]]:
    return [(m.line, m.change) for m in mutants]


def test_python_mutants() -> None:
    assert _changes(python_mutants(PY, "m.py")) == [
        (8, "negate: 'not in' -> 'in'"),
        (8, "constant: '\"a\"' -> '\"XXaXX\"'"),
        (8, "constant: '\"b\"' -> '\"XXbXX\"'"),
        (9, "delete: 'return a >= 4 and True' -> 'pass'"),
        (9, "negate: '>=' -> '<'"),
        (9, "boundary: '>=' -> '>'"),
        (9, "constant: '4' -> '5'"),
        (9, "operator: 'and' -> 'or'"),
        (9, "constant: 'True' -> 'False'"),
        (10, "delete: 'total = a + 1' -> 'pass'"),
        (10, "operator: '+' -> '-'"),
        (10, "constant: '1' -> '2'"),
    ]


def test_python_mutants_keep_the_rest_of_the_file() -> None:
    for mutant in python_mutants(PY, "m.py"):
        line = PY.splitlines()[mutant.line - 1]
        assert line[mutant.col - 1 :].startswith(mutant.original.split("\n")[0])
        mutated = mutant.apply(PY)
        compile(mutated, "m.py", "exec")
        assert mutated.count("\n") == PY.count("\n")
        assert mutated.splitlines()[mutant.line - 1] != PY.splitlines()[mutant.line - 1]


def test_python_conditions_are_negated_whole() -> None:
    mutants = python_mutants("def g(a, b):\n    while a or b:\n        a = b\n", "m.py")
    assert (2, "negate: 'a or b' -> 'not (a or b)'") in _changes(mutants)


SH = """#!/bin/sh
# a comment: [ 1 -lt 2 ] && exit 3
umask 077
check() {
    if [ "$1" -gt 5 ]; then
        log "more than 5 seconds: '$1'"
        exit 2
    fi
    case $2 in
        Running | Stopped) return 0 ;;
    esac
    n=$((n + 1))
    printf '%s\\n' "$n" | sed -e 's/a/b/'
}
"""


def test_shell_mutants() -> None:
    require_tool("dash")
    assert _changes(shell_mutants(SH, "s.sh", "dash")) == [
        (3, "delete: 'umask 077' -> ':'"),
        (3, "constant: '077' -> '0100'"),
        (5, "negate: 'if' -> 'if !'"),
        (5, "boundary: '-gt' -> '-ge'"),
        (5, "negate: '-gt' -> '-le'"),
        (5, "constant: '5' -> '6'"),
        (6, "delete: 'log \"more than 5 seconds: \\'$1\\'\"' -> ':'"),
        (7, "delete: 'exit 2' -> ':'"),
        (7, "constant: '2' -> '3'"),
        (10, "negate: 'Running | Stopped (drop Stopped)' -> 'Running'"),
        (10, "negate: 'Running | Stopped (drop Running)' -> 'Stopped'"),
        (10, "delete: 'return 0' -> ':'"),
        (10, "constant: '0' -> '1'"),
        (12, "delete: 'n=$((n + 1))' -> ':'"),
        (12, "operator: '+' -> '-'"),
        (12, "constant: '1' -> '2'"),
        (13, "delete: 'printf \\'%s\\\\n\\' \"$n\" | sed -e \\'s/a/b/\\'' -> ':'"),
        (13, "constant: \"'%s\\\\n'\" -> \"'XX%s\\\\nXX'\""),
        (13, "constant: \"'s/a/b/'\" -> \"'XXs/a/b/XX'\""),
    ]


def test_every_target_exists_and_has_mutants() -> None:
    for target in TARGETS:
        assert (runner.REPO / runner.PACKAGE / target.path).is_file(), target.path
        assert runner.existing_tests(target), target.path
    assert runner.mutants_of(TARGETS[0])


def test_stages_run_the_closest_tests_alone_first() -> None:
    assert runner.stages(["tests/a/test_x.py", "tests/a"]) == [
        ["tests/a/test_x.py"],
        ["tests/a", "--ignore", "tests/a/test_x.py"],
    ]
    assert runner.stages(["tests/a"]) == [["tests/a"]]


class FakeScratch:
    """Stands for a scratch copy: answers each run with the next of ``answers``."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.limits: list[float | None] = []

    def run_tests(self, tests: Sequence[str], timeout: float | None) -> tuple[str, float]:
        self.limits.append(timeout)
        return self.answers.pop(0), 1.0


@pytest.mark.parametrize(
    ("answers", "verdict", "runs"),
    [
        (["failed"], "failed", 1),
        (["passed"], "passed", 1),
        (["timeout", "passed"], "passed", 2),  # slow is not wrong: the mutant survives
        (["timeout", "failed"], "failed", 2),
        (["timeout", "timeout"], "timeout", 2),  # still running at the ceiling: hung
    ],
)
def test_a_stage_is_stopped_at_its_limit_and_run_again_to_the_ceiling(
    answers: list[str], verdict: str, runs: int
) -> None:
    scratch = FakeScratch(*answers)
    assert runner.run_stage(scratch, ["tests/x"], 10.0) == (verdict, float(runs))
    assert scratch.limits == [60.0, 220.0][:runs]


def test_lines_select_ranges_and_single_lines() -> None:
    mutants = [Mutant("x.sh", line, 0, 1, "a", "b", "constant") for line in range(1, 12)]
    picked = runner._select(mutants, "2-3,7,10-10")
    assert [m.line for m in picked] == [2, 3, 7, 10]
    assert runner._select(mutants, None) == mutants


def test_report_lists_each_survivor() -> None:
    kept = Mutant("x.py", 7, 10, 12, ">=", ">", "boundary", col=3)
    report = runner.ModuleReport("x.py", [runner.Result(kept, "survived", 1.0)])
    report.results += [runner.Result(kept, "killed", 1.0)] * 2
    hung = Mutant("x.py", 9, 20, 21, "1", ":", "delete", col=5)
    report.results.append(runner.Result(hung, "timeout", 200.0))
    assert runner.format_report([report]) == (
        "module  generated  killed  survived   score\n"
        "x.py            4       3         1   75.0%\n"
        "\n"
        "survivors in x.py:\n"
        "  x.py:7:3: boundary: '>=' -> '>'\n"
        "\n"
        "killed by a timeout (tests still running at the ceiling) in x.py:\n"
        "  x.py:9:5: delete: '1' -> ':'\n"
    )


def test_recheck_picks_the_recorded_survivors(tmp_path: Path) -> None:
    target = TARGETS[0]
    mutants = runner.mutants_of(target)
    kept = runner.ModuleReport(target.path, [runner.Result(mutants[3], "survived", 1.0)])
    kept.results += [runner.Result(m, "killed", 1.0) for m in mutants if m is not mutants[3]]
    report = tmp_path / "r.json"
    report.write_text(runner.to_json([kept]))
    targets, selected, carried = runner._recheck(report)
    assert targets == [target] and selected == {target.path: [mutants[3]]}
    assert carried == {target.path: len(mutants) - 1}


@pytest.mark.slow
def test_the_scratch_interpreter_imports_the_copy(tmp_path: Path) -> None:
    # Subprocesses started with a bare environment (no PYTHONPATH) must still see the mutant.
    scratch = runner.Scratch(tmp_path, "w")
    done = subprocess.run(
        [str(scratch.python), "-c", "import palette_tailscale; print(palette_tailscale.__file__)"],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == str(scratch.tree / "src/palette_tailscale/__init__.py")
