"""tests/golden.py: goldens are rewritten only in a clean tree, and the rewrite shows its diff."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests import golden

from .conftest import require_tool


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree with one golden file and one source file, all committed."""
    git = require_tool("git")
    monkeypatch.setattr(golden, "_rewritten", [])
    monkeypatch.setattr(golden, "_clean", {})
    for folder in ("tests/render/golden/case", "src"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "tests/render/golden/case/user-data").write_text("a\nb\n")
    (tmp_path / "src/code.py").write_text("x = 1\n")
    for argv in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init"],
    ):
        subprocess.run([git, *argv], cwd=tmp_path, check=True)
    return tmp_path


def test_a_match_passes_and_a_drift_fails_with_its_diff(repo: Path) -> None:
    path = repo / "tests/render/golden/case/user-data"
    golden.compare(path, "a\nb\n", repo=repo)
    with pytest.raises(pytest.fail.Exception) as failed:
        golden.compare(path, "a\nc\n", repo=repo)
    message = str(failed.value)
    assert "tests/render/golden/case/user-data differs from what the code makes now" in message
    assert "-b\n+c\n" in message
    assert path.read_text() == "a\nb\n"  # never rewritten without UPDATE_GOLDEN=1


def test_regeneration_in_a_clean_tree_rewrites_and_shows_the_diff(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    path = repo / "tests/render/golden/case/user-data"
    golden.compare(path, "a\nc\n", repo=repo)
    golden.compare(repo / "tests/render/golden/case/new", b"n\n", repo=repo)  # dirty: golden
    golden.compare(path, "a\nc\n", repo=repo)  # unchanged now: no second diff
    assert path.read_text() == "a\nc\n"
    assert golden.summary() == (
        "UPDATE_GOLDEN=1 rewrote 2 golden file(s); review this diff:\n"
        "--- a/tests/render/golden/case/user-data\n"
        "+++ b/tests/render/golden/case/user-data\n"
        "@@ -1,2 +1,2 @@\n"
        " a\n"
        "-b\n"
        "+c\n"
        "--- a/tests/render/golden/case/new\n"
        "+++ b/tests/render/golden/case/new\n"
        "@@ -0,0 +1 @@\n"
        "+n\n"
    )


@pytest.mark.parametrize("change", ["modified", "untracked", "staged"])
def test_regeneration_refuses_while_other_changes_are_uncommitted(
    repo: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    if change == "modified":
        (repo / "src/code.py").write_text("x = 2\n")
    else:
        (repo / "src/new.py").write_text("y = 1\n")
        if change == "staged":
            subprocess.run(["git", "add", "src/new.py"], cwd=repo, check=True)
    path = repo / "tests/render/golden/case/user-data"
    with pytest.raises(pytest.fail.Exception) as failed:
        golden.compare(path, "a\nc\n", repo=repo)
    assert "refuses to rewrite golden files while the working tree has other" in str(failed.value)
    assert "src/" in str(failed.value)
    assert path.read_text() == "a\nb\n"
    assert golden.summary() == ""


def test_regeneration_needs_a_work_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_tool("git")
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.setattr(golden, "_clean", {})
    with pytest.raises(pytest.fail.Exception, match="needs a git work tree"):
        golden.compare(tmp_path / "g", "x", repo=tmp_path)


def test_porcelain_paths_include_both_sides_of_a_rename() -> None:
    entries = ["R  new.py", "old.py", " M tests/render/golden/x", "?? a b.txt", ""]
    assert golden.changed_paths(entries) == ["new.py", "old.py", "tests/render/golden/x", "a b.txt"]
    assert golden.is_golden("tests/render/golden/x")
    assert golden.is_golden("docs/lint.md")
    assert not golden.is_golden("tests/render/golden-not/x")
    assert not golden.is_golden("docs/lint.md.bak")


def test_every_golden_path_exists() -> None:
    for path in golden.GOLDEN_PATHS:
        assert (golden.REPO / path).exists(), path
