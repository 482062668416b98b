"""The recipe this tool replaces, run through the same harness: what really happens.

The seed recipe is the README's naive user-data (a `tailscale up` with a reusable key in a
`network` stage, no guard, no hostname, no timeout), pointed at Headscale. A host boots the live
installer with it, is installed, boots, and boots again. Headscale's node list after each boot is
pinned below, and our linter must flag the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .fleet import TAG, Fleet, cli
from .headscale import Headscale
from .host import EdgeHost, Tools

SEED = """\
#cloud-config
stages:
  network:
    - name: tailscale
      commands:
        - tailscale up --authkey={key} --login-server={server}
"""


@dataclass
class SeedRun:
    user_data: str
    key: str
    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def names(nodes: list[dict[str, Any]]) -> list[str]:
    return sorted(n["name"] for n in nodes)


@pytest.fixture(scope="module")
def seed(
    headscale: Headscale, tools: Tools, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeedRun]:
    home = tmp_path_factory.mktemp("seed")
    server = headscale.sibling(home / "server")
    env = Fleet(folder=home, server=server, names=(), login_server=server.url).env()
    key_file = home / "reusable.key"
    made = cli(
        "keys",
        "create",
        "--reusable",
        "--tag",
        TAG,
        "--expiry",
        "1d",
        "-o",
        str(key_file),
        env=env,
    )
    assert made.returncode == 0, made.stderr
    key = key_file.read_text().strip()
    run = SeedRun(SEED.format(key=key, server=server.url), key)
    host = EdgeHost(home / "host", tools, name="seed")
    try:
        live = host.boot("live_mode", live_oem={"90_custom.yaml": run.user_data.encode()})
        run.seconds["live"] = live.seconds
        run.nodes["live"] = server.wait_for(lambda ns: len(ns) >= 1, timeout=30, what="a node")
        host.shutdown()
        host.install(run.user_data.encode())  # the installer keeps its user-data in /oem
        for boot in ("installed", "second"):
            done = host.boot("active_mode")
            run.seconds[boot] = done.seconds
            before = len(run.nodes[list(run.nodes)[-1]])
            server.wait_for(lambda ns, n=before: len(ns) >= n, timeout=30, what="nodes")
            run.nodes[boot] = server.nodes()
        live_id = run.nodes["live"][0]["id"]
        run.nodes["settled"] = server.wait_for(
            lambda ns: not next(n for n in ns if n["id"] == live_id)["online"],
            timeout=90,
            what="the live installer's node offline",
        )
        yield run
    finally:
        host.shutdown()
        server.stop()


def test_the_seed_recipe_registers_a_node_per_fresh_boot_named_localhost(
    seed: SeedRun, headscale: Headscale
) -> None:
    # The live installer registers a throw-away node; the install registers another; both are
    # the client's "localhost", told apart by Headscale's collision suffix.
    (live,) = seed.nodes["live"]
    assert live["name"] == "localhost" and live["givenName"] == "localhost"
    assert names(seed.nodes["installed"]) == ["localhost", "localhost"]
    given = sorted(n["givenName"] for n in seed.nodes["installed"])
    if headscale.minor >= 29:
        assert given == ["localhost", "localhost-1"]
    else:  # 0.23-0.28: a random suffix
        assert given[0] == "localhost" and re.fullmatch(r"localhost-[a-z0-9]{8}", given[1])
    # The live node stays behind (and goes offline for good: the fixture waits for that).
    assert live["id"] in {n["id"] for n in seed.nodes["settled"]}


def test_the_second_boot_of_the_seed_recipe(seed: SeedRun) -> None:
    # With the state persisted, `up --authkey` on a node that is logged in does not register
    # it again: the node count stays at two (one of them the live installer's leftover).
    assert len(seed.nodes["second"]) == 2
    assert names(seed.nodes["second"]) == names(seed.nodes["installed"])


def test_our_lint_flags_the_seed_recipe(seed: SeedRun, tmp_path: Path) -> None:
    path = tmp_path / "user-data"
    path.write_text(seed.user_data)
    done = cli("lint", "--format", "json", str(path))
    assert done.returncode == 1
    rules = {p["rule"] for p in json.loads(done.stdout)}
    assert {"PT011", "PT012", "PT013", "PT015", "PT016", "PT019"} <= rules
    assert seed.key not in done.stdout + done.stderr
