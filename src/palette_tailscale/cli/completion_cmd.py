"""``completion``: print the shell completion script (bash, zsh or fish)."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")
PROG = "palette-tailscale"
COMPLETE_VAR = "_PALETTE_TAILSCALE_COMPLETE"


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> int:
    """Print the completion script for SHELL (bash, zsh or fish).

    \b
    Install it where the shell looks (see the README, "Shell completion"):
      bash: ~/.local/share/bash-completion/completions/palette-tailscale
      zsh:  a directory of your fpath, as _palette-tailscale
      fish: ~/.config/fish/completions/palette-tailscale.fish

    Or, for the current shell only: eval "$(palette-tailscale completion bash)".
    """
    from click.shell_completion import get_completion_class

    from .main import cli

    completer = get_completion_class(shell)
    assert completer is not None  # every shell of SHELLS is one click knows
    click.echo(completer(cli, {}, PROG, COMPLETE_VAR).source())
    return 0
