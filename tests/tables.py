"""Reading back the one table style of the CLI (``palette_tailscale.table``) in tests."""

from __future__ import annotations


def parse(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of the table starting at ``lines[0]`` (up to a blank line)."""
    assert set(lines[1]) <= {"-", "+"}, lines[1]
    header = [cell.strip() for cell in lines[0].split("|")]
    rows = []
    for line in lines[2:]:
        if not line:
            break
        rows.append([cell.strip() for cell in line.split("|")])
    return header, rows


def by_first(lines: list[str]) -> dict[str, list[str]]:
    """The rows of the table at ``lines[0]``, by their first cell."""
    return {row[0]: row for row in parse(lines)[1]}
