"""The pinned real programs of the end-to-end tier: where they live, and how they are built.

``tools.ini`` pins each tool (module, version, go.sum hash, main packages, replaces). A tool is
built once, with the local Go toolchain, into a cache outside the work tree; the tests only look
it up. ``scripts/e2e-tools`` is the command-line face of :func:`main`.

Every tool is built from a small wrapper module made in a temporary directory, never with
``go install MODULE@VERSION``: yip's go.mod carries a ``replace`` that ``go install`` refuses, and
``go install`` also asks the proxy for the module's version list (to report deprecations), which
a proxy mirror may refuse. The wrapper takes the module's own go.sum, so every dependency is
checked against the hashes its authors recorded; the module itself is checked against ``sum``.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PINS = Path(__file__).with_name("tools.ini")


@dataclass(frozen=True)
class Tool:
    name: str
    module: str
    version: str
    sum: str
    packages: tuple[tuple[str, str], ...]  # (import path, binary name)
    replaces: tuple[str, ...]

    @property
    def home(self) -> Path:
        return cache_root() / f"{self.name}-{self.version}"

    @property
    def bin_dir(self) -> Path:
        return self.home / "bin"

    def binary(self, name: str | None = None) -> Path:
        return self.bin_dir / (name or self.packages[0][1])

    def built(self) -> bool:
        return all((self.bin_dir / binary).is_file() for _, binary in self.packages)


def cache_root() -> Path:
    if os.environ.get("PT_E2E_CACHE"):
        return Path(os.environ["PT_E2E_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "palette-tailscale" / "e2e"


def load(path: Path = PINS) -> dict[str, Tool]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    tools = {}
    for name in parser.sections():
        section = parser[name]
        packages = []
        for item in section["packages"].split():
            import_path, _, binary = item.partition("=")
            packages.append((import_path, binary or import_path.rsplit("/", 1)[-1]))
        replaces = tuple(line.strip() for line in section.get("replace", "").splitlines())
        tools[name] = Tool(
            name=name,
            module=section["module"],
            version=section["version"],
            sum=section["sum"],
            packages=tuple(packages),
            replaces=tuple(r for r in replaces if r),
        )
    return tools


class BuildError(Exception):
    pass


def go_env(module: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GOTOOLCHAIN="local",
        CGO_ENABLED="0",
        GOFLAGS="-mod=mod",
        # The module's own hash is checked against the pin below, its dependencies against the
        # module's go.sum; the checksum database is asked only for what neither covers.
        GONOSUMDB=module,
        GONOSUMCHECK="1",
    )
    return env


def run_go(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(
        ["go", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise BuildError(f"go {' '.join(args)} failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


def go_directive(go_mod: Path) -> str:
    for line in go_mod.read_text().splitlines():
        if line.startswith("go "):
            return line.split()[1]
    return "1.21"


def build(tool: Tool) -> float:
    """Build ``tool`` into its cache folder; returns the seconds it took."""
    if shutil.which("go") is None:
        raise BuildError("go is not on PATH: install Go to build the end-to-end tools")
    started = time.monotonic()
    env = go_env(tool.module)
    with tempfile.TemporaryDirectory(prefix=f"pt-e2e-{tool.name}-") as tmp:
        work = Path(tmp)
        (work / "go.mod").write_text("module ptwrap\n\ngo 1.21\n")
        info = json.loads(
            run_go(["mod", "download", "-json", f"{tool.module}@{tool.version}"], work, env)
        )
        if info.get("Sum") != tool.sum:
            raise BuildError(
                f"{tool.module}@{tool.version}: hash {info.get('Sum')} does not match the pin "
                f"{tool.sum} in {PINS.name}"
            )
        lines = [
            "module ptwrap",
            "",
            f"go {go_directive(Path(info['GoMod']))}",
            "",
            f"require {tool.module} {tool.version}",
        ]
        lines += [f"replace {r}" for r in tool.replaces]
        (work / "go.mod").write_text("\n".join(lines) + "\n")
        module_sum = Path(info["Dir"]) / "go.sum"
        if module_sum.is_file():
            (work / "go.sum").write_text(module_sum.read_text())
        staging = tool.home.with_name(tool.home.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "bin").mkdir(parents=True)
        for import_path, binary in tool.packages:
            run_go(
                ["build", "-trimpath", "-o", str(staging / "bin" / binary), import_path], work, env
            )
        shutil.rmtree(tool.home, ignore_errors=True)
        staging.rename(tool.home)
    return time.monotonic() - started


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/e2e-tools",
        description="Build the pinned real tools of the end-to-end tier (once; cached).",
    )
    parser.add_argument("tools", nargs="*", help="tools to build (default: all in tools.ini)")
    parser.add_argument(
        "--check", action="store_true", help="only report; exit 1 if any is missing"
    )
    args = parser.parse_args(argv)
    tools = load()
    unknown = [name for name in args.tools if name not in tools]
    if unknown:
        parser.error(f"unknown tool(s): {', '.join(unknown)}; known: {', '.join(tools)}")
    chosen = [tools[name] for name in (args.tools or tools)]
    failed = 0
    total = 0.0
    for tool in chosen:
        label = f"{tool.name} {tool.version}"
        if tool.built():
            print(f"{label}: cached in {tool.bin_dir}")
            continue
        if args.check:
            print(f"{label}: missing (run scripts/e2e-tools)")
            failed += 1
            continue
        print(f"{label}: building ...", flush=True)
        try:
            seconds = build(tool)
        except BuildError as exc:
            print(f"{label}: FAILED: {exc}", file=sys.stderr)
            failed += 1
            continue
        total += seconds
        print(f"{label}: built in {seconds:.0f} s into {tool.bin_dir}", flush=True)
    root = cache_root()
    if root.is_dir():
        print(f"cache {root}: {size(root) / 2**20:.0f} MiB; built now in {total:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
