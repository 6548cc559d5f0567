"""Write a template workbook an official can fill in, straight from the schema.

Sheets: Petunjuk (instructions), Info (who, which year, which template), one sheet per
template sheet with protected headers, dropdowns for codes and prefilled code rows, and Kode
(the allowed codes with their names, the source of the dropdowns).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kinerja.catalog.loader import Catalog, PerangkatDaerah
from kinerja.schema.codes import code_labels
from kinerja.schema.model import INFO_SHEET, TRIWULAN, Sheet, Template

Row = Mapping[str, Any]
CODES_SHEET = "Kode"
EDITABLE_ROWS = 200
"""Blank rows left unlocked under the prefilled ones, for rows the agency adds."""

_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)


def prefilled_rows(tpl: Template, catalog: Catalog, pd: PerangkatDaerah) -> dict[str, list[Row]]:
    """The rows an agency must fill, with codes and names already written in."""
    rows: dict[str, list[Row]] = {s.name: [] for s in tpl.sheets}
    if tpl.code == "SPM" or tpl.induk == "SPM":
        for j in catalog.jpd_milik(pd.kode_pd):
            for w in catalog.kecamatan:
                rows["Penerima"].append(
                    {
                        "kode_jpd": j.kode_jpd,
                        "nama_jpd": j.nama,
                        "kode_wilayah": w.kode,
                        "nama_wilayah": w.nama,
                    }
                )
            rows["Penerapan"].append({"kode_jpd": j.kode_jpd, "nama_jpd": j.nama})
            for m in j.mutu if "Mutu" in rows else ():
                rows["Mutu"].append(
                    {
                        "kode_indikator": m.kode,
                        "nama_indikator": m.nama,
                        "jenis": m.jenis,
                        "satuan": m.satuan,
                    }
                )
    elif tpl.code == "LPPD":
        rows["IKK"] = [{"kode_ikk": i.kode_ikk, "nama_ikk": i.nama} for i in catalog.ikk_milik(pd)]
    elif tpl.code == "MAKRO":
        rows["Makro"] = [
            {"kode_indikator": m.kode, "nama_indikator": m.nama, "satuan": m.satuan} for m in catalog.makro
        ]
    elif tpl.code == "APBD":
        rows["APBD"] = [{"kode_akun": a.kode, "uraian": a.nama} for a in catalog.apbd]
    elif tpl.code == "LKPJ":
        rows["Kinerja"] = [
            {
                "kode": n.kode,
                "uraian": n.nama,
                "jenis_indikator": "outcome" if n.tingkat == "program" else "output",
            }
            for n in catalog.nomenklatur_milik(pd)
        ]
    return rows


def build_workbook(
    tpl: Template,
    catalog: Catalog,
    pd: PerangkatDaerah,
    tahun: int,
    rows: Mapping[str, Sequence[Row]] | None = None,
    info: Mapping[str, Any] | None = None,
) -> Workbook:
    """A workbook for `pd` and `tahun`; `rows` (default: the prefilled ones) fill the sheets."""
    rows = rows if rows is not None else prefilled_rows(tpl, catalog, pd)
    wb = Workbook()
    _instructions(wb.active, tpl, pd, tahun)
    _info(wb.create_sheet(INFO_SHEET), tpl, pd, tahun, info or {})
    labels = code_labels(catalog, pd)
    code_ranges = _codes(wb, labels)
    for sheet in tpl.sheets:
        _data_sheet(wb.create_sheet(sheet.name), sheet, rows.get(sheet.name, []), code_ranges)
    wb.move_sheet(CODES_SHEET, offset=len(wb.sheetnames))
    return wb


def write_workbook(wb: Workbook, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _instructions(ws: Worksheet, tpl: Template, pd: PerangkatDaerah, tahun: int) -> None:
    ws.title = "Petunjuk"
    ws["A1"] = f"{tpl.title} — Tahun {tahun}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"{pd.nama} ({pd.kode_pd}) · versi template {tpl.version}"
    lines = [
        "Cara mengisi:",
        "1. Lengkapi lembar Info (nama, email dan telepon petugas). Jangan ubah kode PD, tahun, "
        "jenis laporan dan versi template.",
        *(f"{n}. {text}" for n, text in enumerate(tpl.instructions, start=2)),
        f"{len(tpl.instructions) + 2}. Jangan ubah, pindah atau gabungkan judul kolom (baris 1).",
        f"{len(tpl.instructions) + 3}. Simpan sebagai .xlsx (bukan .xls/.xlsm/.csv) dan letakkan di "
        "folder PD Anda pada shared drive. Hasil pemeriksaan muncul di folder umpan-balik.",
    ]
    for i, line in enumerate(lines, start=4):
        ws.cell(row=i, column=1, value=line)
    ws.column_dimensions["A"].width = 110


def _info(ws: Worksheet, tpl: Template, pd: PerangkatDaerah, tahun: int, info: Mapping[str, Any]) -> None:
    values = {
        "kode_pd": pd.kode_pd,
        "nama_pd": pd.nama,
        "tahun": tahun,
        "laporan": tpl.code,
        "versi_template": tpl.version,
        **info,
    }
    ws["A1"], ws["B1"] = "Keterangan", "Isian"
    for cell in ws[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for r, f in enumerate(tpl.info_fields, start=2):
        ws.cell(row=r, column=1, value=f.label).font = Font(bold=True)
        value_cell = ws.cell(row=r, column=2, value=values.get(f.name))
        if f.name.endswith("_kontak") or f.name == "triwulan":
            value_cell.protection, value_cell.fill = _UNLOCKED, _INPUT_FILL
        if f.name == "triwulan":
            dv = DataValidation(type="list", formula1=f'"{",".join(TRIWULAN)}"', allow_blank=False)
            ws.add_data_validation(dv)
            dv.add(value_cell.coordinate)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 26, 50
    ws.protection.sheet = True


def _codes(wb: Workbook, labels: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Write every code set as two columns (code, name); return each set's range formula."""
    ws = wb.create_sheet(CODES_SHEET)
    ranges = {}
    for i, (name, codes) in enumerate(sorted(labels.items())):
        col = 2 * i + 1
        ws.cell(row=1, column=col, value=name).font = Font(bold=True)
        ws.cell(row=1, column=col + 1, value="nama").font = Font(bold=True)
        for r, (code, label) in enumerate(codes.items(), start=2):
            ws.cell(row=r, column=col, value=code)
            ws.cell(row=r, column=col + 1, value=label)
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = 20
        ws.column_dimensions[get_column_letter(col + 1)].width = 40
        if codes:
            ranges[name] = f"{quote_sheetname(CODES_SHEET)}!${letter}$2:${letter}${len(codes) + 1}"
    ws.protection.sheet = True
    return ranges


