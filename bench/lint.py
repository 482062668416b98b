"""Benchmark: palette-tailscale lint vs yamllint (default config) on 1,000 user-data files.

The corpus files that parse (../shared/corpus/user-data) are replicated to 1,000 files in a
temporary directory. Both linters run in the same process run, in-process (one call over the
whole directory, as ``palette-tailscale lint DIR`` does) and as their CLIs in a subprocess.
Prints files/s for each and the ratio palette-tailscale / yamllint (> 1 means faster).

    python bench/lint.py [--files N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "user-data"


def seeds() -> list[bytes]:
    """Corpus files that yaml parses (the invalid ones would favour whoever stops sooner)."""
    from palette_tailscale.errors import YamlError
    from palette_tailscale.yamlio import load

    found = []
    for path in sorted(CORPUS.glob("*.yaml")):
        data = path.read_bytes()
        try:
            load(data.decode("utf-8"), path.name)
        except YamlError:
            continue
        found.append(data)
    return found


def replicate(target: Path, count: int) -> None:
    data = seeds()
    for i in range(count):
        (target / f"host-{i:04d}.yaml").write_bytes(data[i % len(data)])


def best(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def ours_in_process(folder: Path) -> Callable[[], object]:
    from palette_tailscale.lint.report import lint_sources, render

    def run() -> object:
        report = lint_sources([str(folder)], read_stdin=lambda: b"")
        return render(report, "parsable")

    return run


def yamllint_in_process(folder: Path) -> Callable[[], object]:
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    config = YamlLintConfig("extends: default")
    files = sorted(folder.iterdir())

    def run() -> object:
        count = 0
        for path in files:
            text = path.read_text(encoding="utf-8")
            count += sum(1 for _ in linter.run(text, config, str(path)))
        return count

    return run


def command(*argv: str) -> Callable[[], object]:
    def run() -> object:
        return subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="pt-lint-bench-"))
    try:
        replicate(folder, args.files)
        ours_cli = shutil.which("palette-tailscale") or "palette-tailscale"
        theirs_cli = shutil.which("yamllint") or "yamllint"
        rows = [
            ("in-process", ours_in_process(folder), yamllint_in_process(folder)),
            (
                "CLI",
                command(ours_cli, "lint", "--format", "parsable", str(folder)),
                command(theirs_cli, "-f", "parsable", str(folder)),
            ),
        ]
        print(f"{args.files} files ({len(seeds())} distinct corpus files), best of {args.repeat}")
        for label, ours, theirs in rows:
            a, b = best(ours, args.repeat), best(theirs, args.repeat)
            print(
                f"{label:<11} palette-tailscale {args.files / a:8.0f} files/s   "
                f"yamllint {args.files / b:8.0f} files/s   ratio {b / a:5.2f}"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    raise SystemExit(main())
