"""Fixtures: a fake Palette tenant and a client wired to it, with instant retries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from palette_tailscale.palette import PaletteClient, PaletteSettings, connect_palette
from palette_tailscale.secrets import Secret
from palette_tailscale.tailnet import Timeouts, Wiring, set_testing
from tests.fakes.palette_server import FakePalette


@dataclass
class Env:
    fake: FakePalette
    client: PaletteClient
    sleeps: list[float]


@pytest.fixture(autouse=True)
def instant_retries() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


def settings_for(fake: FakePalette, **overrides: object) -> PaletteSettings:
    values: dict[str, object] = {
        "base_url": fake.url,
        "api_key": Secret(fake.api_key, "environment variable PALETTE_API_KEY"),
        "project": "Default",
        "timeouts": Timeouts(connect=2.0, read=0.5),
    }
    values.update(overrides)
    return PaletteSettings(**values)  # type: ignore[arg-type]


def open_env(fake: FakePalette, **overrides: object) -> Env:
    sleeps: list[float] = []
    client = connect_palette(settings_for(fake, **overrides), Wiring(sleep=sleeps.append))
    return Env(fake, client, sleeps)


@pytest.fixture
def pal() -> Iterator[Env]:
    with FakePalette() as fake:
        opened = open_env(fake)
        yield opened
        opened.client.close()
