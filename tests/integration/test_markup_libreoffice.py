"""The marked-up workbook opens in LibreOffice (headless) with the agency's values intact; so
does the feedback workbook.

LibreOffice Calc is the Debian package `libreoffice-calc-nogui`, installed on demand by
scripts/ensure-system-packages.sh. The agency's file is first saved by LibreOffice itself, as a
spreadsheet program would save it (formulas with their cached values); then each sheet of that
file and of our marked-up copy is exported to CSV by LibreOffice and compared.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.intake.check import check_file
from kinerja.intake.feedback import render_xlsx
from kinerja.intake.markup import SUMMARY_SHEET, render_markup
from openpyxl import load_workbook

from ..unit.test_feedback import CTX, ISSUES
from ..unit.test_markup import _agency_file

pytestmark = pytest.mark.integration

ENSURE_PACKAGES = Path(__file__).resolve().parents[2] / "scripts" / "ensure-system-packages.sh"
EVERY_SHEET_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.fixture(scope="module")
def soffice() -> str:
    done = subprocess.run([str(ENSURE_PACKAGES), "libreoffice-calc-nogui"], capture_output=True, text=True)
    if done.returncode:
        pytest.fail(f"LibreOffice Calc could not be installed:\n{(done.stdout + done.stderr)[-2000:]}")
    return "soffice"


def _convert(soffice: str, src: Path, target: str, out: Path, profile: Path) -> None:
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_libreoffice_opens_the_marked_copy_with_the_values_unchanged(
    catalog: Catalog, tmp_path: Path, soffice: str, caplog: pytest.LogCaptureFixture
) -> None:
    profile = tmp_path / "lo-profile"
    agency = _agency_file(catalog, tmp_path)
    saved = tmp_path / "disimpan"
    _convert(soffice, agency, "xlsx", saved, profile)  # as Calc saves it: formulas with cached values
    original = saved / agency.name
    issues = check_file(original, catalog, "DINKES", 2025).judgement.issues
    assert any(i.severity == "error" for i in issues)
    marked = tmp_path / "DINKES_SPM_2025.ditandai.xlsx"
    with caplog.at_level(logging.INFO, logger="kinerja.intake.markup"):
        marked.write_bytes(render_markup(original.read_bytes(), issues) or b"")
    assert not [
        r for r in caplog.records if r.name == "kinerja.intake.markup"
    ]  # a workbook as a spreadsheet program saves it: edited directly

    _convert(soffice, original, EVERY_SHEET_CSV, tmp_path / "asli", profile)
    _convert(soffice, marked, EVERY_SHEET_CSV, tmp_path / "ditandai", profile)
    sheets = sorted(p.name.removeprefix(original.stem + "-") for p in (tmp_path / "asli").glob("*.csv"))
    assert "Penerima.csv" in sheets and "Info.csv" in sheets
    for name in sheets:
        before = (tmp_path / "asli" / f"{original.stem}-{name}").read_text(encoding="utf-8")
        after = (tmp_path / "ditandai" / f"{marked.stem}-{name}").read_text(encoding="utf-8")
        assert after == before, name
    assert "lihat bukti" in (tmp_path / "ditandai" / f"{marked.stem}-Penerima.csv").read_text()
    summary = (tmp_path / "ditandai" / f"{marked.stem}-{SUMMARY_SHEET}.csv").read_text(encoding="utf-8")
    assert "Hasil pemeriksaan: DITOLAK" in summary
    for issue in issues:
        assert issue.message.split("'")[0] in summary

    # Calc reads our fills and comments too: saved again by Calc, they are still on the cell.
    _convert(soffice, marked, "xlsx", tmp_path / "lagi", profile)
    again = load_workbook(tmp_path / "lagi" / marked.name)
    assert again.sheetnames[0] == SUMMARY_SHEET
    cell = again["Penerima"]["E3"]
    assert cell.comment is not None and "Ketik sebagai angka" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")


def test_libreoffice_opens_the_feedback_workbook(tmp_path: Path, soffice: str) -> None:
    profile = tmp_path / "lo-profile"
    feedback = tmp_path / "spm.umpan-balik.xlsx"
    feedback.write_bytes(render_xlsx(CTX, ISSUES))
    _convert(soffice, feedback, EVERY_SHEET_CSV, tmp_path / "csv", profile)
    text = (tmp_path / "csv" / f"{feedback.stem}-Umpan Balik.csv").read_text(encoding="utf-8")
    assert "Hasil pemeriksaan: DITOLAK" in text
    assert "Ketik sebagai angka: 1234,5" in text and "<b>1200</b>" in text
    assert "'=HYPERLINK" in text  # agency text stays text

    _convert(soffice, feedback, "xlsx", tmp_path / "lagi", profile)
    ws = load_workbook(tmp_path / "lagi" / feedback.name)["Umpan Balik"]
    assert ws["A12"].value == "Kesalahan" and ws["C12"].value == 7
    assert ws["A11"].font.b and ws["A11"].fill.fgColor.rgb.endswith("1F4E78")
    assert ws.column_dimensions["F"].width > ws.column_dimensions["C"].width
    # (Calc run headless keeps no view settings, frozen rows included: tests/unit/test_feedback.py)
