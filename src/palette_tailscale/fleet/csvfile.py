"""Hosts from a CSV inventory: a header row, then one host per row.

Columns: ``name`` (required), ``serial`` or ``uuid``, ``site``, ``tags`` (separated by spaces,
semicolons or commas), ``project`` (the host's Palette project) and ``palette_tag.KEY`` (one
column per Palette tag ``KEY``). Blank lines and lines starting with ``#`` are skipped. Positions
are ``file:LINE:FIELD``: the file's line number and the 1-based index of the column.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from typing import Any, Final

from ..errors import InputError, Mark, Problems

PALETTE_TAG_PREFIX: Final = "palette_tag."
_FIXED: Final = {
    "name": ("name",),
    "serial": ("serial",),
    "uuid": ("serial",),
    "site": ("site",),
    "tags": ("tags",),
    "project": ("palette", "project"),
}
_TAG_SPLIT_RE: Final = re.compile(r"[\s;,]+")

MarkOf = Callable[[tuple[Any, ...]], Mark]


def read_csv_hosts(
    text: str, path: str, problems: Problems | None = None
) -> list[tuple[dict[str, Any], MarkOf]]:
    """Each data row as ``(host data, mark_of)``; raises :class:`InputError` with a position.

    Bad rows go to ``problems`` when given (the caller reports them with its own findings).
    """
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    header: list[tuple[str, ...]] | None = None
    header_line = 1
    hosts: list[tuple[dict[str, Any], MarkOf]] = []
    mine = problems is None
    problems = Problems() if problems is None else problems  # every bad row, not the first
    try:
        for row in reader:
            line = reader.line_num
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            if header is None:
                header, header_line = _header(row, path, line), line
                continue
            with problems.gather():
                hosts.append(_row(row, header, path, line, header_line))
    except csv.Error as exc:
        problems.add(InputError(f"invalid CSV: {exc}", mark=Mark(path, reader.line_num, 1)))
    if mine:
        problems.check()
    if header is None:
        raise InputError("the CSV inventory has no header row", mark=Mark(path, 1, 1))
    return hosts


def _header(row: list[str], path: str, line: int) -> list[tuple[str, ...]]:
    fields: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()  # a list's `in` made a header of 100,000 columns hang
    for index, cell in enumerate(row, start=1):
        name = cell.strip()
        target = _column_target(name, path, line, index)
        if target in seen:
            raise InputError(
                f"column {name!r} sets the same field as an earlier column",
                mark=Mark(path, line, index),
            )
        seen.add(target)
        fields.append(target)
    if ("name",) not in fields:
        raise InputError("the CSV inventory needs a `name` column", mark=Mark(path, line, 1))
    return fields


def _column_target(name: str, path: str, line: int, index: int) -> tuple[str, ...]:
    if name.lower() in _FIXED:
        return _FIXED[name.lower()]
    if name.lower().startswith(PALETTE_TAG_PREFIX):
        key = name[len(PALETTE_TAG_PREFIX) :]
        if not key:
            raise InputError(
                f"write the Palette tag's key after {PALETTE_TAG_PREFIX}",
                mark=Mark(path, line, index),
            )
        return ("palette", "tags", key)
    if not name:
        raise InputError("a column has no name", mark=Mark(path, line, index))
    return (name,)


def _row(
    row: list[str], header: list[tuple[str, ...]], path: str, line: int, header_line: int
) -> tuple[dict[str, Any], MarkOf]:
    if len(row) > len(header):
        raise InputError(
            f"this row has {len(row)} fields but the header has {len(header)}",
            mark=Mark(path, line, len(header) + 1),
        )
    data: dict[str, Any] = {}
    for target, cell in zip(header, row, strict=False):
        value = cell.strip()
        if not value:
            continue
        if target == ("tags",):
            data["tags"] = [tag for tag in _TAG_SPLIT_RE.split(value) if tag]
        elif target[0] == "palette":
            _set(data, target, value)
        else:
            data[target[0]] = value

    def mark_of(field_path: tuple[Any, ...]) -> Mark:
        return _mark(field_path, header, path, line, header_line)

    return data, mark_of


def _set(data: dict[str, Any], target: tuple[str, ...], value: str) -> None:
    node = data
    for part in target[:-1]:
        node = node.setdefault(part, {})
    node[target[-1]] = value


def _mark(
    field_path: tuple[Any, ...],
    header: list[tuple[str, ...]],
    path: str,
    line: int,
    header_line: int,
) -> Mark:
    if field_path[-1:] == ("<key>",):  # an unknown column: point at its header cell
        key = (field_path[0],)
        return Mark(path, header_line, header.index(key) + 1 if key in header else 1)
    for length in range(min(len(field_path), 3), 0, -1):
        probe = tuple(str(part) for part in field_path[:length])
        if probe in header:
            return Mark(path, line, header.index(probe) + 1)
    return Mark(path, line, 1)
