"""Run the mutants of the critical modules against their tests and report per module.

Every run happens in a scratch copy of the working tree (tracked and untracked files, ignored
ones left out), never in the tree itself, so an interrupted run leaves nothing mutated behind.
The copy gets an interpreter of its own: a bare virtual environment whose one ``.pth`` file puts
the copy's ``src`` first and then the developer's environment (for the dependencies), so tests
that run the CLI in a subprocess, with or without the parent's environment, import the mutant.

A mutant is *killed* when its tests fail or error, or when they do not end at all (see
``run_stage``); it *survives* when they pass, however slowly.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from queue import Queue
from typing import Protocol

from .mutants import Mutant, python_mutants, shell_mutants
from .targets import TARGETS, Target, find

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path("src") / "palette_tailscale"


@dataclass(slots=True)
class Result:
    mutant: Mutant
    outcome: str  # "killed", "timeout" (counts as killed) or "survived"
    seconds: float


@dataclass(slots=True)
class ModuleReport:
    path: str
    results: list[Result] = field(default_factory=list)
    baseline: float = 0.0
    carried: int = 0  # killed in an earlier full run (--recheck); tests only added since

    @property
    def generated(self) -> int:
        return len(self.results) + self.carried

    @property
    def killed(self) -> int:
        return self.carried + sum(r.outcome != "survived" for r in self.results)

    @property
    def survivors(self) -> list[Result]:
        return sorted(
            (r for r in self.results if r.outcome == "survived"), key=lambda r: r.mutant.start
        )

    @property
    def timeouts(self) -> list[Result]:
        return sorted(
            (r for r in self.results if r.outcome == "timeout"), key=lambda r: r.mutant.start
        )

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.generated if self.generated else 100.0


def mutants_of(target: Target, root: Path = REPO) -> list[Mutant]:
    path = root / PACKAGE / target.path
    text = path.read_text(encoding="utf-8")
    if target.path.endswith(".sh"):
        return shell_mutants(text, target.path)
    return python_mutants(text, target.path)


# ---------------------------------------------------------------------------------------------
# The scratch copy


class Scratch:
    """A copy of the working tree with an interpreter that imports the copy's package."""

    def __init__(self, base: Path, name: str) -> None:
        self.home = base / name
        self.tree = self.home / "repo"
        self.python = self.home / "venv" / "bin" / "python"
        self._copy_tree()
        self._make_interpreter()
        self._clock = 0

    def _copy_tree(self) -> None:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout.split(b"\0")
        for raw in filter(None, listed):
            rel = Path(os.fsdecode(raw))
            source = REPO / rel
            if source.is_file():
                (self.tree / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, self.tree / rel)
        shared = REPO.parent / "shared"
        if shared.exists():  # tests read ../shared beside the repository
            (self.home / "shared").symlink_to(shared)

    def _make_interpreter(self) -> None:
        venv = self.home / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        purelib = Path(sysconfig.get_paths()["purelib"])
        site = Path(
            subprocess.run(
                [
                    str(self.python),
                    "-c",
                    "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
        # The copy's src first; then the developer's site-packages with its .pth files (whose
        # editable entry for the real tree comes after the copy, so it is shadowed).
        (site / "000-mutation.pth").write_text(
            f"{self.tree / 'src'}\nimport site; site.addsitedir({str(purelib)!r})\n"
        )
        script = venv / "bin" / "palette-tailscale"
        script.write_text(
            f"#!{self.python}\nimport sys\nfrom palette_tailscale.cli.main import main\n"
            "sys.exit(main())\n"
        )
        script.chmod(0o755)

    def file(self, target: Target) -> Path:
        return self.tree / PACKAGE / target.path

    @contextmanager
    def mutated(self, target: Target, mutant: Mutant | None) -> Iterator[None]:
        """The target file holds the mutant inside the block, and its own text after it."""
        path = self.file(target)
        original = path.read_bytes()
        stat = path.stat()
        if mutant is not None:
            path.write_text(mutant.apply(original.decode("utf-8")), encoding="utf-8")
            # A distinct modification time per mutant: Python's bytecode cache compares the
            # source's whole-second mtime and size, which a same-length edit would not change.
            self._clock += 1
            os.utime(path, (stat.st_atime, stat.st_mtime + 1000 + self._clock))
        try:
            yield
        finally:
            path.write_bytes(original)
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    def run_tests(self, tests: Sequence[str], timeout: float | None) -> tuple[str, float]:
        """Run pytest on ``tests``: ("passed" | "failed" | "timeout", seconds)."""
        env = {
            **os.environ,
            "PATH": f"{self.python.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        env.pop("PYTHONPATH", None)
        command = [str(self.python), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
        command += ["--no-header", "--tb=no", *tests]
        started = time.monotonic()
        proc = subprocess.Popen(
            command,
            cwd=self.tree,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = None if timeout is None else started + timeout
        try:
            while (code := proc.poll()) is None:
                if _stopping.is_set():
                    raise KeyboardInterrupt
                if deadline is not None and time.monotonic() > deadline:
                    return "timeout", time.monotonic() - started
                time.sleep(0.05)
        finally:
            if proc.poll() is None:  # timed out or interrupted: leave no test run behind
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        return ("passed" if code == 0 else "failed"), time.monotonic() - started


# ---------------------------------------------------------------------------------------------
# Running


def existing_tests(target: Target, root: Path = REPO) -> list[str]:
    return [t for t in target.tests if (root / t.split("::")[0]).exists()]


def stages(tests: Sequence[str]) -> list[list[str]]:
    """The closest tests alone first (most mutants die there, and collecting the rest costs
    seconds per mutant), then the others without them."""
    if len(tests) < 2:
        return [list(tests)]
    first, rest = tests[0], list(tests[1:])
    return [[first], [*rest, "--ignore", first] if first.endswith(".py") else rest]


def limit(baseline: float) -> float:
    """When a stage looks hung: three times its unmutated run, plus a margin."""
    return 3 * baseline + 30


def ceiling(baseline: float) -> float:
    """What no correct run of a stage reaches, even on a machine loaded by others."""
    return 10 * baseline + 120


class Runs(Protocol):
    def run_tests(self, tests: Sequence[str], timeout: float | None) -> tuple[str, float]: ...


def run_stage(scratch: Runs, stage: Sequence[str], baseline: float) -> tuple[str, float]:
    """One stage of tests on a mutant: ("passed" | "failed" | "timeout", seconds).

    A stage stopped at ``limit`` is run once more up to ``ceiling``: others' work on the machine
    can slow a correct run past the limit, and a slow pass is a pass (the mutant survives). Only
    a run stopped at the ceiling too is a timeout, counted as killed and listed in the report."""
    outcome, seconds = scratch.run_tests(stage, limit(baseline))
    if outcome != "timeout":
        return outcome, seconds
    outcome, again = scratch.run_tests(stage, ceiling(baseline))
    return outcome, seconds + again


def run_target(
    target: Target,
    scratches: Sequence[Scratch],
    *,
    mutants: Sequence[Mutant],
    progress: Callable[[str], None],
) -> ModuleReport:
    report = ModuleReport(target.path)
    plan = stages(existing_tests(target))
    baselines: list[float] = []
    with scratches[0].mutated(target, None):
        for stage in plan:
            outcome, seconds = scratches[0].run_tests(stage, None)
            if outcome != "passed":
                raise SystemExit(f"{target.path}: tests fail without any mutant: {' '.join(stage)}")
            report.baseline += seconds
            baselines.append(seconds)
    free: Queue[Scratch] = Queue()
    for scratch in scratches:
        free.put(scratch)
    lock = threading.Lock()

    def one(mutant: Mutant) -> Result:
        scratch = free.get()
        took = 0.0
        outcome = "passed"
        try:
            with scratch.mutated(target, mutant):
                for stage, baseline in zip(plan, baselines, strict=True):
                    outcome, seconds = run_stage(scratch, stage, baseline)
                    took += seconds
                    if outcome != "passed":
                        break
        finally:
            free.put(scratch)
        verdict = {"passed": "survived", "failed": "killed"}.get(outcome, outcome)
        result = Result(mutant, verdict, took)
        with lock:
            report.results.append(result)
            progress(
                f"[{len(report.results)}/{len(mutants)}] {target.path}:{mutant.line}:{mutant.col} "
                f"{mutant.change}: {result.outcome} ({took:.1f}s)"
            )
        return result

    pool = ThreadPoolExecutor(max_workers=len(scratches))
    try:
        for future in [pool.submit(one, mutant) for mutant in mutants]:
            future.result()
    finally:
        # Interrupted: drop the queued mutants; the running ones end with their test runs.
        _stopping.set()
        pool.shutdown(wait=True, cancel_futures=True)
        _stopping.clear()
    return report


_stopping = threading.Event()


# ---------------------------------------------------------------------------------------------
# Reporting


def format_report(reports: Sequence[ModuleReport]) -> str:
    width = max([len("module"), *(len(r.path) for r in reports)])
    lines = [f"{'module':<{width}}  generated  killed  survived   score"]
    for r in reports:
        lines.append(
            f"{r.path:<{width}}  {r.generated:>9}  {r.killed:>6}  {len(r.survivors):>8}"
            f"  {r.score:5.1f}%"
        )
    for r in reports:
        if r.survivors:
            lines += ["", f"survivors in {r.path}:"]
            lines += [
                f"  {r.path}:{s.mutant.line}:{s.mutant.col}: {s.mutant.change}" for s in r.survivors
            ]
        if r.timeouts:
            lines += ["", f"killed by a timeout (tests still running at the ceiling) in {r.path}:"]
            lines += [
                f"  {r.path}:{t.mutant.line}:{t.mutant.col}: {t.mutant.change}" for t in r.timeouts
            ]
    return "\n".join(lines) + "\n"


def to_json(reports: Sequence[ModuleReport]) -> str:
    data = [
        {
            "module": r.path,
            "generated": r.generated,
            "killed": r.killed,
            "survived": len(r.survivors),
            "score": round(r.score, 1),
            "baseline_seconds": round(r.baseline, 1),
            "survivors": [
                {"line": s.mutant.line, "change": s.mutant.change, **asdict(s.mutant)}
                for s in r.survivors
            ],
            "timeouts": [
                {"line": t.mutant.line, "change": t.mutant.change, **asdict(t.mutant)}
                for t in r.timeouts
            ],
        }
        for r in reports
    ]
    return json.dumps(data, indent=2) + "\n"


def diff(mutant: Mutant, root: Path = REPO) -> str:
    path = root / PACKAGE / mutant.path
    text = path.read_text(encoding="utf-8")
    return "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            mutant.apply(text).splitlines(keepends=True),
            f"a/{mutant.path}",
            f"b/{mutant.path}",
        )
    )


# ---------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/mutate",
        description="Mutation testing of the critical modules: does a test notice each break?",
    )
    parser.add_argument(
        "modules", nargs="*", help="modules to mutate (default: every critical module)"
    )
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--targets", action="store_true", help="list the critical modules")
    parser.add_argument("--show", metavar="N", type=int, help="print mutant N's diff (see --list)")
    parser.add_argument(
        "--lines",
        metavar="A-B,C",
        help="only mutants on lines A to B, and C (a quick look, not a report)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the report as JSON")
    parser.add_argument(
        "--recheck",
        metavar="FILE",
        type=Path,
        help="run only the survivors of an earlier --json report and merge the counts (valid"
        " while only tests were added since: a killed mutant stays killed)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # A plain `kill` unwinds like Ctrl-C: the scratch copies are removed on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.targets:
        for target in TARGETS:
            print(f"{target.path:<45} {target.why}")
        return 0
    try:
        targets = [find(name) for name in args.modules] if args.modules else list(TARGETS)
    except KeyError as exc:
        print(f"scripts/mutate: {exc.args[0]} is not a critical module (see --targets)")
        return 2
    selected = {t.path: _select(mutants_of(t), args.lines) for t in targets}
    carried: dict[str, int] = {}
    if args.recheck:
        targets, selected, carried = _recheck(args.recheck)
    if args.list or args.show is not None:
        return _list(targets, selected, args.show)
    with tempfile.TemporaryDirectory(prefix="pt-mutate-") as base:
        scratches = [Scratch(Path(base), f"w{i}") for i in range(max(1, args.jobs))]
        reports = []
        for target in targets:
            report = run_target(
                target, scratches, mutants=selected[target.path], progress=_progress
            )
            report.carried = carried.get(target.path, 0)
            reports.append(report)
    text = format_report(reports)
    print(text, end="")
    if args.json:
        args.json.write_text(to_json(reports))
    return 0 if all(not r.survivors for r in reports) else 1


def _recheck(
    path: Path,
) -> tuple[list[Target], dict[str, list[Mutant]], dict[str, int]]:
    """The survivors recorded in an earlier report, found again among today's mutants."""
    targets, selected, carried = [], {}, {}
    for entry in json.loads(path.read_text()):
        target = find(entry["module"])
        now = {(m.start, m.end, m.replacement): m for m in mutants_of(target)}
        if len(now) != entry["generated"]:
            raise SystemExit(f"{target.path} changed since {path}: run it in full")
        keys = [(s["start"], s["end"], s["replacement"]) for s in entry["survivors"]]
        if any(key not in now for key in keys):
            raise SystemExit(f"{target.path} changed since {path}: run it in full")
        targets.append(target)
        selected[target.path] = [now[key] for key in keys]
        carried[target.path] = entry["killed"]
    return targets, selected, carried


def _select(mutants: list[Mutant], lines: str | None) -> list[Mutant]:
    """The mutants on ``lines``: ``A-B``, or several such ranges and lines: ``40,48,90-95``."""
    if not lines:
        return mutants
    spans = []
    for part in lines.split(","):
        first, _, last = part.partition("-")
        spans.append((int(first), int(last or first)))
    return [m for m in mutants if any(low <= m.line <= high for low, high in spans)]


def _list(targets: Sequence[Target], selected: dict[str, list[Mutant]], show: int | None) -> int:
    number = 0
    for target in targets:
        for mutant in selected[target.path]:
            number += 1
            if show is None:
                print(f"{number:4d} {target.path}:{mutant.line}:{mutant.col}: {mutant.change}")
            elif show == number:
                print(diff(mutant), end="")
                return 0
    return 0 if show is None else 2


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
