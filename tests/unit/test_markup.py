"""The marked-up copy of the agency's own workbook: findings on their cells, nothing else changed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.intake.check import check_file
from kinerja.intake.markup import SUMMARY_SHEET, render_markup
from kinerja.sample import SampleShares, generate_year
from kinerja.schema.issues import error
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.workbook.workbook import Workbook

from ..conftest import make_run

LINK = "https://contoh.example/bukti"


def _agency_file(catalog: Catalog, tmp_path: Path) -> Path:
    """A real SPM workbook with two of an official's mistakes (a number typed as text, a code
    that does not exist), a formula and a web link of their own."""
    shares = SampleShares(missing=0, defective=0)
    generate_year(catalog, 2025, tmp_path / "drive", seed=1, only=("DINKES",), shares=shares)
    path = tmp_path / "drive" / "2025" / "DINKES" / "DINKES_SPM_2025.xlsx"
    wb = load_workbook(path)
    ws = wb["Penerima"]
    ws["E3"] = "1.234,5"  # Harus Dilayani, as text
    ws["A4"] = "kesehatn.1"  # a mistyped JPD code
    ws["G2"] = '=CONCATENATE("lihat ","bukti")'
    ws["G2"].hyperlink = LINK
    wb.save(path)
    return path


def _cells(wb: Workbook, sheet: str) -> dict[str, tuple[object, str, str | None]]:
    return {
        c.coordinate: (c.value, c.number_format, c.font.b)
        for row in wb[sheet].iter_rows()
        for c in row
        if c.value is not None or c.has_style
    }


def test_every_finding_is_on_its_cell_and_nothing_else_changed(catalog: Catalog, tmp_path: Path) -> None:
    path = _agency_file(catalog, tmp_path)
    result = check_file(path, catalog)
    issues = result.judgement.issues
    assert result.errors and result.warnings
    data = path.read_bytes()
    marked = load_workbook(io.BytesIO(render_markup(data, issues) or b""))
    original = load_workbook(io.BytesIO(data), data_only=True)

    assert marked.sheetnames == [SUMMARY_SHEET, *original.sheetnames]
    assert marked.active.title == SUMMARY_SHEET
    summary = marked[SUMMARY_SHEET]
    links = [summary.cell(row=r, column=3) for r in range(6, 6 + len(issues))]
    assert summary.cell(row=6 + len(issues), column=1).value is None  # one row per finding
    flagged: set[tuple[str, str]] = set()
    for link in links:
        row = [c.value for c in summary[link.row]]
        sheet, coord = link.hyperlink.location.rsplit("!", 1)
        sheet = sheet.strip("'")
        cell = marked[sheet][coord]
        assert row[5] in cell.comment.text  # the message, on the cell it links to
        expected = "FFC7CE" if row[0] == "Kesalahan" else "FFEB9C"
        assert cell.fill.fgColor.rgb.endswith(expected) or row[0] == "Peringatan"
        flagged.add((sheet, coord))
    assert ("Penerima", "E3") in flagged and marked["Penerima"]["E3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "Ketik sebagai angka" in marked["Penerima"]["E3"].comment.text
    assert ("Penerima", "A4") in flagged

    # G2's formula was written without a cached value (openpyxl cannot compute one): the copy
    # holds what the collection read, nothing (openpyxl shows the link's address as its value).
    assert marked["Penerima"]["G2"].value is None and original["Penerima"]["G2"].value == LINK
    for sheet in original.sheetnames:  # values and formatting: as they were (formulas as values)
        before, after = _cells(original, sheet), _cells(marked, sheet)
        if sheet == "Penerima":
            before["G2"] = (None, *before["G2"][1:])
        assert after == before, sheet
        for coord in before:
            if (sheet, coord) not in flagged:
                fill_before = original[sheet][coord].fill.fgColor.rgb
                assert marked[sheet][coord].fill.fgColor.rgb == fill_before, (sheet, coord)
    # Nothing live: no formula, no link out of the workbook.
    for ws in marked.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                assert c.hyperlink is None or not c.hyperlink.target, (ws.title, c.coordinate)
    assert not marked._external_links


def test_no_copy_when_nothing_to_mark_or_no_workbook(catalog: Catalog, tmp_path: Path) -> None:
    path = _agency_file(catalog, tmp_path)
    assert render_markup(path.read_bytes(), []) is None
    assert render_markup(b"kode,nilai\n1,2\n", [error("bukan Excel")]) is None


def test_a_resubmitted_marked_copy_gets_one_fresh_summary(catalog: Catalog, tmp_path: Path) -> None:
    path = _agency_file(catalog, tmp_path)
    issues = check_file(path, catalog).judgement.issues
    once = render_markup(path.read_bytes(), issues) or b""
    twice = load_workbook(io.BytesIO(render_markup(once, issues[:1]) or b""))
    assert twice.sheetnames.count(SUMMARY_SHEET) == 1 and twice.sheetnames[0] == SUMMARY_SHEET
    assert twice[SUMMARY_SHEET].cell(row=7, column=1).value is None


@pytest.mark.parametrize("defective", [True])
def test_the_collection_writes_it_beside_the_other_feedback(
    catalog: Catalog, sqlite_engine: object, tmp_path: Path, defective: bool
) -> None:
    path = _agency_file(catalog, tmp_path)
    outcomes = make_run(sqlite_engine, tmp_path / "drive", catalog, tmp_path).run()  # type: ignore[arg-type]
    spm = next(o for o in outcomes if o.path.endswith("SPM_2025.xlsx"))
    assert spm.status == "rejected"
    folder = path.parent / "umpan-balik"
    marked = folder / "DINKES_SPM_2025.ditandai.xlsx"
    assert marked.exists() and (folder / "DINKES_SPM_2025.umpan-balik.html").exists()
    assert load_workbook(marked).sheetnames[0] == SUMMARY_SHEET


def test_their_own_comments_stay_beside_ours(catalog: Catalog, tmp_path: Path) -> None:
    """A workbook with comments of its own goes through the openpyxl normalisation first: their
    comments come back on their cells, ours go on the flagged ones."""
    path = _agency_file(catalog, tmp_path)
    wb = load_workbook(path)
    wb["Penerima"]["B2"].comment = Comment("sumber: dinas", "Petugas")
    wb.save(path)
    issues = check_file(path, catalog).judgement.issues
    marked = load_workbook(io.BytesIO(render_markup(path.read_bytes(), issues) or b""))
    assert marked.sheetnames[0] == SUMMARY_SHEET
    theirs = marked["Penerima"]["B2"].comment
    assert theirs is not None and theirs.text == "sumber: dinas" and theirs.author == "Petugas"
    ours = marked["Penerima"]["E3"].comment
    assert ours is not None and "Ketik sebagai angka" in ours.text
    assert marked["Penerima"]["E3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert marked["Penerima"]["G2"].hyperlink is None
