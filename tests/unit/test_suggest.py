"""Suggested fixes: shown in the feedback, never applied to what is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.intake.check import check_file
from kinerja.intake.suggest import PREFIX, suggest_code, suggest_number
from kinerja.sample import SampleShares, generate_year
from openpyxl import load_workbook

CODES = ["kesehatan.1", "kesehatan.2", "pendidikan.1"]
NAMES = {"kesehatan.1": "Ibu hamil", "kesehatan.2": "Ibu bersalin", "pendidikan.1": "PAUD"}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("kesehatn.1", "kesehatan.1 (Ibu hamil)"),  # a typo
        ("kesehatan. 2", "kesehatan.2 (Ibu bersalin), tanpa spasi"),  # a stray space inside
        ("kesehatan.\u200b1", "kesehatan.1 (Ibu hamil), tanpa spasi"),  # an invisible one
        ("KESEHATAN.2", "kesehatan.2 (Ibu bersalin)"),
        ("Ibu Bersalin", "kesehatan.2 (Ibu bersalin)"),  # the name where the code goes
        ("99.99.99", None),  # nothing close: no guess
        ("kesehatan.1", None),  # valid: nothing to suggest
    ],
)
def test_nearest_code_by_code_and_by_name(typed: str, meant: str | None) -> None:
    assert suggest_code(typed, CODES, NAMES) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("1.234,5", "angka 1234,5"),
        ("1.234.567", "angka 1234567"),
        ("12,5", "angka 12,5"),
        ("1234", "angka 1234"),
        ("12 orang", "angka 12"),
        ("Rp 1.500.000", "angka 1500000"),
        ("banyak", None),
        ("12 dari 15", None),  # two numbers: which one? no guess
    ],
)
def test_the_number_in_a_number_typed_as_text(typed: str, meant: str | None) -> None:
    assert suggest_number(typed) == meant


def test_suggestions_reach_the_findings_and_nothing_is_applied(catalog: Catalog, tmp_path: Path) -> None:
    shares = SampleShares(missing=0, defective=0)
    generate_year(catalog, 2025, tmp_path, seed=1, only=("DINKES",), shares=shares)
    path = tmp_path / "2025" / "DINKES" / "DINKES_SPM_2025.xlsx"
    wb = load_workbook(path)
    ws = wb["Penerima"]
    ws["A2"] = "kesehatn.1"
    ws["E3"] = "25 orang"
    ws["F1"] = "Jumlah Terlayani"  # the header of Terlayani, renamed
    wb["Mutu"].title = "Mutu Layanan"
    wb.save(path)
    result = check_file(path, catalog)
    fixes = {(i.sheet, i.row, i.column): i.fix for i in result.errors}
    # The header renamed: the whole sheet stops at that finding, with the header it found.
    assert "kolom 'Jumlah Terlayani'" in fixes[("Penerima", 1, "Terlayani")]
    assert "lembar 'Mutu Layanan'" in fixes[("Mutu", None, None)]
    ws["F1"] = "Terlayani"
    wb["Mutu Layanan"].title = "Mutu"
    wb.save(path)
    fixes = {(i.sheet, i.row, i.column): i.fix for i in check_file(path, catalog).errors}
    assert f"{PREFIX} angka 25?" in fixes[("Penerima", 3, "Harus Dilayani")]
    assert f"{PREFIX} kesehatan.1 (" in fixes[("Penerima", 2, "Kode JPD")]
    assert result.status == "rejected"  # a suggestion never makes the file acceptable
