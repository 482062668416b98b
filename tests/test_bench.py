"""The benchmarks measure what they say: the start-up floor and the tool run under the
interpreter running the benchmark, never whatever ``python`` or ``palette-tailscale`` is first on
PATH (often a shell shim, which would flatter the ratios)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

SHIM = '#!/bin/sh\necho "$0" >> "{log}"\nexec "{real}" "$@"\n'


def test_startup_bench_floor_and_tool_use_this_interpreter(tmp_path: Path) -> None:
    shims = tmp_path / "bin"
    shims.mkdir()
    log = tmp_path / "shims-called"
    for name in ("python", "python3", "palette-tailscale"):
        shim = shims / name
        shim.write_text(SHIM.format(log=log, real=sys.executable))
        shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "startup.py"), "--runs", "1"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert not log.exists(), f"a shim on PATH was run: {log.read_text()}"
    lines = result.stdout.splitlines()
    assert f"  interpreter: {sys.executable}" in lines
    tool = next(line for line in lines if line.startswith("  tool:"))
    assert str(Path(sys.executable).parent) in tool
    assert any("1.00x python -c pass" in line for line in lines)
