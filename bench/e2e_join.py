"""Benchmark: first-boot join latency on the real stack, ours against the seed recipe.

Run as root from the repository root, after ``scripts/e2e-tools``:
``python bench/e2e_join.py [--hosts 5] [--headscale headscale]``. Prints figures only.

In one loopback-only network namespace, a real Headscale serves two groups of simulated edge
hosts booted by the real yip (tests/e2e): a fleet provisioned by ``palette-tailscale fleet
provision`` (our rendered installer and site user-data), and hosts with the seed recipe (a
`tailscale up --authkey` with one reusable key in a `network` stage). For each host: seconds
from the start of its network stages (``network.before``) to its node being online in
Headscale, polled on Headscale's REST API every 0.1 s. Both groups boot in the same run, one
group after the other, all hosts of a group at once.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e import netns
from tests.e2e.fleet import TAG, Fleet, cli
from tests.e2e.headscale import Headscale
from tests.e2e.host import Boot, EdgeHost, Tools
from tests.e2e.test_seed_recipe import SEED
from tests.e2e.toolchain import load


class OnlineWatch:
    """When each node name was first seen online (Headscale's REST API, every 0.1 s)."""

    def __init__(self, server: Headscale) -> None:
        self.server = server
        self.first: dict[str, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            now = time.time()
            for node in self.server.nodes():
                if node.get("online"):
                    self.first.setdefault(node["givenName"], now)
            self.stop.wait(0.1)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def boot_group(hosts: list[EdgeHost]) -> list[Boot]:
    with ThreadPoolExecutor(len(hosts)) as pool:
        return list(pool.map(lambda h: h.boot(), hosts))


def wait(predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.1)


def latencies(boots: list[Boot], watch: OnlineWatch, names: list[str]) -> list[float]:
    return [
        watch.first[name] - boot.stage_times["network.before"]
        for boot, name in zip(boots, names, strict=True)
    ]


def ours(
    server: Headscale, tools: Tools, home: Path, count: int, watch: OnlineWatch
) -> list[float]:
    names = tuple(f"edge-bench-{i:04d}" for i in range(count))
    fleet = Fleet(folder=home / "ours", server=server, names=names, login_server=server.url)
    fleet.provision()
    hosts = [fleet.host(name, tools) for name in names]
    boots = boot_group(hosts)
    wait(lambda: all(n in watch.first for n in names), 60)
    try:
        return latencies(boots, watch, list(names))
    finally:
        fleet.shutdown()


def seed(
    server: Headscale, tools: Tools, home: Path, count: int, watch: OnlineWatch
) -> list[float]:
    env = Fleet(folder=home, server=server, names=(), login_server=server.url).env()
    key_file = home / "seed.key"
    made = cli(
        "keys", "create", "--reusable", "--tag", TAG, "--expiry", "1d", "-o", str(key_file), env=env
    )
    assert made.returncode == 0, made.stderr
    user_data = SEED.format(key=key_file.read_text().strip(), server=server.url).encode()
    hosts = []
    for i in range(count):
        host = EdgeHost(home / f"seed-{i}", tools, name=f"seed-{i}")
        host.install(user_data)
        hosts.append(host)
    before = set(watch.first)
    boots = boot_group(hosts)
    wait(lambda: len(set(watch.first) - before) >= count, 60)
    # Every seed host registers as "localhost": Headscale tells them apart by a suffix, in
    # the order they came online; match them to boots by that order.
    seen = sorted((t, name) for name, t in watch.first.items() if name not in before)
    starts = sorted(boot.stage_times["network.before"] for boot in boots)
    try:
        return [t - start for (t, _), start in zip(seen, starts, strict=True)]
    finally:
        for host in hosts:
            host.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--headscale", default="headscale", choices=["headscale", "headscale-0.26"])
    args = parser.parse_args()
    pins = load()
    missing = [t.name for t in pins.values() if not t.built()]
    if missing:
        print(f"missing tools {missing}: run scripts/e2e-tools first", file=sys.stderr)
        return 2
    ts = pins["tailscale"]
    tools = Tools(pins["yip"].binary(), ts.binary("tailscale"), ts.binary("tailscaled"))
    with tempfile.TemporaryDirectory(prefix="pt-bench-") as tmp, netns.loopback_only():
        home = Path(tmp)
        hs = pins[args.headscale]
        server = Headscale(hs.binary(), home / "server", hs.version.lstrip("v"))
        server.start()
        server.bootstrap()
        watch = OnlineWatch(server)
        try:
            figures = {
                "palette-tailscale": ours(server, tools, home, args.hosts, watch),
                "seed recipe": seed(server, tools, home, args.hosts, watch),
            }
        finally:
            watch.close()
            server.stop()
    print(f"first-boot join on Headscale {hs.version}, {args.hosts} hosts booted at once per group")
    print("seconds from the start of the network stages to the node online in Headscale")
    for label, values in figures.items():
        print(
            f"  {label:<18} median {statistics.median(values):5.2f} s   "
            f"min {min(values):5.2f}   max {max(values):5.2f}"
        )
    ratio = statistics.median(figures["palette-tailscale"]) / statistics.median(
        figures["seed recipe"]
    )
    print(f"  ratio ours / seed  {ratio:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
