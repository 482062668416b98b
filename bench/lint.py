"""Benchmark: palette-tailscale lint vs yamllint (default config) on 1,000 user-data files.

The corpus files that parse (../shared/corpus/user-data by default; ``--corpus all`` adds
user-data-2) are replicated to 1,000 files in a temporary directory. Both linters run in the
same process run, in-process (one call over the whole directory, as ``palette-tailscale lint
DIR`` does) and as their CLIs in a subprocess: palette-tailscale with ``--jobs 1`` (one process)
and with ``--jobs 0`` (one per core; the default for this many files). yamllint has no parallel
mode. Both CLIs are the console scripts installed beside the interpreter running this script.
Prints files/s for each, by wall clock and by CPU time (the CPU figure moves less when other
work shares the machine; for --jobs 0 it is the CPU of every worker), and the ratio
palette-tailscale / yamllint (> 1 means faster).

To compare with another version of the code (``--against ../old/src``), both versions are
loaded into one process and linted the corpus files in turn, many times, so that whatever else
runs on the machine weighs on both alike; the figure is CPU time per file, and the ratio is
this version's time over the other's (< 1 means faster).

    python bench/lint.py [--files N] [--repeat R] [--corpus user-data|user-data-2|all]
    python bench/lint.py --against ../old/src [--rounds N] [--corpus ...]
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
CORPORA = ROOT.parent / "shared" / "corpus"
CHOICES = {"user-data": ("user-data",), "user-data-2": ("user-data-2",),
           "all": ("user-data", "user-data-2")}  # fmt: skip


def seeds(corpus: str = "user-data") -> list[bytes]:
    """Corpus files that yaml parses (the invalid ones would favour whoever stops sooner)."""
    from palette_tailscale.errors import YamlError
    from palette_tailscale.yamlio import load

    found = []
    paths = [p for name in CHOICES[corpus] for p in sorted((CORPORA / name).glob("*.yaml"))]
    for path in paths:
        data = path.read_bytes()
        try:
            load(data.decode("utf-8"), path.name)
        except YamlError:
            continue
        found.append(data)
    return found


def replicate(target: Path, count: int, corpus: str) -> None:
    data = seeds(corpus)
    for i in range(count):
        (target / f"host-{i:04d}.yaml").write_bytes(data[i % len(data)])


def best(func: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The best wall-clock and the best CPU time (this process and its children) of ``repeat``."""
    walls, cpus = [], []
    for _ in range(repeat):
        before, start = os.times(), time.perf_counter()
        func()
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(sum(after[:4]) - sum(before[:4]))
    return min(walls), min(cpus)


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


def script(name: str) -> str:
    """The console script installed with this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name) or name


def command(*argv: str) -> Callable[[], object]:
    def run() -> object:
        return subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )

    return run


def against(other: Path, corpus: str, rounds: int) -> None:
    """Interleaved in-process CPU time of this version and the one under ``other``."""
    import importlib

    here = Path(importlib.import_module("palette_tailscale").__file__ or "").parent
    with tempfile.TemporaryDirectory(prefix="pt-lint-against-") as tmp:
        # Both trees under new names; the package imports itself relatively only.
        for name, tree in (("pt_other", other / "palette_tailscale"), ("pt_this", here)):
            shutil.copytree(tree, Path(tmp, name), ignore=shutil.ignore_patterns("__pycache__"))
        sys.path.insert(0, tmp)
        engines = {n: importlib.import_module(f"{n}.lint.engine") for n in ("pt_other", "pt_this")}
        data = seeds(corpus)
        times: dict[str, list[float]] = {n: [] for n in engines}
        for n in [*engines] * (rounds + 1):  # the first round warms up and is dropped
            start = time.process_time()
            for item in data:
                engines[n].lint_bytes(item, "host.yaml")
            times[n].append(time.process_time() - start)
    other_t, this_t = (sorted(times[n][1:]) for n in ("pt_other", "pt_this"))
    middle = rounds // 2
    print(f"{len(data)} distinct files of {corpus}, {rounds} interleaved rounds, CPU time")
    for label, values in (("other", other_t), ("this", this_t)):
        print(f"{label:<6} {len(data) / values[middle]:6.0f} files/s (median)   "
              f"{len(data) / values[0]:6.0f} files/s (best)")  # fmt: skip
    print(f"this/other time: median {this_t[middle] / other_t[middle]:.3f}, "
          f"best {this_t[0] / other_t[0]:.3f}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", choices=sorted(CHOICES), default="user-data")
    parser.add_argument("--against", type=Path, metavar="SRC", help="another version's src/")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    missing = [n for n in CHOICES[args.corpus] if not (CORPORA / n).is_dir()]
    if missing:
        print(f"corpus not found: {CORPORA / missing[0]}", file=sys.stderr)
        return 2
    if args.against:
        against(args.against, args.corpus, args.rounds)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="pt-lint-bench-"))
    try:
        replicate(folder, args.files, args.corpus)
        ours_cli, theirs_cli = script("palette-tailscale"), script("yamllint")
        theirs = command(theirs_cli, "-f", "parsable", str(folder))
        lint = (ours_cli, "lint", "--format", "parsable")
        rows = [
            ("in-process", ours_in_process(folder), yamllint_in_process(folder)),
            ("CLI --jobs 1", command(*lint, "--jobs", "1", str(folder)), theirs),
            (f"CLI --jobs 0 ({os.cpu_count()} cores)", command(*lint, str(folder)), theirs),
        ]
        distinct = len(seeds(args.corpus))
        print(f"{args.files} files ({distinct} distinct of {args.corpus}), best of {args.repeat}")
        for label, ours, other in rows:
            (a, a_cpu), (b, b_cpu) = best(ours, args.repeat), best(other, args.repeat)
            n = args.files
            print(
                f"{label:<22} palette-tailscale {n / a:6.0f} files/s ({n / a_cpu:4.0f} CPU)   "
                f"yamllint {n / b:6.0f} files/s ({n / b_cpu:4.0f} CPU)   ratio {b / a:5.2f}"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    raise SystemExit(main())
