"""The library API the renderer calls: ``lint_text`` / ``lint_paths`` and ``Problem``."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from palette_tailscale.errors import InputError
from palette_tailscale.lint import Problem, fails, lint_paths, lint_text


def test_problem_is_a_frozen_record() -> None:
    (problem,) = lint_text("x: 1\n", "user-data")
    assert problem == Problem("user-data", 1, 1, "PT001", "error", problem.message)
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.line = 2  # type: ignore[misc]


def test_findings_are_sorted_by_position() -> None:
    text = "stages:\n  netwrok: []\n  boot:\n    - systctl: {}\n"
    assert [(p.line, p.rule) for p in lint_text(text, kind="installer")] == [
        (1, "PT001"),
        (2, "PT006"),
        (4, "PT003"),
    ]


@pytest.mark.parametrize(
    ("levels", "strict", "fail"),
    [([], False, False), (["info"], True, False), (["warning"], False, False),
     (["warning"], True, True), (["error"], False, True)],
)  # fmt: skip
def test_fails(levels: list[str], strict: bool, fail: bool) -> None:
    problems = [Problem("f", 1, 1, "PT001", level, "m") for level in levels]  # type: ignore[arg-type]
    assert fails(problems, strict=strict) is fail


def test_unknown_rule_ids_are_input_errors() -> None:
    with pytest.raises(InputError, match="unknown rule 'PT998'"):
        lint_text("x: 1\n", select=["PT998"])
    with pytest.raises(InputError):
        lint_text("x: 1\n", ignore=["nope"])


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind must be one of auto, installer, site, system"):
        lint_text("x: 1\n", kind="iso")


def test_lint_paths(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("#cloud-config\nstages:\n  netwrok: []\n", encoding="utf-8")
    (tmp_path / "user-data").write_text("#cloud-config\n", encoding="utf-8")
    problems = lint_paths([tmp_path])
    assert [(Path(p.path).name, p.rule) for p in problems] == [("a.yaml", "PT006")]
    with pytest.raises(InputError, match="no such file or directory"):
        lint_paths([tmp_path / "missing"])


def test_importing_the_package_is_cheap() -> None:
    code = (
        "import sys, palette_tailscale.lint; "
        "print(sorted(m for m in sys.modules "
        "if m.startswith(('ruamel', 'palette_tailscale.lint.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['palette_tailscale.lint.problem']"
