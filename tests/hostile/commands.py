"""Every command of the CLI and every option it takes, found by walking the click tree.

A case is a command line where one parameter gets a hostile value and the rest stay sane (a good
config in the working directory, an API that refuses connections), so the hostile value is what
the command meets. Nothing here names a command's options by hand except :data:`REQUIRED`, the
arguments a command cannot run without; a command added to the CLI is found and covered as it
is (without an entry it meets its own usage error, still a case).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from palette_tailscale.cli.main import cli

# What a command needs besides the hostile value: positional arguments (by name), and options
# that keep it harmless (`build` never starts a real build here).
ARGUMENTS: dict[str, dict[str, str]] = {
    "keys revoke": {"key_ids": "kHOSTILE1CNTRL"},
    "devices rename": {"old": "edge-1", "new": "edge-2"},
    "devices tag": {"name": "edge-1"},
}
OPTIONS: dict[str, list[str]] = {
    "devices tag": ["--tag", "tag:edge"],
    "build": ["--canvos", "canvos", "--dry-run"],
}

CONFIG = """\
version: 1
palette:
  project: Default
tailscale:
  tags: [tag:edge]
  auth_key: {env: PT_HOSTILE_KEY}
hosts:
  - {name: edge-1, site: s1}
  - {name: edge-2, site: s2}
"""
MARKER = "########################### Add any other image customizations here ####################"


@dataclass(frozen=True)
class Param:
    command: str  # "fleet render"
    name: str  # the option as typed ("--config") or the argument's name
    kind: str  # "path", "text", "number" or "choice"
    is_argument: bool = False

    @property
    def id(self) -> str:
        return f"{self.command} {self.name}".replace(" ", "-").strip("-")


def leaf_commands() -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(cli)

    def walk(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            path = f"{prefix} {name}".strip()
            if isinstance(command, click.Group):
                yield from walk(command, path)
            else:
                yield path, command

    yield from walk(cli, "")


def params() -> list[Param]:
    """Every option and argument that takes a value, of every command."""
    found: list[Param] = []
    for path, command in leaf_commands():
        for param in command.params:
            if isinstance(param, click.Option) and (param.is_flag or param.count):
                continue
            name = param.opts[-1] if isinstance(param, click.Option) else str(param.name)
            found.append(
                Param(path, name, _kind(param.type), is_argument=isinstance(param, click.Argument))
            )
    return found


def _kind(kind: click.ParamType) -> str:
    if isinstance(kind, click.Path):
        return "path"
    if isinstance(kind, click.Choice):
        return "choice"
    if isinstance(kind, (click.types._NumberParamTypeBase, click.IntRange, click.FloatRange)):
        return "number"
    return "text"


def argv(param: Param, value: str) -> list[str]:
    """The command line with ``value`` for ``param``, everything else sane."""
    options = list(OPTIONS.get(param.command, []))
    if param.name in options:  # the hostile value replaces the sane one
        index = options.index(param.name)
        del options[index : index + 2]
    if not param.is_argument:
        options.append(f"{param.name}={value}")
    positional = dict(ARGUMENTS.get(param.command, {}))
    if param.is_argument:
        positional[param.name] = value
    tail = ["--", *positional.values()] if positional else []
    return [*param.command.split(), *options, *tail]


def prepare_workdir(workdir: Path) -> None:
    """A good config and a CanvOS checkout: what a sane run would find."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "palette-tailscale.yaml").write_text(CONFIG)
    checkout = workdir / "canvos"
    checkout.mkdir(exist_ok=True)
    (checkout / "Dockerfile").write_text(f"FROM scratch\n{MARKER}\n")
    script = checkout / "earthly.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
