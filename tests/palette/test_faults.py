"""Every fault of the fake: what the shared HTTP layer retries, and what surfaces at once."""

from __future__ import annotations

import pytest

from palette_tailscale.tailnet import (
    BadResponse,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    Timeouts,
)
from tests.fakes.palette_server import Fault

from .conftest import Env, open_env


def _hosts(env: Env, count: int = 3) -> None:
    for i in range(count):
        env.fake.state.add_edge_host(f"edge-{i}", env.fake.default_project)


def test_429_with_retry_after_is_waited_for_then_retried(pal: Env) -> None:
    _hosts(pal)
    pal.fake.add_fault(Fault("status", path="/search", status=429, retry_after="7"))
    assert len(pal.client.list_edge_hosts(None)) == 3
    assert len(pal.sleeps) == 1 and 7.0 <= pal.sleeps[0] <= 7.25


def test_rate_limit_of_the_server_is_survived() -> None:
    import time

    from palette_tailscale.palette import connect_palette
    from palette_tailscale.tailnet import Wiring
    from tests.fakes.palette_server import FakePalette

    from .conftest import settings_for

    sleeps: list[float] = []

    def nap(seconds: float) -> None:  # the server refills 50 tokens a second
        sleeps.append(seconds)
        time.sleep(0.05)

    with FakePalette(rate_limit=50) as fake:
        client = connect_palette(settings_for(fake), Wiring(sleep=nap))
        for _ in range(12):
            client.list_tokens()
        assert fake.rate_limited > 0 and len(sleeps) == fake.rate_limited
        assert all(1.0 <= s <= 1.25 for s in sleeps)  # the server's Retry-After: 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_on_reads_is_retried_until_success(pal: Env, status: int) -> None:
    pal.fake.add_fault(Fault("status", method="GET", status=status, times=2))
    pal.fake.state.add_token("t", pal.fake.default_project)
    assert len(pal.client.list_tokens()) == 1
    assert len(pal.sleeps) == 2


def test_a_search_is_a_read_whatever_its_method(pal: Env) -> None:
    _hosts(pal)
    pal.fake.add_fault(Fault("status", path="/search", status=502, times=2))
    assert len(pal.client.list_edge_hosts(None)) == 3


def test_persistent_5xx_gives_up_after_five_tries(pal: Env) -> None:
    pal.fake.add_fault(Fault("status", method="GET", status=503, times=99))
    with pytest.raises(ServerError, match="Palette API: list registration tokens: server error"):
        pal.client.list_tokens()
    assert len(pal.fake.requests) == 5


def test_persistent_429_surfaces_as_rate_limited(pal: Env) -> None:
    pal.fake.add_fault(Fault("status", status=429, times=99, retry_after="1"))
    with pytest.raises(RateLimited):
        pal.client.list_tokens()


@pytest.mark.parametrize("kind", ["slow", "reset"])
def test_lost_answers_on_reads_are_retried(pal: Env, kind: str) -> None:
    _hosts(pal)
    pal.fake.add_fault(Fault(kind, path="/search", delay=0.6))
    quick = open_env(pal.fake, timeouts=Timeouts(connect=2.0, read=0.2))
    assert len(quick.client.list_edge_hosts(None)) == 3
    assert len(quick.sleeps) == 1


def test_a_malformed_answer_is_bad_response(pal: Env) -> None:
    pal.fake.add_fault(Fault("malformed", method="GET"))
    with pytest.raises(BadResponse, match="not JSON"):
        pal.client.list_tokens()


@pytest.mark.parametrize("kind", ["status", "reset", "slow"])
def test_a_registration_whose_answer_is_lost_is_not_repeated(pal: Env, kind: str) -> None:
    """POST /v1/edgehosts may have happened: the caller must look, not blindly send again."""
    pal.fake.add_fault(Fault(kind, method="POST", path="/v1/edgehosts", status=500, commit=True))
    quick = open_env(pal.fake, timeouts=Timeouts(connect=2.0, read=0.3))
    with pytest.raises(OutcomeUnknown):
        quick.client.register_edge_host(
            "edge-1", name="edge-1", labels={}, arch="amd64", project_uid=None
        )
    posts = [r for r in pal.fake.requests if r.method == "POST"]
    assert len(posts) == 1 and "edge-1" in pal.fake.state.edge_hosts


def test_a_503_on_a_registration_is_retried(pal: Env) -> None:
    """503 says the request was not handled, so sending it again is safe."""
    pal.fake.add_fault(Fault("status", method="POST", path="/v1/edgehosts", status=503))
    pal.client.register_edge_host(
        "edge-1", name="edge-1", labels={}, arch="amd64", project_uid=None
    )
    assert len(pal.fake.paths("POST")) == 2 and "edge-1" in pal.fake.state.edge_hosts
