"""Fixtures of the device tests: each scenario runs under dash and bash on a fresh fake host."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import require_tool
from .harness import KEY, Device, Run

SHELLS = ["dash", "bash"]


@pytest.fixture(params=SHELLS)
def shell(request: pytest.FixtureRequest) -> str:
    return require_tool(request.param)


@pytest.fixture
def shells() -> list[str]:
    return [require_tool(name) for name in SHELLS]


@pytest.fixture
def device(tmp_path: Path) -> Device:
    return Device(tmp_path)


def assert_key_never_shown(run: Run) -> None:
    for text in run.texts():
        assert KEY not in text
        assert "SECRETVALUE" not in text
