"""``fleet manifest``: one row per host for the people who write, label and carry the sticks.

Each row: the host's name, serial, site and Palette project (from the inventory), its ISO's
path and sha256 (hashed from the disk: the manifest describes what will be written), a short
check code (the sha256's first 8 hex digits, for a label; ``sha256sum`` shows the same
digits), and from the journal the key id and its expiry ("use before"). Never a key.

The key columns are filled only when the ISO on disk is the one the journal recorded for the
host's current key; otherwise the row says nothing of a key, and a problem says why.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Final

from ..times import utc_text
from .keyhistory import KeyHistory
from .medium import file_sha256
from .model import FleetHost
from .rekey import iso_path

FIELDS: Final = (
    "name",
    "serial",
    "site",
    "project",
    "iso",
    "iso_sha256",
    "check",
    "key_id",
    "use_before",
)
CHECK_DIGITS: Final = 8


@dataclass(frozen=True, slots=True)
class ManifestRow:
    name: str
    serial: str | None
    site: str | None
    project: str | None
    iso: str
    iso_sha256: str | None  # None: no ISO on disk
    check: str | None
    key_id: str | None
    use_before: str | None


@dataclass(frozen=True, slots=True)
class Manifest:
    rows: tuple[ManifestRow, ...]
    problems: tuple[str, ...]  # hosts whose stick would not work as listed


def build_manifest(
    hosts: tuple[FleetHost, ...],
    out_dir: Path,
    found: Mapping[str, KeyHistory] | None,
    now: datetime,
) -> Manifest:
    """Every host's row (inventory order); ISOs are hashed on a few threads."""
    paths = [iso_path(out_dir, host.name) for host in hosts]
    workers = min(8, 2 * (os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        digests = list(pool.map(file_sha256, paths, chunksize=64))
    rows, problems = [], []
    for host, path, digest in zip(hosts, paths, digests, strict=True):
        row, problem = _row(host, path, digest, found, now)
        rows.append(row)
        if problem:
            problems.append(f"{host.name}: {problem}")
    return Manifest(tuple(rows), tuple(problems))


def _row(
    host: FleetHost,
    path: Path,
    digest: str | None,
    found: Mapping[str, KeyHistory] | None,
    now: datetime,
) -> tuple[ManifestRow, str | None]:
    row = ManifestRow(
        host.name,
        host.serial,
        host.site,
        host.project,
        str(path),
        digest,
        digest[:CHECK_DIGITS] if digest else None,
        None,
        None,
    )
    if digest is None:
        return row, f"no ISO at {path}: run `fleet provision`"
    if found is None:  # no journal: `fleet render` output, every host has the config's key
        return row, None
    history = found.get(host.name)
    current = history.current if history else None
    if history is None or current is None:
        return row, "the journal has no key for this host: run `fleet provision`"
    if current.files.get("iso") != digest:
        return row, f"{path} is not the ISO the journal recorded: run `fleet provision`"
    keyed = replace(row, key_id=current.key_id, use_before=utc_text(current.expires))
    if current.key_id in history.revoked:
        return keyed, f"its key {current.key_id} was revoked: run `fleet provision`"
    if current.expires <= now:
        return keyed, f"its key {current.key_id} expired: run `fleet provision`"
    return keyed, None


def manifest_csv(manifest: Manifest) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in manifest.rows:
        writer.writerow(["" if v is None else v for v in asdict(row).values()])
    return out.getvalue()


def manifest_json(manifest: Manifest) -> dict[str, object]:
    return {"hosts": [asdict(row) for row in manifest.rows]}
