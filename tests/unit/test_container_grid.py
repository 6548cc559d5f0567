"""The grid-size guard's fast path (C-level searches on tags that carry their reference) finds
the same grid as the exact tag-by-tag walk, and gives way to the walk whenever a tag is odd."""

from __future__ import annotations

import pytest
from kinerja.intake.container import DEFAULT_LIMITS, _GridBounds

SHEETS = [
    b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"/></row>'
    b'<row r="7"><c r="B7"/></row></sheetData>',
    b'<row r="2" spans="1:3"><c r="AA2" s="1"/></row><row r="3"><c r="B3"><v>1</v></c></row>',
    b'<row r="1"><c r="A1"/><c/><c/></row><row><c r="D5"/></row>',  # tags without references
    b'<x:row r="4"><x:c r="E4"/></x:row>',  # a namespace prefix
    b'<row r="1"><c t="s" r="F1"/></row>',  # reference not first
    b'<row r="9"><c\nr="G9"/></row>',  # other whitespace
    b"<row r='2'><c r='XFD1048576'/></row>",  # far away, single quotes
    b'<row r="1"><c r="A1"/></row><row r="2"><c r="1A"/></row>',  # an odd reference
]


def grid(xml: bytes, fast: bool) -> tuple[int, int, bool]:
    g = _GridBounds(DEFAULT_LIMITS)
    if not fast:
        g._fast = lambda scan: False  # type: ignore[method-assign]
    ok = g.feed(xml[: len(xml) // 2]) and g.feed(xml[len(xml) // 2 :]) and g.feed(b"", final=True)
    return g.max_row, g.max_col, ok


@pytest.mark.parametrize("xml", SHEETS)
def test_fast_path_and_exact_walk_agree(xml: bytes) -> None:
    assert grid(xml, fast=True) == grid(xml, fast=False)


def test_far_away_cell_is_refused() -> None:
    assert grid(b'<row r="1"><c r="XFD1048576"/></row>', fast=True)[2] is False


@pytest.mark.parametrize(
    ("xml", "declared"),
    [
        (b'<sst count="4000001" uniqueCount="1">', 4_000_001),
        (b'<sst count="1" uniqueCount = " +0004000002">', 4_000_002),
        (b"<x:mergeCells x:count='4000003'>", 4_000_003),
        (b'<sst xcount="9000000" mycount="9000000" uniqueCountX="1" _count="9000000">', 0),
        (b'<sst amount="9000000" Count="9000000">', 0),
    ],
)
def test_declared_counts_are_read_by_their_whole_name(xml: bytes, declared: int) -> None:
    g = _GridBounds(DEFAULT_LIMITS, cells=False)
    assert g.feed(xml, final=True) is (declared == 0)
    assert g.declared == declared