def _data_sheet(ws: Worksheet, sheet: Sheet, rows: Sequence[Row], code_ranges: Mapping[str, str]) -> None:
    for c, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=c, value=col.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = col.width
    for r, row in enumerate(rows, start=2):
        for c, col in enumerate(sheet.columns, start=1):
            if col.name in row and row[col.name] is not None:
                ws.cell(row=r, column=c, value=row[col.name])
    last = len(rows) + 1 + EDITABLE_ROWS
    for c, col in enumerate(sheet.columns, start=1):
        letter = get_column_letter(c)
        for r in range(2, last + 1):
            ws.cell(row=r, column=c).protection = _UNLOCKED
        area = f"{letter}2:{letter}{last}"
        if col.codes and col.codes in code_ranges:
            dv = DataValidation(
                type="list",
                formula1=code_ranges[col.codes],
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Kode tidak dikenal",
                error="Pilih kode dari daftar (lembar Kode).",
            )
        elif col.kind in ("integer", "number"):
            dv = DataValidation(
                type="whole" if col.kind == "integer" else "decimal",
                operator="greaterThanOrEqual",
                formula1=str(col.min_value or 0),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Bukan angka",
                error="Isi dengan angka 0 atau lebih, tanpa titik ribuan.",
            )
        else:
            continue
        ws.add_data_validation(dv)
        dv.add(area)
    ws.freeze_panes = "A2"
    ws.protection.sheet = True
    ws.protection.formatRows = False  # let officials resize rows, not rename headers
    ws.protection.formatColumns = False
