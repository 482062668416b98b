"""The fleet inventory: the config's inline ``hosts:`` or ``hosts: {from: PATH}`` (CSV or YAML).

Every host goes through the config's :class:`~palette_tailscale.config.models.Host` model, so an
inline host and a host in a file obey the same rules; then the whole inventory is checked (names
and serials unique) and each host's Tailscale hostname is made from ``tailscale.hostname``.

Errors name the place: ``file:line:col`` for YAML, ``file:LINE:FIELD`` for CSV, where LINE is the
file's line number and FIELD the 1-based index of the column (the CSV reader in :mod:`.csvfile`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..config import LoadedConfig
from ..config.load import MAX_INVENTORY_BYTES
from ..config.models import Host, HostsFrom
from ..errors import InputError, Mark, Problems, shown
from ..inputfile import read_limited
from ..kairos import is_valid_hostname
from .csvfile import read_csv_hosts
from .model import FleetHost, Inventory
from .yamlfile import read_yaml_hosts

# A located host: its raw data and how to find the position of any field path in it.
MarkOf = Callable[[tuple[Any, ...]], Mark]
RawHost = tuple[dict[str, Any], MarkOf]

KNOWN_KEYS = ("name", "serial", "site", "tags", "palette")


def load_inventory(loaded: LoadedConfig, *, strict: bool = False) -> Inventory:
    """Every host of the config's inventory, validated; raises :class:`InputError`."""
    hosts = loaded.config.hosts
    problems = Problems()
    if isinstance(hosts, HostsFrom):
        source, raw = _read_file(loaded, hosts, problems)
    else:
        source = loaded.path
        raw = [_inline(loaded, i, host) for i, host in enumerate(hosts)]
    warnings: list[str] = []
    built: list[tuple[FleetHost, MarkOf]] = []
    for data, mark_of in raw:
        with problems.gather():
            built.append((_build(loaded, data, mark_of, strict, warnings), mark_of))
    _check_unique(built, problems)
    problems.check()
    return Inventory(
        hosts=tuple(host for host, _ in built),
        source=source,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _inline(loaded: LoadedConfig, index: int, host: Host) -> RawHost:
    data = host.model_dump(exclude_unset=True)
    return data, lambda path: loaded.mark_of(("hosts", index, *path))


def _read_file(
    loaded: LoadedConfig, hosts: HostsFrom, problems: Problems
) -> tuple[str, list[RawHost]]:
    where = loaded.mark_of(("hosts", "from"))
    path = Path(hosts.from_).expanduser()
    path = path if path.is_absolute() else loaded.base_dir / path
    label = hosts.from_ if not Path(hosts.from_).is_absolute() else str(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise InputError(f"inventory {hosts.from_}: name a .csv, .yaml or .yml file", mark=where)
    raw = read_limited(path, limit=MAX_INVENTORY_BYTES, label=f"inventory {path}", mark=where)
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        raise InputError(f"inventory {path}: not UTF-8 text", mark=where) from None
    if suffix == ".csv":
        return label, read_csv_hosts(text, label, problems)
    return label, read_yaml_hosts(text, label, problems)


def _build(
    loaded: LoadedConfig, data: dict[str, Any], mark_of: MarkOf, strict: bool, warnings: list[str]
) -> FleetHost:
    try:
        host = Host.model_validate(data)
    except ValidationError as exc:
        raise _host_errors(exc, mark_of) from None
    problems = Problems()
    for key in host.model_extra or {}:
        with problems.gather():
            _unknown_key(key, mark_of((key, "<key>")), strict, warnings)
    problems.check()
    return FleetHost(
        name=host.name,
        hostname=_hostname(loaded.config.tailscale.hostname, host, mark_of(("name",))),
        serial=host.serial or None,
        site=host.site or None,
        tags=tuple(host.tags),
        project=host.palette.project or None,
        palette_tags=tuple(sorted(host.palette.tags.items())),
        mark=mark_of(()),
    )


def _host_errors(exc: ValidationError, mark_of: MarkOf) -> InputError:
    """Every field problem of one host, each at its position."""
    problems = Problems()
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "this host has no name" if loc == ("name",) else "this field is required"
        field = ".".join(shown(str(p)) for p in loc) or "host"
        problems.add(InputError(f"{field}: {message}", mark=mark_of(loc)))
    try:
        problems.check()
    except InputError as found:
        return found
    return InputError("this host is not valid", mark=mark_of(()))  # pragma: no cover


def _unknown_key(key: str, mark: Mark, strict: bool, warnings: list[str]) -> None:
    close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(KNOWN_KEYS)}"
    message = f"unknown host field {key!r} is ignored; {hint}"
    if strict:
        raise InputError(message, mark=mark)
    warnings.append(f"{mark}: {message}")


def _hostname(template: str, host: Host, mark: Mark) -> str:
    if "{site}" in template and not host.site:
        raise InputError(
            f"host {host.name!r} has no site, but tailscale.hostname {template!r} uses {{site}}",
            mark=mark,
        )
    hostname = template.replace("{name}", host.name).replace("{site}", host.site or "")
    if not is_valid_hostname(hostname):
        raise InputError(
            f"host {host.name!r}: tailscale.hostname {template!r} makes {hostname!r}, "
            "which is not a lowercase DNS label of at most 63 characters",
            mark=mark,
        )
    return hostname


def _check_unique(hosts: list[tuple[FleetHost, MarkOf]], problems: Problems) -> None:
    # The hostname is checked too: two hosts with one Tailscale name would be one device.
    twice: set[str] = set()
    for attribute, field in (("name", "name"), ("serial", "serial"), ("hostname", "name")):
        seen: dict[str, Mark] = {}
        for host, mark_of in hosts:
            value = getattr(host, attribute)
            if value is None:
                continue
            mark = mark_of((field,))
            if value in seen:
                if attribute == "name":
                    twice.add(host.name)
                elif attribute == "hostname" and host.name in twice:
                    continue  # follows from the duplicate name, already reported
                problems.add(
                    InputError(
                        f"{attribute} {value!r} appears twice (first at {seen[value]})", mark=mark
                    )
                )
                continue
            seen[value] = mark
