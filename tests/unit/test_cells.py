"""Cell values and text (kinerja.cells): formulas neutralised, Indonesian numbers in documents,
machine format in CSV."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from kinerja.cells import csv_cell, doc_text, places, safe_cell, tanggal, waktu


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1"])
def test_safe_cell(value: str) -> None:
    assert safe_cell(value).startswith("'")
    assert safe_cell("Dinas Kesehatan") == "Dinas Kesehatan"


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (D("1234567.5"), "dec", "1.234.567,5"),
        (D("95.89"), "pct", "95,89 %"),
        (D("604100000000"), "rp", "604.100.000.000"),
        (1234, "int", "1.234"),
        (None, "pct", "–"),
        (None, "text", ""),
    ],
)
def test_document_numbers_are_indonesian(value: object, kind: str, text: str) -> None:
    assert doc_text(value, kind) == text


def test_csv_cells_neutralise_text_and_keep_numbers_and_times_machine_readable() -> None:
    jakarta = ZoneInfo("Asia/Jakarta")
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell(D("-1.11")) == "-1.11", "a negative number is no formula"
    assert csv_cell(datetime(2026, 1, 26, 9, 15, tzinfo=jakarta)) == "2026-01-26T09:15:00+07:00"
    assert csv_cell(None) == "" and csv_cell(True) == "true"


def test_places_dates_and_times_in_indonesian() -> None:
    assert places(D("95.890")) == 3 and places(D("12")) == 0
    assert tanggal(date(2026, 1, 26)) == "Senin, 26 Januari 2026"
    assert waktu(datetime(2026, 1, 24, 2, 12, tzinfo=ZoneInfo("UTC")), ZoneInfo("Asia/Jakarta"), "WIB") == (
        "24 Jan 2026 09.12 WIB"
    )
