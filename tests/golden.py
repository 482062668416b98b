"""Golden files: compared byte for byte, and rewritten only in a way a reviewer reads.

``UPDATE_GOLDEN=1 python -m pytest ...`` rewrites the golden files from the code under test. So
that a regeneration never slips a behaviour change in unseen, it

- refuses to run while the working tree has uncommitted changes other than golden files (commit
  the code change first; the regeneration is then a change of golden files alone), and
- prints a unified diff of every golden file it rewrote at the end of the pytest run.
"""

from __future__ import annotations

import difflib
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Every golden file, or folder of them, in the repository (relative to it). A path under one of
# these may be uncommitted while goldens are regenerated; any other change stops it.
GOLDEN_PATHS = (
    "tests/render/golden",
    "tests/fleet/golden",
    "tests/tailnet/golden",
    "docs/lint.md",  # its rule reference is generated
)

_rewritten: list[str] = []  # diffs of this session's rewrites, printed in the summary
_clean: dict[Path, bool] = {}  # the working tree was checked (once per session)


def updating() -> bool:
    return os.environ.get("UPDATE_GOLDEN") == "1"


def compare(path: Path, data: bytes | str, *, repo: Path = REPO) -> None:
    """``data`` must be what ``path`` holds; under UPDATE_GOLDEN=1 it is written there first."""
    new = data.encode("utf-8") if isinstance(data, str) else data
    if updating():
        rewrite(path, new, repo=repo)
    assert path.exists(), f"missing {path}; regenerate with UPDATE_GOLDEN=1 (see tests/golden.py)"
    old = path.read_bytes()
    if new != old:
        pytest.fail(
            f"{path.relative_to(repo)} differs from what the code makes now; if the change is"
            " intended, commit it and regenerate with UPDATE_GOLDEN=1 (see tests/golden.py)\n"
            + unified(path.relative_to(repo).as_posix(), old, new),
            pytrace=False,
        )


def rewrite(path: Path, new: bytes, *, repo: Path = REPO) -> None:
    """Write ``new`` to the golden ``path`` (in a clean tree only), keeping the diff."""
    require_clean_tree(repo)
    old = path.read_bytes() if path.exists() else b""
    if old == new:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(new)
    _rewritten.append(unified(path.relative_to(repo).as_posix(), old, new))


def unified(name: str, old: bytes, new: bytes) -> str:
    lines = difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(keepends=True),
        new.decode("utf-8", "replace").splitlines(keepends=True),
        f"a/{name}",
        f"b/{name}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def require_clean_tree(repo: Path) -> None:
    if _clean.get(repo):
        return
    try:
        other = other_changes(repo)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.fail(f"UPDATE_GOLDEN=1 needs a git work tree to check for changes: {exc}")
    if other:
        shown = "\n".join(f"  {path}" for path in other[:20])
        more = f"\n  ... and {len(other) - 20} more" if len(other) > 20 else ""
        pytest.fail(
            "UPDATE_GOLDEN=1 refuses to rewrite golden files while the working tree has other"
            " uncommitted changes; commit or stash them first, so that the regeneration is a"
            f" change of golden files alone:\n{shown}{more}",
            pytrace=False,
        )
    _clean[repo] = True


def other_changes(repo: Path) -> list[str]:
    """Uncommitted paths (staged, unstaged or untracked) that are not golden files."""
    out = subprocess.run(
        ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "surrogateescape")
    return [path for path in changed_paths(out.split("\0")) if not is_golden(path)]


def changed_paths(entries: Iterable[str]) -> list[str]:
    """The paths of ``git status --porcelain=v1 -z`` entries (both sides of a rename)."""
    paths: list[str] = []
    rename_source = False
    for entry in entries:
        if not entry:
            continue
        if rename_source:  # the entry after a rename or copy is its source path
            paths.append(entry)
            rename_source = False
            continue
        status, path = entry[:2], entry[3:]
        paths.append(path)
        rename_source = "R" in status or "C" in status
    return paths


def is_golden(path: str) -> bool:
    return any(path == root or path.startswith(root + "/") for root in GOLDEN_PATHS)


def summary() -> str:
    """What this session rewrote (empty when nothing was)."""
    if not _rewritten:
        return ""
    head = f"UPDATE_GOLDEN=1 rewrote {len(_rewritten)} golden file(s); review this diff:\n"
    return head + "".join(_rewritten)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    text = summary()
    if text:
        terminalreporter.section("golden files rewritten")
        terminalreporter.write(text)
