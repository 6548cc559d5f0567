"""Every kind of bad file gets a clear reason and loads nothing (real files, no mocks)."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable

import pytest
from kinerja.catalog import Catalog
from kinerja.intake.collect import Judgement, judge
from kinerja.intake.container import Limits
from kinerja.intake.validation import shared_validator
from kinerja.sample import fill_rows
from kinerja.schema import TEMPLATES
from kinerja.schema.excel import build_workbook, prefilled_rows
from openpyxl import Workbook, load_workbook

Edit = Callable[[Workbook], None]


def _workbook_bytes(
    catalog: Catalog,
    code: str = "SPM",
    pd_code: str = "DINKES",
    edit: Edit | None = None,
    info: dict | None = None,
) -> bytes:  # type: ignore[type-arg]
    tpl = TEMPLATES[code]
    pd = catalog.pd(pd_code)
    assert pd is not None
    rows = fill_rows(tpl, prefilled_rows(tpl, catalog, pd), random.Random(3), 2025)
    for sheet_rows in rows.values():  # no warnings in the baseline
        for r in sheet_rows:
            if "terlayani" in r:
                r["terlayani"] = min(r["terlayani"], r["harus_dilayani"])
            if "realisasi_anggaran" in r:  # the ceiling: pagu (LKPJ) or alokasi (SPM Penerapan)
                ceiling = r["pagu"] if "pagu" in r else r["alokasi_anggaran"]
                r["realisasi_anggaran"] = min(r["realisasi_anggaran"], ceiling)
    quarter = {"triwulan": "I"} if tpl.periode == "triwulan" else {}
    wb = build_workbook(tpl, catalog, pd, 2025, rows, {"nama_kontak": "Budi", **quarter, **(info or {})})
    if edit:
        edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _judge(catalog: Catalog, data: bytes, pd_code: str = "DINKES", limits: Limits | None = None) -> Judgement:
    return judge(data, catalog.pd(pd_code), pd_code, 2025, catalog, shared_validator, limits or Limits())


def _errors(j: Judgement) -> list[str]:
    return [i.message for i in j.issues if i.severity == "error"]


def test_a_valid_workbook_has_no_issues(catalog: Catalog) -> None:
    for code in TEMPLATES:
        owed = TEMPLATES[code].induk or code  # a quarterly report: owed with its yearly one
        owner = next(p for p in catalog.pd_aktif(2025) if owed in catalog.laporan_wajib(p)).kode_pd
        j = _judge(catalog, _workbook_bytes(catalog, code, owner), owner)
        assert j.issues == [], (code, j.issues[:3])
        assert j.frames and j.template


def _cell(sheet: str, ref: str, value: object) -> Edit:
    def edit(wb: Workbook) -> None:
        wb[sheet][ref] = value

    return edit


def _zip_with(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _encrypted(data: bytes) -> bytes:
    """The same workbook protected with a password, as Excel's 'Encrypt with Password' does."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("rahasia", out)
    return out.getvalue()


