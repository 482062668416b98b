"""``completion``: print the shell completion script (bash, zsh or fish)."""

from __future__ import annotations

import click
from click.shell_completion import CompletionItem, FishComplete, add_completion_class

SHELLS = ("bash", "zsh", "fish")
PROG = "palette-tailscale"
COMPLETE_VAR = "_PALETTE_TAILSCALE_COMPLETE"

# fish's script and its answer format are ours, not click's: click 8.4.0 writes a script that
# fish cannot parse (a bare newline inside `string split`), and the format has changed between
# click releases. One "type,value<TAB>help" line per candidate; help on one line.
_FISH_SOURCE = """\
function %(complete_func)s;
    set -l response (env %(complete_var)s=fish_complete COMP_WORDS=(commandline -cp) \
COMP_CWORD=(commandline -t) %(prog_name)s);

    for completion in $response;
        set -l metadata (string split -m 1 "," -- $completion);

        if test "$metadata[1]" = "dir";
            __fish_complete_directories "$metadata[2]";
        else if test "$metadata[1]" = "file";
            __fish_complete_path "$metadata[2]";
        else if test "$metadata[1]" = "plain";
            echo $metadata[2];
        end;
    end;
end;

complete --no-files --command %(prog_name)s --arguments "(%(complete_func)s)";
"""


class FishCompletion(FishComplete):
    """fish completion with a script and answer format that do not depend on click's release."""

    source_template = _FISH_SOURCE

    def format_completion(self, item: CompletionItem) -> str:
        line = f"{item.type},{item.value}"
        if item.help:
            line += "\t" + " ".join(item.help.split())
        return line


def register() -> None:
    """Make ``fish`` mean :class:`FishCompletion`, for the script and for the answers."""
    add_completion_class(FishCompletion, "fish")


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

    register()
    completer = get_completion_class(shell)
    assert completer is not None  # every shell of SHELLS is one click knows
    click.echo(completer(cli, {}, PROG, COMPLETE_VAR).source())
    return 0
