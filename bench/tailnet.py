"""Benchmark: 1,000 auth keys against the local fake API, then under a rate limit.

Run from the repository root: ``python bench/tailnet.py [--keys 1000] [--latency 0.02]
[--rate 200] [--concurrency N]``. Prints figures only; nothing asserts on them.

1. Every request costs ``latency`` seconds on the server. Ideal wall time is
   keys x latency / concurrency; the ratio says how close the client gets.
2. The server allows ``rate`` requests per second and answers 429 with ``Retry-After`` beyond
   it. The achieved rate over ``rate`` says how well retries use the allowance; failed
   operations must stay at zero.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from tests.fakes.tailnet_server import FakeTailnet

from palette_tailscale.secrets import Secret
from palette_tailscale.tailnet import (
    DEFAULT_CONCURRENCY,
    ApiSettings,
    KeyRequest,
    connect,
    run_bulk,
)


def mint(fake: FakeTailnet, count: int, concurrency: int) -> tuple[float, int]:
    settings = ApiSettings(base_url=fake.url, api_key=Secret(fake.api_key, "bench"))
    backend = connect(settings)
    requests = [KeyRequest(tags=("tag:edge",), description=f"bench {i}") for i in range(count)]
    started = time.perf_counter()
    outcomes = run_bulk(backend.create_key, requests, concurrency=concurrency)
    wall = time.perf_counter() - started
    backend.close()
    return wall, sum(1 for o in outcomes if not o.ok)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    args = parser.parse_args()

    with FakeTailnet(latency=args.latency) as fake:
        wall, failed = mint(fake, args.keys, args.concurrency)
    ideal = args.keys * args.latency / args.concurrency
    print(
        f"latency: {args.keys} keys, {args.latency * 1000:.0f} ms added, concurrency "
        f"{args.concurrency}: wall {wall:.2f} s, ideal {ideal:.2f} s, ratio {wall / ideal:.2f}x, "
        f"failed {failed}"
    )

    with FakeTailnet(latency=args.latency, rate_limit=args.rate) as fake:
        wall, failed = mint(fake, args.keys, args.concurrency)
        limited = fake.rate_limited
    achieved = args.keys / wall
    print(
        f"rate limit: {args.keys} keys at {args.rate:.0f} req/s allowed: wall {wall:.2f} s, "
        f"achieved {achieved:.1f} req/s = {achieved / args.rate:.0%} of the limit, "
        f"{limited} answers were 429, failed {failed}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
