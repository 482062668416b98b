"""The fork server shared by the hostile-input suite, and the suite's summary line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .runner import TALLY, Zygote


@pytest.fixture(scope="session")
def zygote() -> Iterator[Zygote]:
    server = Zygote()
    yield server
    server.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if sum(TALLY.outcomes.values()):
        terminalreporter.write_line(TALLY.summary())
