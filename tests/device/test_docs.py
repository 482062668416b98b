"""The off-device example in docs/device.md runs and prints what the page says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from ..conftest import REPO, require_tool

DOC = REPO / "docs" / "device.md"
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def example() -> tuple[str, str]:
    """The first ``sh`` block of "Trying it off-device" and the ``text`` block after it."""
    section = DOC.read_text().split("## Trying it off-device", 1)[1]
    script = section.split("```sh\n", 1)[1].split("```", 1)[0]
    output = section.split("```text\n", 1)[1].split("```", 1)[0]
    return script, output


def normalize(text: str, tmpdir: Path) -> str:
    """Fixed timestamps, and the `mktemp -d` directory shown as under /tmp."""
    made = re.compile(re.escape(str(tmpdir)) + r"/tmp\.[A-Za-z0-9]{10}")
    return made.sub("/tmp/tmp.XXXXXXXXXX", TIME.sub("2026-01-01T00:00:00Z", text))


def test_off_device_example(tmp_path: Path) -> None:
    shell = require_tool("sh")
    tools = tmp_path / "tools"
    tools.mkdir()
    # A wrapper, not a symlink: a symlinked venv interpreter no longer finds the venv's packages.
    (tools / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (tools / "python3").chmod(0o755)
    (tools / "logger").write_text("#!/bin/sh\n")  # keep the host's journal out of it
    (tools / "logger").chmod(0o755)
    script, expected = example()
    env = {"PATH": f"{tools}:{os.environ['PATH']}", "TMPDIR": str(tmp_path), "HOME": str(tmp_path)}
    proc = subprocess.run(
        [shell, "-c", script],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    assert normalize(proc.stdout, tmp_path) == expected
