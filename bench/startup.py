"""Startup and render timings of the palette-tailscale command.

Measures, in one run and as subprocesses: ``sys.executable -c pass`` (the floor: the very
interpreter running this script, never whatever ``python`` is first on PATH, which is often a
shell shim that would flatter the ratios), ``palette-tailscale --version``, ``--help`` and
``render --example``, each the median of many runs, and prints each against the floor. The tool
runs under the same interpreter: its console script beside ``sys.executable`` when that script
starts with it, else ``sys.executable -m palette_tailscale``. Also times ``render_all`` on the
built-in example in-process (first call and median of warm calls). Usage::

    python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path


def _median_seconds(command: Sequence[str], runs: int, env: dict[str, str]) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def tool_command() -> list[str]:
    """palette-tailscale under this interpreter (the console script, or ``-m``)."""
    script = Path(sys.executable).parent / "palette-tailscale"
    try:
        shebang = script.read_bytes().split(b"\n", 1)[0].decode()
    except OSError:
        shebang = ""
    if _same_interpreter(shebang.removeprefix("#!").strip(), sys.executable):
        return [str(script)]
    return [sys.executable, "-m", "palette_tailscale"]


def _same_interpreter(first: str, second: str) -> bool:
    """``bin/python3`` and ``bin/python`` of one virtual environment are one interpreter."""
    a, b = Path(first), Path(second)
    return bool(first) and a.parent == b.parent and a.resolve() == b.resolve()


def cases(out: str) -> list[tuple[str, list[str]]]:
    tool = tool_command()
    return [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("palette-tailscale --version", [*tool, "--version"]),
        ("palette-tailscale --help", [*tool, "--help"]),
        ("palette-tailscale render --example", [*tool, "render", "--example", "-o", out]),
    ]


def _in_process(runs: int) -> tuple[float, float]:
    start = time.perf_counter()
    from palette_tailscale.config import load_example
    from palette_tailscale.render.plan import render_all

    render_all(load_example())
    first = time.perf_counter() - start
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        render_all(load_example())
        samples.append(time.perf_counter() - start)
    return first, statistics.median(samples)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs per measurement (median)")
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k != "PALETTE_REGISTRATION_TOKEN"}
    with tempfile.TemporaryDirectory() as out:
        timings = [(name, _median_seconds(cmd, args.runs, env)) for name, cmd in cases(out)]
    floor = timings[0][1]
    print(f"median of {args.runs} runs each, as subprocesses")
    print(f"  interpreter: {sys.executable}")
    print(f"  tool:        {' '.join(tool_command())}")
    for name, seconds in timings:
        print(f"  {name:<38} {seconds * 1000:8.1f} ms   {seconds / floor:5.2f}x python -c pass")
    first, warm = _in_process(args.runs)
    print("render_all(load_example()) in-process")
    print(f"  first call (imports included)          {first * 1000:8.1f} ms")
    print(f"  warm call, median                      {warm * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
