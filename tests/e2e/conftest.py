"""Fixtures of the end-to-end tier: pinned real tools, one loopback-only network namespace for
the whole tier, a real Headscale per version under test, and simulated edge hosts.

The tools are built by ``scripts/e2e-tools`` (``./scripts/test`` and ``.ci/run`` call it when Go
is present). Outside CI a missing tool skips the tier with that advice; in CI it fails.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from ..conftest import IN_CI, require_tool
from . import netns
from .fleet import Fleet
from .headscale import Headscale
from .host import Tools
from .toolchain import Tool, load

TOOLS = load()
HEADSCALES = ("headscale", "headscale-0.26")
FLEET = ("edge-e2e-0001", "edge-e2e-0002", "edge-e2e-0003")


def need(tool: Tool) -> Tool:
    if tool.built():
        return tool
    message = (
        f"{tool.name} {tool.version} is not built in {tool.bin_dir}: run scripts/e2e-tools "
        "(needs Go; builds the pinned yip, tailscale and Headscale once, about 8 minutes cold)"
    )
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def need_root() -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        message = "the end-to-end tier needs root and unshare (mount and network namespaces)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class Tier:
    """The loopback-only namespace, and what a watcher saw of its sockets meanwhile."""

    holder: int
    outside: list[str] = field(default_factory=list)
    samples: int = 0


@pytest.fixture(scope="package")
def tier() -> Iterator[Tier]:
    need_root()
    require_tool("isoinfo")  # the hosts read their site user-data out of the ISO with it
    for name in ("tailscale", "yip"):
        need(TOOLS[name])
    with netns.loopback_only() as holder:
        state = Tier(holder)
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                state.outside.extend(netns.outside_loopback(holder))
                state.samples += 1
                stop.wait(0.2)

        state.outside.extend(netns.outside_loopback(holder))
        state.samples += 1
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            yield state
        finally:
            stop.set()
            watcher.join(timeout=5)
        leaks = state.outside + netns.outside_loopback(holder)
        assert leaks == [], f"sockets of the tier outside loopback: {leaks}"


@pytest.fixture(scope="package")
def tools(tier: Tier) -> Tools:
    ts = TOOLS["tailscale"]
    return Tools(
        yip=TOOLS["yip"].binary(),
        tailscale=ts.binary("tailscale"),
        tailscaled=ts.binary("tailscaled"),
    )


@pytest.fixture(scope="package", params=HEADSCALES)
def headscale(
    request: pytest.FixtureRequest, tier: Tier, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Headscale]:
    tool = need(TOOLS[request.param])
    server = Headscale(
        binary=tool.binary(),
        home=tmp_path_factory.mktemp(request.param),
        version=tool.version.lstrip("v"),
    )
    server.start()
    server.bootstrap()
    try:
        yield server
    finally:
        server.stop()


def wait_until(predicate: Callable[[], bool], *, timeout: float, step: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.fixture(scope="package")
def fleet(
    headscale: Headscale, tools: Tools, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    """Three hosts provisioned on this Headscale; booted by the tests that use them."""
    made = Fleet(
        folder=tmp_path_factory.mktemp(f"fleet-{headscale.version}"),
        server=headscale,
        names=FLEET,
        login_server=headscale.url,
    )
    made.provision()
    try:
        yield made
    finally:
        made.shutdown()
