"""The one table style: rich draws it, and the linear-time path for big tables is the same text."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from palette_tailscale import table

CELL = st.text(
    st.characters(
        whitelist_categories=("Lu", "Ll", "Nd", "Pd", "Po", "Zs", "Lo", "So", "Sm"),
        max_codepoint=0x2FFFF,
    ),
    max_size=12,
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    width = draw(st.integers(1, 6))
    columns = draw(st.lists(CELL, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=8))
    return columns, rows


@settings(max_examples=300, deadline=None)
@given(tables())
def test_the_plain_path_is_richs_text(data: tuple[list[str], list[list[str]]]) -> None:
    columns, rows = data
    assert table._plain(columns, rows) == table._rich(
        columns, rows, color=False, width=None, emphasis=()
    )


def test_the_style() -> None:
    text = table.render(["NAME", "STATE", "LAST SEEN"], [["edge-1", "online", "now"]])
    assert text == (
        "NAME   | STATE  | LAST SEEN\n-------+--------+----------\nedge-1 | online | now\n"
    )


def test_cells_from_an_api_cannot_drive_the_terminal() -> None:
    text = table.render(["NAME"], [["evil\x1b[2J\nname"], ["[bold]x[/bold] :smile:"]])
    assert "\x1b" not in text and text.splitlines()[2:] == [
        "evil?[2J?name",
        "[bold]x[/bold] :smile:",
    ]


def test_big_tables_take_the_linear_path() -> None:
    rows = [[f"edge-{i:05d}", "online", "2026-11-30T01:43:03Z"] for i in range(20_000)]
    start = time.perf_counter()
    text = table.render(["HOST", "STATE", "LAST SEEN"], rows)
    assert len(text.splitlines()) == 20_002
    assert text.splitlines()[-1] == "edge-19999 | online | 2026-11-30T01:43:03Z"
    del start  # timing is for bench/field.py; this only shows the path exists and is complete