BAD_CONTAINERS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "csv renamed .xlsx": (lambda ok: b"kode_jpd,terlayani\nkesehatan.1,10\n", "teks/CSV"),
    "pdf renamed .xlsx": (lambda ok: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    "truncated zip": (lambda ok: ok[: len(ok) // 2], "rusak atau terpotong"),
    "corrupt zip": (lambda ok: ok[:200] + bytes(200) + ok[400:], "rusak"),
    "password (encrypted OLE2)": (
        lambda ok: bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4088),
        "kata sandi",
    ),
    "empty file": (lambda ok: b"", "kosong"),
    "xlsm with macros": (
        lambda ok: _zip_with(
            {
                **{
                    n: zipfile.ZipFile(io.BytesIO(ok)).read(n)
                    for n in zipfile.ZipFile(io.BytesIO(ok)).namelist()
                },
                "xl/vbaProject.bin": b"\x00" * 64,
            }
        ),
        "makro",
    ),
    "zip that is not a workbook": (lambda ok: _zip_with({"a.txt": b"hi"}), "bukan buku kerja"),
    "decompression bomb": (
        lambda ok: _zip_with({"xl/workbook.xml": b"<x/>", "xl/big.xml": b"0" * 300_000_000}),
        "zip bomb",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CONTAINERS))
def test_bad_containers_are_rejected_with_a_reason(case: str, catalog: Catalog) -> None:
    mutate, expected = BAD_CONTAINERS[case]
    j = _judge(catalog, mutate(_workbook_bytes(catalog)))
    assert j.frames is None
    assert any(expected in m for m in _errors(j)), _errors(j)


def test_oversized_file_is_rejected(catalog: Catalog) -> None:
    data = _workbook_bytes(catalog)
    j = _judge(catalog, data, limits=Limits(max_file_bytes=len(data) - 1))
    assert any("terlalu besar" in m for m in _errors(j))


def _drop_sheet(name: str) -> Edit:
    def edit(wb: Workbook) -> None:
        del wb[name]

    return edit


def _rows_above_header(wb: Workbook) -> None:
    wb["Penerima"].insert_rows(1, 2)
    wb["Penerima"]["A1"] = "Data penerima SPM Dinas Kesehatan"


def _merge_header(wb: Workbook) -> None:
    wb["Penerima"].merge_cells("E1:F1")


def _duplicate_row(wb: Workbook) -> None:
    ws = wb["Penerima"]
    for c in range(1, ws.max_column + 1):
        ws.cell(row=3, column=c, value=ws.cell(row=2, column=c).value)


def _formula(wb: Workbook) -> None:
    wb["Penerima"]["E2"] = "=1+1"


WORKBOOK_CASES: dict[str, tuple[Edit | None, dict, str]] = {  # type: ignore[type-arg]
    "empty workbook": (
        lambda wb: [wb.remove(ws) for ws in wb.worksheets[1:]],
        {},
        "bukan template",
    ),
    "missing sheet": (_drop_sheet("Mutu"), {}, "Lembar 'Mutu' tidak ada"),
    "renamed column": (
        _cell("Penerima", "F1", "Jumlah Terlayani"),
        {},
        "Kolom 'Terlayani' tidak ditemukan",
    ),
    "merged header cells": (_merge_header, {}, "Kolom 'Terlayani' tidak ditemukan"),
    "text in a number cell": (_cell("Penerima", "E2", "banyak"), {}, "bukan teks 'banyak'"),
    "indonesian number as text": (
        _cell("Penerima", "E2", "1.234,5"),
        {},
        "Angka ditulis sebagai teks",
    ),
    "fraction in a count": (_cell("Penerima", "E2", 12.5), {}, "bilangan bulat"),
    "negative count": (_cell("Penerima", "F2", -4), {}, "paling kecil 0"),
    "unknown code": (_cell("Penerima", "C2", "12.71.99"), {}, "tidak dikenal"),
    "another agency's JPD": (_cell("Penerima", "A2", "pendidikan.1"), {}, "bukan milik PD ini"),
    "duplicate keys": (_duplicate_row, {}, "lebih dari sekali"),
    "wrong year": (None, {"tahun": 2024}, "bukan 2025"),
    "another agency's data": (None, {"kode_pd": "DINSOS"}, "data PD 'DINSOS'"),
    "outdated template": (None, {"versi_template": "2023.1"}, "sudah tidak berlaku"),
    "unknown report": (None, {"laporan": "RKPD"}, "tidak dikenal"),
    "missing required value": (_cell("Mutu", "E2", None), {}, "wajib diisi"),
}


@pytest.mark.parametrize("case", list(WORKBOOK_CASES))
def test_bad_workbooks_are_rejected_with_the_cell(case: str, catalog: Catalog) -> None:
    edit, info, expected = WORKBOOK_CASES[case]
    j = _judge(catalog, _workbook_bytes(catalog, edit=edit, info=info))
    errors = [i for i in j.issues if i.severity == "error"]
    assert any(expected in i.message for i in errors), [i.message for i in errors]
    for i in errors:
        assert i.fix, "every error says how to fix it"


def test_rows_above_the_header_are_tolerated_with_a_warning(catalog: Catalog) -> None:
    j = _judge(catalog, _workbook_bytes(catalog, edit=_rows_above_header))
    assert _errors(j) == []
    assert any("bukan baris 1" in i.message for i in j.issues)
    frame = j.frames["Penerima"]  # type: ignore[index]
    assert frame.index[0] == 4, "rows keep the number the official sees"


def _with_cached_formula(data: bytes, formula: str, cached: str) -> bytes:
    """Give cell E2 of Penerima a formula with a cached value, as Excel saves it."""
    src = zipfile.ZipFile(io.BytesIO(data))
    sheet = next(n for n in src.namelist() if n.startswith("xl/worksheets/sheet3"))
    xml = src.read(sheet).decode()
    start = xml.index('<c r="E2"')
    end = xml.index("</c>", start) + len("</c>")
    xml = xml[:start] + f'<c r="E2"><f>{formula}</f><v>{cached}</v></c>' + xml[end:]
    return _zip_with({n: (xml.encode() if n == sheet else src.read(n)) for n in src.namelist()})


@pytest.mark.parametrize("formula", ["SUM(F2:F3)*0+7", "[1]Sheet1!A1+7", 'WEBSERVICE("x")'])
def test_formulas_are_read_from_cached_values_never_evaluated(formula: str, catalog: Catalog) -> None:
    data = _with_cached_formula(_workbook_bytes(catalog), formula, "123456")
    j = _judge(catalog, data)
    assert _errors(j) == []
    assert j.frames["Penerima"].loc[2, "harus_dilayani"] == 123456  # type: ignore[index]


def test_more_served_than_due_is_only_a_warning(catalog: Catalog) -> None:
    j = _judge(catalog, _workbook_bytes(catalog, edit=_cell("Penerima", "F2", 10**6)))
    assert _errors(j) == []
    assert [i.message for i in j.issues] == ["Terlayani lebih banyak daripada yang harus dilayani."]
    assert j.issues[0].row == 2 and j.issues[0].value == "1000000"


def test_folder_of_an_unknown_agency(catalog: Catalog) -> None:
    j = judge(_workbook_bytes(catalog), None, "DINAS-X", 2025, catalog, shared_validator)
    assert "bukan kode Perangkat Daerah" in _errors(j)[0]


def test_template_saved_by_openpyxl_reloads(catalog: Catalog) -> None:
    wb = load_workbook(io.BytesIO(_workbook_bytes(catalog)))
    assert "Penerima" in wb.sheetnames
