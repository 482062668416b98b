"""Fixtures for the render tests: fixed secrets in the environment."""

from __future__ import annotations

import pytest

from .helpers import AUTH_KEY, TOKEN


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PT_TEST_TOKEN", TOKEN)
    monkeypatch.setenv("PT_TEST_AUTH_KEY", AUTH_KEY)


@pytest.fixture(autouse=True)
def _no_stray_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example's secret variables are unset unless a test sets them."""
    monkeypatch.delenv("PALETTE_REGISTRATION_TOKEN", raising=False)
    monkeypatch.delenv("TS_AUTHKEY", raising=False)
