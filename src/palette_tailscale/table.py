"""The one table style of every command: rich's ``ASCII2`` box without outer edges.

    NAME   | STATE  | LAST SEEN
    -------+--------+---------------------
    edge-1 | online | now

rich draws every table on a terminal (bold header, rows to act on in red, long cells folded to
the terminal's width) and every table off a terminal up to :data:`RICH_ROWS` rows. rich takes
about a millisecond a row, so a fleet of ten thousand hosts would wait ten seconds for its
status; past that size the same text comes from :func:`_plain`, which a test holds to rich's
output byte for byte. Cells are made printable first: text from an API never reaches a terminal
as control characters.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Sequence
from typing import Final

RICH_ROWS: Final = 200
_CONTROL_RE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(cell: str) -> str:
    """``cell`` with control characters (escape sequences, line breaks) shown as ``?``."""
    return _CONTROL_RE.sub("?", cell)


def render(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    color: bool = False,
    width: int | None = None,
    emphasis: Collection[int] = (),
) -> str:
    """The table as text, lines without trailing blanks; ``emphasis`` indexes rows to stress.

    ``color`` is for a terminal of ``width`` columns: bold header, stressed rows in red, long
    cells folded. Without it the text is plain and never wrapped.
    """
    head = [printable(c) for c in columns]
    body = [[printable(c) for c in row] for row in rows]
    if len(body) > RICH_ROWS:
        return _styled(_plain(head, body), emphasis) if color else _plain(head, body)
    return _rich(head, body, color=color, width=width, emphasis=emphasis)


def _rich(
    columns: list[str],
    rows: list[list[str]],
    *,
    color: bool,
    width: int | None,
    emphasis: Collection[int],
) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(
        box=box.ASCII2,
        show_edge=False,
        pad_edge=False,
        header_style="bold" if color else "",
    )
    for column in columns:
        table.add_column(Text(column), no_wrap=not color, overflow="fold")
    for index, row in enumerate(rows):
        style = "bold red" if color and index in emphasis else None
        table.add_row(*(Text(cell) for cell in row), style=style)
    out = io.StringIO()
    console = Console(
        file=out,
        width=(width or 100) if color else 1_000_000,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )
    console.print(table)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def _plain(columns: list[str], rows: list[list[str]]) -> str:
    """rich's ASCII2 table without edges, drawn directly (same bytes, linear time)."""
    from rich.cells import cell_len

    widths = [cell_len(c) for c in columns]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], cell_len(cell))
    last = len(columns) - 1

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            text = cell + " " * (widths[i] - cell_len(cell))
            parts.append((" " if i else "") + text + (" " if i < last else ""))
        return "|".join(parts).rstrip() + "\n"

    rule = (
        "+".join(
            "-" * (widths[i] + (1 if i else 0) + (1 if i < last else 0))
            for i in range(len(columns))
        )
        or "-"
    )  # rich draws one dash under a lone empty column
    return line(columns) + rule + "\n" + "".join(line(row) for row in rows)


def _styled(text: str, emphasis: Collection[int]) -> str:
    import click

    lines = text.splitlines()
    lines[0] = click.style(lines[0], bold=True)
    for index in emphasis:
        lines[index + 2] = click.style(lines[index + 2], fg="red", bold=True)
    return "".join(line + "\n" for line in lines)
