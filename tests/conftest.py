"""Shared fixtures and the rule for tests that need an external tool."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.golden import pytest_terminal_summary as pytest_terminal_summary  # the rewrite diffs

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "user-data"
CORPUS_2 = SHARED / "corpus" / "user-data-2"
REFERENCE = SHARED / "reference"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(name: str) -> str:
    """The tool's path; outside CI a missing tool skips the test, in CI it fails it."""
    path = shutil.which(name)
    if path:
        return path
    if IN_CI:
        pytest.fail(f"{name} is required in CI but is not installed")
    pytest.skip(f"{name} is not installed")


def require_path(path: Path) -> Path:
    """Like :func:`require_tool` for files beside the repository (../shared)."""
    if path.exists():
        return path
    if IN_CI:
        pytest.fail(f"{path} is required in CI but is missing")
    pytest.skip(f"{path} is missing")


@pytest.fixture(autouse=True)
def _no_palette_api_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own Palette credentials must never reach a test (nor Palette itself)."""
    for name in ("PALETTE_API_KEY", "PALETTE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
