"""``palette-tailscale fleet``: per-host site ISOs and keys from an inventory; who joined."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..config import LoadedConfig
from ..errors import error_line
from ..fleet import keyhistory, keystate, rekey
from ..fleet import report as output
from ..fleet.model import FleetHost
from ..fleet.palette_join import PALETTE_FILTERS
from ..fleet.parallel import default_jobs
from ..fleet.provision import (
    DEFAULT_CONCURRENCY,
    HostOutcome,
    ProvisionOptions,
    ProvisionResult,
    provision,
)
from ..fleet.render import RenderedHost, render_fleet, render_key
from ..fleet.status import STATES
from ..fleet.unused import check_journal, revoke_unused
from .common import (
    api_flag_options,
    config_options,
    format_option,
    load_config,
    print_json,
    use_color,
)
from .fleet_field_cmd import flash_cmd, inspect_cmd, manifest_cmd
from .fleet_options import (
    expiring_option,
    load_hosts,
    only_option,
    open_backend,
    out_option,
    state_option,
)
from .palette_common import (
    gate_token,
    open_palette,
    palette_flags,
    palette_options,
    token_check_options,
)

if TYPE_CHECKING:
    from ..fleet.palette_register import Registrar
    from ..palette import PaletteFlags


@contextlib.contextmanager
def _progress(total: int, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A progress bar on a terminal (stderr); plain lines on stdout otherwise (none when
    ``quiet``: stdout is for the JSON then)."""
    if not use_color(sys.stderr):
        yield (lambda line: None) if quiet else click.echo
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    columns = (TextColumn("provisioning"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("hosts", total=total)
        lock = threading.Lock()

        def advance(line: str) -> None:
            with lock:
                bar.console.print(line, markup=False, highlight=False)
                bar.advance(task)

        yield advance


@click.group()
def fleet() -> None:
    """Per-host site ISOs and single-use keys from an inventory; which hosts joined.

    Each host gets DIR/hosts/NAME/user-data, meta-data and NAME.iso (a `cidata` ISO for the
    site USB stick).
    """


@fleet.command("render")
@config_options
@out_option
@only_option
@click.option(
    "--jobs",
    type=click.IntRange(0, 256),
    default=0,
    help="Worker processes [default: 0, one per core for large fleets].",
)
@format_option()
@token_check_options
@click.option(
    "--force",
    is_flag=True,
    help="Replace hosts whose files carry a key `fleet provision` minted.",
)
def render_cmd(
    config_path: str | None,
    example: bool,
    strict: bool,
    out_dir: Path,
    only: tuple[str, ...],
    jobs: int,
    fmt: str,
    palette_url: str | None,
    palette_api_key_file: str | None,
    no_token_check: bool,
    force: bool,
) -> int:
    """Write every host's site user-data and ISO, with the config's key (no tailnet API).

    Hosts that `fleet provision` gave keys of their own are left alone (exit 2, naming them)
    unless --force.
    """
    loaded = load_config(config_path, example, strict)
    hosts = load_hosts(loaded, strict, only)
    gate_token(loaded, palette_flags(palette_url, palette_api_key_file), skip=no_token_check)
    key = render_key(loaded)
    if key.notice:
        click.echo(f"palette-tailscale: NOTICE: {key.notice}", err=True)

    def report(done: RenderedHost) -> None:
        if fmt != "json":
            click.echo(f"rendered {done.name}: {output.host_files(out_dir, done.name)}")

    jobs = jobs or default_jobs(len(hosts))
    rendered = render_fleet(loaded, hosts, out_dir, key, on_host=report, jobs=jobs, force=force)
    if fmt == "json":
        print_json(output.render_json(out_dir, [r.name for r in rendered]))
        return 0
    click.echo(f"{len(rendered)} host{'s' if len(rendered) != 1 else ''} written to {out_dir}")
    return 0


@fleet.command("provision")
@config_options
@api_flag_options
@out_option
@only_option
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Keys minted at the same time.",
)
@click.option(
    "--rotate", is_flag=True, help="Mint new keys for the selected hosts; revoke the old ones."
)
@state_option(
    ("expired", "expiring"),
    "With --rotate: only hosts whose key is in this state (repeatable).",
)
@expiring_option
@click.option(
    "--palette", "palette_register", is_flag=True, help="Also pre-register every host in Palette."
)
@format_option()
@token_check_options
def provision_cmd(
    config_path: str | None,
    example: bool,
    strict: bool,
    out_dir: Path,
    only: tuple[str, ...],
    concurrency: int,
    rotate: bool,
    wanted: tuple[str, ...],
    expiring: timedelta,
    palette_register: bool,
    fmt: str,
    palette_url: str | None,
    palette_api_key_file: str | None,
    no_token_check: bool,
    **api: Any,
) -> int:
    """Mint a single-use key per host and write its site user-data and ISO (resumable).

    With --format json, stdout holds one JSON object at the end (each host's outcome, the
    counts, the keys revoked, the sticks to re-flash, and with --palette the registrations).
    """
    if wanted and not rotate:
        raise click.UsageError("--state chooses the hosts to re-mint: give it with --rotate")
    loaded = load_config(config_path, example, strict)
    hosts = load_hosts(loaded, strict, only)
    before = keyhistory.read_histories(out_dir) or {}
    pflags = palette_flags(palette_url, palette_api_key_file)
    gate_token(loaded, pflags, skip=no_token_check)
    with contextlib.ExitStack() as stack:
        registrar = _registrar(loaded, pflags, hosts, stack) if palette_register else None
        backend = open_backend(loaded, api)
        stack.callback(backend.close)
        if wanted:
            now = datetime.now(timezone.utc)
            hosts = rekey.hosts_in_states(hosts, backend, out_dir, now, wanted, expiring=expiring)
            if not hosts:
                if fmt == "json":
                    print_json(output.provision_json(ProvisionResult((), ())))
                else:
                    click.echo(f"no host has a key that is {' or '.join(wanted)}")
                return 0
            if registrar is not None:
                registrar.restrict(hosts)
        options = ProvisionOptions(out_dir=out_dir, concurrency=concurrency, rotate=rotate)
        with _progress(len(hosts), quiet=fmt == "json") as advance:

            def report(outcome: HostOutcome) -> None:
                advance(output.outcome_line(outcome, out_dir))

            result = provision(loaded, hosts, backend, options, on_host=report)
        reflash = [
            (name, rekey.iso_path(out_dir, name))
            for name in rekey.sticks_to_reflash(before, result.outcomes)
        ]
        if fmt != "json":
            click.echo(output.provision_summary(result))
            for name, iso in reflash:
                click.echo(f"re-flash the stick of {name}: {iso}")
        for failure in result.failed:
            if not (result.stopped and failure.unreachable):  # the stop line says it once
                click.echo(error_line(f"{failure.name}: {failure.message}"), err=True)
        if result.stopped:
            click.echo(error_line(result.stopped), err=True)
        failed = bool(result.failed or result.skipped)
        data = output.provision_json(result, reflash)
        if registrar is not None:
            from .fleet_palette import preregister, registrations_json

            echo = (lambda line: None) if fmt == "json" else click.echo
            done = preregister(registrar, out_dir, concurrency, echo, summary=fmt != "json")
            failed = failed or any(d.action == "failed" for d in done)
            data["palette"] = registrations_json(done)
        if fmt == "json":
            print_json(data)
    return 1 if failed else 0


def _registrar(
    loaded: LoadedConfig,
    pflags: PaletteFlags,
    hosts: tuple[FleetHost, ...],
    stack: contextlib.ExitStack,
) -> Registrar:
    """The Palette registrar of ``--palette``, before the tailnet is asked anything: no key,
    or an unknown project (every one is looked up now), stops the run before any change."""
    from ..fleet.palette_register import Registrar

    client = open_palette(loaded, pflags, required=True)
    assert client is not None
    stack.callback(client.close)
    return Registrar(client, hosts, arch=loaded.config.canvos.arch)


@fleet.command("status")
@config_options
@api_flag_options
@out_option
@format_option()
@state_option(
    STATES + keystate.KEY_STATES + PALETTE_FILTERS,
    "Show only hosts in this state, whose key is, or whose Palette view is (repeatable).",
)
@expiring_option
@click.option(
    "--check-keys",
    is_flag=True,
    help="Ask the API about every live key (one read per key) to find keys revoked or used.",
)
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 even when hosts are missing (on either side) or duplicated.",
)
@palette_options
def status_cmd(
    config_path: str | None,
    example: bool,
    strict: bool,
    out_dir: Path,
    fmt: str,
    wanted: tuple[str, ...],
    expiring: timedelta,
    check_keys: bool,
    exit_zero: bool,
    palette_url: str | None,
    palette_api_key_file: str | None,
    **api: Any,
) -> int:
    """Which hosts joined (online, offline), which are missing or duplicated, and strangers.

    With a journal in the output directory, also where each host's key stands: valid,
    expiring, expired, revoked, or used. With a Palette API key, each host's edge host too
    (registered, health, heartbeat, cluster, or missing), and the hosts known to one side only.
    """
    loaded = load_config(config_path, example, strict)
    hosts = load_hosts(loaded, strict, ())
    found = keyhistory.read_histories(out_dir)
    with contextlib.ExitStack() as stack:
        client = open_palette(
            loaded, palette_flags(palette_url, palette_api_key_file), required=False
        )
        if client is not None:
            stack.callback(client.close)
        elif asked := [s for s in wanted if s in PALETTE_FILTERS]:
            raise click.UsageError(
                f"--state {asked[0]} selects by Palette's view, which needs a Palette API key"
            )
        backend = open_backend(loaded, api)
        stack.callback(backend.close)
        from . import fleet_palette

        status, palette_view = fleet_palette.read_status(loaded, hosts, backend, client)
        joins: list[output.StatusJoin] = []
        if found is not None:
            checker = backend if check_keys else None
            keys = keystate.status_keys(status, found, expiring=expiring, backend=checker)
            joins.append(keystate.KeyColumns(keys))
        if palette_view is not None:
            joins.append(palette_view)
    if fmt == "json":
        print_json(output.status_json(status, joins, wanted))
    else:
        palette = palette_view is not None
        click.echo(fleet_palette.status_text(status, joins, wanted, palette=palette))
    return 0 if output.status_healthy(status, joins) or exit_zero else 1


@fleet.command("revoke-unused")
@config_options
@api_flag_options
@out_option
@only_option
@click.option("--yes", is_flag=True, help="Revoke (without it, only list what would be revoked).")
@format_option()
def revoke_unused_cmd(
    config_path: str | None,
    example: bool,
    strict: bool,
    out_dir: Path,
    only: tuple[str, ...],
    yes: bool,
    fmt: str,
    **api: Any,
) -> int:
    """Revoke the keys of hosts that never joined (no device with their hostname)."""
    loaded = load_config(config_path, example, strict)
    hosts = load_hosts(loaded, strict, only)
    check_journal(out_dir)
    backend = open_backend(loaded, api)
    try:
        unused = revoke_unused(hosts, backend, out_dir, datetime.now(timezone.utc), apply=yes)
    finally:
        backend.close()
    if fmt == "json":
        print_json(output.unused_json(unused, yes))
        return 0
    verb = "revoked" if yes else "would revoke"
    for item in unused:
        click.echo(f"{verb} {item.key_id} of {item.host} (expires {item.expires})")
    click.echo(output.unused_summary(len(unused), yes))
    return 0


for _command in (manifest_cmd, inspect_cmd, flash_cmd):
    fleet.add_command(_command)
