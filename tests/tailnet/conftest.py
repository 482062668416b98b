"""Fixtures: a fake server per backend flavour, and instant retries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from palette_tailscale.secrets import Secret
from palette_tailscale.tailnet import ApiSettings, Backend, Timeouts, Wiring, connect, set_testing
from tests.fakes.tailnet_server import FakeTailnet

FLAVOURS = ["tailscale", "headscale-0.22", "headscale-0.25", "headscale-0.26", "headscale-0.28"]


@dataclass
class Env:
    fake: FakeTailnet
    backend: Backend
    sleeps: list[float]


@pytest.fixture(autouse=True)
def instant_retries() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


def settings_for(fake: FakeTailnet, **overrides: object) -> ApiSettings:
    values: dict[str, object] = {
        "provider": fake.mode,
        "base_url": fake.url,
        "api_key": Secret(fake.api_key, "environment variable TAILSCALE_API_KEY"),
        "headscale_user": "edge" if fake.mode == "headscale" else None,
        "timeouts": Timeouts(connect=2.0, read=0.5),
    }
    if fake.mode == "headscale":
        values["api_key"] = Secret(fake.api_key, "environment variable HEADSCALE_API_KEY")
    values.update(overrides)
    return ApiSettings(**values)  # type: ignore[arg-type]


def open_env(fake: FakeTailnet, **overrides: object) -> Env:
    sleeps: list[float] = []
    backend = connect(settings_for(fake, **overrides), Wiring(sleep=sleeps.append))
    return Env(fake, backend, sleeps)


def make_fake(flavour: str, **options: object) -> FakeTailnet:
    if flavour == "tailscale":
        return FakeTailnet(**options)  # type: ignore[arg-type]
    return FakeTailnet(mode="headscale", headscale_version=flavour.split("-")[1], **options)  # type: ignore[arg-type]


@pytest.fixture(params=FLAVOURS)
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    with make_fake(request.param) as fake:
        opened = open_env(fake)
        yield opened
        opened.backend.close()


@pytest.fixture
def ts() -> Iterator[Env]:
    with FakeTailnet() as fake:
        opened = open_env(fake)
        yield opened
        opened.backend.close()
