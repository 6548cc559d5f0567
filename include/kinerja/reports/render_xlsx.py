"""Workbooks of report tables: one sheet per table, formatted for print.

Numbers stay numbers (Excel shows them in the reader's locale: 95,89 % in Indonesian), with a
number format per column; A4 landscape, fit to page width, the header row repeated on every
printed page, page numbers in the footer. Every text cell goes through `safe_cell`, so text
beginning with = + - @ is never run as a formula, and characters a workbook cannot hold are
dropped.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kinerja.cells import places, safe_cell
from kinerja.reports.table import Table

HEADER_ROW = 4
_INVALID_SHEET = str.maketrans({c: " " for c in "[]:*?/\\"})
_THIN = Side(style="thin", color="BFBFBF")


def _text(value: str) -> str:
    return str(safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value)))


def _number_format(value: Any, kind: str) -> str | None:
    if kind in ("int", "rp"):
        return "#,##0"
    if isinstance(value, Decimal):
        n = places(value)
        base = "#,##0" + ("." + "0" * n if n else "")
        return base + ' "%"' if kind == "pct" else base
    if isinstance(value, datetime):
        return "dd-mm-yyyy hh:mm"
    return None


def _cell_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # already local time; Excel has no time zones
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, Decimal) and kind in ("int", "rp") and value == value.to_integral_value():
        return int(value)
    return value


def _style(wb: Workbook, base: str, number_format: str | None = None) -> str:
    """A named style per (base, number format), registered once per workbook: assigning one
    name per cell is far cheaper in openpyxl than setting font, border and alignment each time."""
    name = f"kinerja-{base}-{number_format or 'General'}"
    if name not in wb.named_styles:
        border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
        style = NamedStyle(name=name, border=border, number_format=number_format or "General")
        if base == "header":
            style.font = Font(bold=True, color="FFFFFF")
            style.fill = PatternFill("solid", fgColor="1F4E78")
            style.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        else:
            style.alignment = Alignment(wrap_text=base == "wrap", vertical="top")
        wb.add_named_style(style)
    return name


def sheet_name(name: str, taken: set[str]) -> str:
    base = name.translate(_INVALID_SHEET).strip("' ")[:31] or "Tabel"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def write_table(ws: Worksheet, table: Table, subtitle: str) -> None:
    ws["A1"] = _text(table.title)
    ws["A1"].font = Font(bold=True, size=13, color="1F4E78")
    ws["A2"] = _text(subtitle)
    ws["A2"].font = Font(italic=True, size=9, color="595959")
    if table.note:
        ws["A3"] = _text(table.note)
        ws["A3"].font = Font(size=9, color="595959")
    for c, col in enumerate(table.cols, start=1):
        ws.cell(row=HEADER_ROW, column=c, value=_text(col.header)).style = _style(ws.parent, "header")
        ws.column_dimensions[get_column_letter(c)].width = max(col.width, 6)
    for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for c, (col, value) in enumerate(zip(table.cols, row, strict=True), start=1):
            cell = ws.cell(row=r, column=c, value=_cell_value(value, col.kind))
            fmt = _number_format(value, col.kind)
            wrap = col.kind == "text" and col.width >= 20
            cell.style = _style(ws.parent, "wrap" if wrap else "top", fmt)
    last_col = get_column_letter(len(table.cols))
    last_row = HEADER_ROW + max(len(table.rows), 1)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    if table.rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_row}"
    ws.row_dimensions[HEADER_ROW].height = 32
    # Print: A4 landscape, fit to width, header row on every page, page numbers.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{last_col}{last_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddHeader.left.text = _text(table.title).replace("&", "&&")
    ws.oddHeader.left.size = 8
    ws.oddFooter.center.text = "Halaman &P dari &N"
    ws.oddFooter.center.size = 8


def build_workbook(tables: Sequence[Table], subtitle: str) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for table in tables:
        write_table(wb.create_sheet(sheet_name(table.name, taken)), table, subtitle)
    if not tables:
        wb.create_sheet("Kosong")["A1"] = "Belum ada data."
    return wb


def workbook_bytes(tables: Sequence[Table], subtitle: str) -> bytes:
    buf = io.BytesIO()
    build_workbook(tables, subtitle).save(buf)
    return buf.getvalue()


def write_workbook(tables: Sequence[Table], subtitle: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(tables, subtitle))
    return path
