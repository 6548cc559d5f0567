"""Feedback files: what the agency reads, safe to open."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from kinerja.intake.feedback import COLUMNS, FeedbackContext, feedback_paths, render_html, render_xlsx
from kinerja.schema.issues import error, warning
from kinerja.sources import UnsafePathError
from openpyxl import load_workbook

CTX = FeedbackContext(
    path="2025/DINKES/spm.xlsx",
    nama_pd="Dinas <script>alert(1)</script> Kesehatan",
    kode_pd="DINKES",
    tahun=2025,
    laporan="SPM",
    version=2,
    received_at=datetime(2026, 1, 27, 2, 30, tzinfo=UTC),
    terlambat=True,
    batas="26-01-2026",
    zona=ZoneInfo("Asia/Jakarta"),
    zona_label="WIB",
)
ISSUES = [
    error(
        "Angka ditulis sebagai teks ('1.234,5').",
        "Ketik sebagai angka: 1234,5",
        sheet="Penerima",
        row=7,
        column="Terlayani",
        value='=HYPERLINK("http://x")',
    ),
    warning(
        "Terlayani lebih banyak daripada yang harus dilayani.",
        "Periksa kembali.",
        sheet="Penerima",
        row=9,
        column="Terlayani",
        value="<b>1200</b>",
    ),
]


def test_paths_stay_in_the_agencys_folder() -> None:
    assert feedback_paths("2025/DINKES/spm final.xlsx") == (
        "2025/DINKES/umpan-balik/spm final.umpan-balik.xlsx",
        "2025/DINKES/umpan-balik/spm final.umpan-balik.html",
    )
    for bad in ("../DINSOS/x.xlsx", "/etc/passwd", "2025/../../x.xlsx"):
        with pytest.raises(UnsafePathError):
            feedback_paths(bad)


def test_html_names_every_issue_and_escapes_agency_text() -> None:
    page = render_html(CTX, ISSUES).decode()
    assert "Hasil pemeriksaan: DITOLAK" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;1200&lt;/b&gt;" in page
    assert "TERLAMBAT (batas 26-01-2026)" in page
    assert "27-01-2026 09:30 WIB" in page
    assert page.index("Kesalahan") < page.index("Peringatan")
    assert "Ketik sebagai angka: 1234,5" in page


def test_xlsx_lists_issues_and_neutralises_formulas() -> None:
    wb = load_workbook(io.BytesIO(render_xlsx(CTX, ISSUES)))
    ws = wb["Umpan Balik"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in values for v in row if isinstance(v, str)]
    assert ws["A1"].value == "Hasil pemeriksaan: DITOLAK"
    assert '\'=HYPERLINK("http://x")' in flat
    assert not any(isinstance(v, str) and v.startswith("=") for v in flat)
    assert ["Kesalahan", "Penerima", 7, "Terlayani"] in [r[:4] for r in values]


def test_xlsx_layout() -> None:
    wb = load_workbook(io.BytesIO(render_xlsx(CTX, ISSUES)))
    assert wb.sheetnames == ["Umpan Balik"]
    ws = wb.active
    assert ws.title == "Umpan Balik"
    assert ws["A1"].font.b and ws["A1"].font.sz == 14 and ws["A1"].font.color.rgb.endswith("9C0006")
    assert [ws.cell(row=r, column=1).value for r in range(4, 10)] == [
        "Perangkat Daerah",
        "Berkas",
        "Laporan",
        "Tahun pelaporan",
        "Versi berkas",
        "Masuk",
    ]
    assert ws["A4"].font.b and ws["B5"].value == "spm.xlsx"
    assert [c.value for c in ws[11]] == list(COLUMNS)
    assert ws["A11"].font.b and ws["A11"].fill.fgColor.rgb.endswith("1F4E78")
    assert ws.freeze_panes == "A12"
    assert ws["F12"].alignment.wrap_text and ws["F12"].alignment.vertical == "top"
    widths = [ws.column_dimensions[letter].width for letter in "ABCDEFG"]
    assert widths == [12, 14, 7, 22, 22, 50, 50]
    accepted = load_workbook(io.BytesIO(render_xlsx(CTX, [])))["Umpan Balik"]
    assert accepted["A1"].value == "Hasil pemeriksaan: DITERIMA"
    assert accepted["A1"].font.color.rgb.endswith("006100")
    assert accepted.max_row == 11


def test_accepted_without_issues() -> None:
    page = render_html(CTX, []).decode()
    assert "DITERIMA" in page and "Tidak ada catatan." in page
