"""The agency's own workbook, marked up: each finding shown on its cell.

A copy of the submitted file where every cell with an error is filled red and every cell with
a warning yellow, with a comment giving the message and the fix, and a first sheet "Hasil
Pemeriksaan" listing every finding with a link to its cell. Otherwise their values and
formatting stay as they were, with nothing live: formulas are replaced by the values Excel
cached (what the collection read), links to other workbooks and to the web are dropped.

Only bytes that passed the container checks are opened, and only when the worksheets are small
enough for openpyxl, which holds the whole workbook in memory (`MAX_MARKUP_XML_BYTES`).
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from kinerja.cells import safe_cell
from kinerja.intake.container import DEFAULT_LIMITS, Limits, check_container
from kinerja.intake.feedback import verdict
from kinerja.intake.reader import HEADER_SEARCH_ROWS, normalise_header
from kinerja.schema.issues import Issue

log = logging.getLogger(__name__)

SUMMARY_SHEET = "Hasil Pemeriksaan"
AUTHOR = "Laporan Kinerja"
MAX_MARKUP_XML_BYTES = 30 * 1024 * 1024
"""Worksheets + shared strings, uncompressed, above which no marked-up copy is made (openpyxl
needs ~20-50x that in memory). The declared sizes bound what zipfile will inflate."""
FILL = {
    "error": PatternFill("solid", fgColor="FFC7CE"),
    "warning": PatternFill("solid", fgColor="FFEB9C"),
}
SUMMARY_COLUMNS = ("Tingkat", "Lembar", "Sel", "Kolom", "Nilai", "Masalah", "Cara memperbaiki")


def _small_enough(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        size = sum(
            i.file_size
            for i in zf.infolist()
            if i.filename.startswith("xl/worksheets/") or i.filename == "xl/sharedStrings.xml"
        )
    return size <= MAX_MARKUP_XML_BYTES


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _column_of(ws: Worksheet, issue: Issue) -> int | None:
    """The sheet column an issue's column label points at: the cell right of the label on the
    issue's own row (the Info sheet's label/value pairs), else the header found in the top rows."""
    if not issue.column:
        return None
    label = normalise_header(issue.column)
    if issue.row:
        for cell in ws[issue.row]:
            if normalise_header(cell.value) == label:
                return int(cell.column) + 1
    for row in ws.iter_rows(min_row=1, max_row=min(HEADER_SEARCH_ROWS, ws.max_row)):
        for cell in row:
            if normalise_header(cell.value) == label:
                return int(cell.column)
    return None


def _locate(wb: Workbook, issue: Issue) -> tuple[str, str] | None:
    """(sheet, cell) an issue is about; a row without a known column points at its first cell,
    a sheet-wide issue at A1; None when the sheet is not in the workbook."""
    if not issue.sheet or issue.sheet not in wb.sheetnames:
        return None
    ws = wb[issue.sheet]
    if not issue.row:
        return issue.sheet, "A1"
    col = _column_of(ws, issue) or 1
    return issue.sheet, f"{get_column_letter(col)}{issue.row}"


def _strip_live_parts(wb: Workbook) -> None:
    """No link to another workbook or to the web survives in our copy."""
    wb._external_links = []
    for name in list(wb.defined_names):
        if "[" in str(wb.defined_names[name].value):  # refers to another workbook
            del wb.defined_names[name]
    for ws in wb.worksheets:
        for name in list(ws.defined_names):
            if "[" in str(ws.defined_names[name].value):
                del ws.defined_names[name]
        for row in ws.iter_rows():
            for cell in row:
                if cell.hyperlink is not None and cell.hyperlink.target:  # web, file; not a location
                    cell.hyperlink = None


def _annotate(wb: Workbook, issues: Sequence[Issue]) -> list[tuple[Issue, tuple[str, str] | None]]:
    placed = [(i, _locate(wb, i)) for i in issues]
    by_cell: dict[tuple[str, str], list[Issue]] = {}
    for issue, where in placed:
        if where and issue.row:
            by_cell.setdefault(where, []).append(issue)
    for (sheet, coord), found in by_cell.items():
        cell = wb[sheet][coord]
        worst = "error" if any(i.severity == "error" for i in found) else "warning"
        cell.fill = FILL[worst]
        text = "\n\n".join(
            ("KESALAHAN: " if i.severity == "error" else "PERINGATAN: ")
            + i.message
            + (f"\nCara memperbaiki: {i.fix}" if i.fix else "")
            for i in found
        )
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, min(60 + 40 * len(found) + len(text) // 2, 600)
        cell.comment = comment
    return placed


def _summary(
    wb: Workbook, placed: list[tuple[Issue, tuple[str, str] | None]], heading: tuple[str, str]
) -> None:
    if SUMMARY_SHEET in wb.sheetnames:  # a marked-up copy handed in again: ours is replaced
        del wb[SUMMARY_SHEET]
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    status, summary = heading
    ws["A1"] = f"Hasil pemeriksaan: {status}"
    ws["A1"].font = Font(bold=True, size=14, color="9C0006" if status == "DITOLAK" else "006100")
    ws["A2"] = summary
    ws["A3"] = (
        "Sel bermasalah diberi warna merah (kesalahan) atau kuning (peringatan) dengan komentar. "
        "Klik alamat sel untuk melompat ke sana. Perbaikan sebaiknya dilakukan di berkas asli Anda."
    )
    for c, name in enumerate(SUMMARY_COLUMNS, start=1):
        cell = ws.cell(row=5, column=c, value=name)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E78")
    ordered = sorted(placed, key=lambda p: (p[0].severity != "error", p[0].sheet or "", p[0].row or 0))
    for r, (issue, where) in enumerate(ordered, start=6):
        values: tuple[Any, ...] = (
            "Kesalahan" if issue.severity == "error" else "Peringatan",
            issue.sheet or "-",
            where[1] if where and issue.row else "-",
            issue.column or "-",
            issue.value if issue.value is not None else "-",
            issue.message,
            issue.fix,
        )
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=safe_cell(value))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if where:
            link = ws.cell(row=r, column=3)
            if link.value == "-":
                link.value = "buka lembar"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{_quote(where[0])}!{where[1]}")
            link.font = Font(color="0563C1", underline="single")
        ws.cell(row=r, column=1).fill = FILL[issue.severity]
    for letter, width in zip("ABCDEFG", (12, 14, 10, 22, 22, 50, 50), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A6"
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0


def render_markup(data: bytes, issues: Sequence[Issue], limits: Limits = DEFAULT_LIMITS) -> bytes | None:
    """The marked-up copy of the workbook in `data`, or None when there is nothing to mark
    (no finding) or no workbook we can safely open and rewrite."""
    if not issues or check_container(data, limits) is not None or not _small_enough(data):
        return None
    try:
        # data_only: the values Excel cached instead of formulas; keep_links=False: no external links.
        wb = load_workbook(io.BytesIO(data), data_only=True, keep_links=False, keep_vba=False)
    except Exception:  # the collection read it with another reader; openpyxl may still refuse
        log.warning("no marked-up copy: openpyxl cannot open the workbook", exc_info=True)
        return None
    _strip_live_parts(wb)
    placed = _annotate(wb, issues)
    _summary(wb, placed, verdict(issues))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
