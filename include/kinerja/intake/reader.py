"""Read a template workbook into typed frames, one per sheet, with the issues found on the way.

Values are read with python-calamine: it reads the values Excel cached for formulas (never
evaluates them, never follows external links) and is several times faster than openpyxl.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import pandas as pd
from python_calamine import CalamineWorkbook

from kinerja.intake.container import DEFAULT_LIMITS, Limits, check_container
from kinerja.schema.issues import Issue, error, shown, warning
from kinerja.schema.model import INFO_FIELDS, INFO_SHEET, TRIWULAN_FIELD, Column, Sheet, Template

INFO_ROWS = "_baris"
"""Key of the Info values' row numbers, so feedback can point at the exact cell."""
HEADER_SEARCH_ROWS = 10
"""How far down we look for the header row (officials add titles above it)."""

_INDONESIAN_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+,\d+$")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_SPACES = re.compile(r"\s+")


@dataclass
class ParsedWorkbook:
    info: dict[str, Any] = field(default_factory=dict)
    sheets: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Typed frames indexed by the Excel row number; columns are the schema's names."""
    issues: list[Issue] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def normalise_header(text: Any) -> str:
    try:
        return _normalised(text)
    except TypeError:  # an unhashable value
        return _normalise(text)


def _normalise(text: Any) -> str:
    return _SPACES.sub(" ", str(text or "")).strip().casefold()


_normalised = lru_cache(maxsize=4096)(_normalise)
"""Header search looks at every cell of the first rows of every sheet: the same few texts."""


def open_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS) -> CalamineWorkbook | Issue:
    """Open bytes as a workbook after the container checks, or say why not."""
    problem = check_container(data, limits)
    if problem:
        return problem
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # calamine raises its own error types for every malformed part
        return _unreadable(exc)


def _unreadable(exc: BaseException, sheet: str | None = None) -> Issue:
    """Why calamine could not read the workbook (or one sheet). A Rust panic inside calamine
    arrives as pyo3's PanicException, a BaseException: it is bad input too, never a crash;
    anything else that is not an Exception (KeyboardInterrupt, SystemExit) is raised again."""
    if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
        raise exc
    where = f"Lembar '{sheet}'" if sheet else "Buku kerja"
    return error(
        f"{where} tidak dapat dibaca ({type(exc).__name__}: {shown(exc, 120)}).",
        "Buka dan simpan ulang berkas di Excel sebagai .xlsx, lalu kirim ulang.",
        sheet=sheet,
    )


def read_info(wb: CalamineWorkbook) -> dict[str, Any] | Issue:
    """The Info sheet's key/value pairs, by label."""
    if INFO_SHEET not in wb.sheet_names:
        return error(
            f"Lembar '{INFO_SHEET}' tidak ada: berkas ini bukan template Laporan Kinerja.",
            "Gunakan template resmi untuk laporan ini dan tahun ini.",
            sheet=INFO_SHEET,
        )
    by_label = {normalise_header(f.label): f.name for f in (*INFO_FIELDS, TRIWULAN_FIELD)}
    info: dict[str, Any] = {INFO_ROWS: {}}
    grid = _grid(wb, INFO_SHEET)
    if isinstance(grid, Issue):
        return grid
    for number, row in enumerate(grid[:50], start=1):
        if len(row) >= 2 and normalise_header(row[0]) in by_label:
            name = by_label[normalise_header(row[0])]
            info[name] = _clean(row[1])
            info[INFO_ROWS][name] = number
    return info


def read_sheets(wb: CalamineWorkbook, tpl: Template, limits: Limits = DEFAULT_LIMITS) -> ParsedWorkbook:
    parsed = ParsedWorkbook()
    for sheet in tpl.sheets:
        if sheet.name not in wb.sheet_names:
            parsed.issues.append(
                error(
                    f"Lembar '{sheet.name}' tidak ada.",
                    f"Gunakan template resmi; jangan ganti nama atau hapus lembar '{sheet.name}'.",
                    sheet=sheet.name,
                )
            )
            continue
        frame, issues = _read_sheet(wb, sheet, limits)
        parsed.issues.extend(issues)
        if frame is not None:
            parsed.sheets[sheet.name] = frame
    return parsed


def _grid(wb: CalamineWorkbook, name: str) -> list[list[Any]] | Issue:
    try:
        sheet = wb.get_sheet_by_name(name)
        rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    except BaseException as exc:  # a malformed sheet part, or a panic inside calamine
        return _unreadable(exc, name)
    return rows


def _read_sheet(
    wb: CalamineWorkbook, sheet: Sheet, limits: Limits
) -> tuple[pd.DataFrame | None, list[Issue]]:
    grid = _grid(wb, sheet.name)
    if isinstance(grid, Issue):
        return None, [grid]
    expected = {normalise_header(c.header): c for c in sheet.columns}
    header_at = _find_header(grid, set(expected))
    if header_at is None:
        found = [shown(v) for v in (grid[0] if grid else []) if v not in (None, "")]
        return None, [
            error(
                f"Baris judul kolom tidak ditemukan di {HEADER_SEARCH_ROWS} baris pertama lembar "
                f"'{sheet.name}'. Ditemukan: {', '.join(str(f) for f in found) or 'lembar kosong'}.",
                "Salin data ke template resmi tanpa mengubah baris judul kolom.",
                sheet=sheet.name,
            )
        ]
    issues: list[Issue] = []
    header_row = grid[header_at]
    positions: dict[str, int] = {}
    for idx, value in enumerate(header_row):
        col = expected.get(normalise_header(value))
        if col and col.name not in positions:
            positions[col.name] = idx
    unknown = [shown(v) for v in header_row if v not in (None, "") and normalise_header(v) not in expected]
    for col in sheet.columns:
        if col.name not in positions and col.stored:
            hint = f" Kolom tak dikenal: {', '.join(str(u) for u in unknown)}." if unknown else ""
            issues.append(
                error(
                    f"Kolom '{col.header}' tidak ditemukan.{hint}",
                    f"Kembalikan judul kolom '{col.header}' persis seperti di template "
                    "(jangan ganti nama atau gabungkan sel judul).",
                    sheet=sheet.name,
                    row=header_at + 1,
                    column=col.header,
                )
            )
    if issues:
        return None, issues
    body = grid[header_at + 1 :]
    if len(body) > limits.max_rows:
        return None, [
            error(
                f"Lembar '{sheet.name}' berisi lebih dari {limits.max_rows} baris.",
                "Hapus baris kosong berformat di bawah data.",
                sheet=sheet.name,
            )
        ]
    frame, cell_issues = _typed_frame(sheet, body, positions, first_row=header_at + 2)
    issues.extend(cell_issues)
    if header_at:
        issues.append(
            warning(
                f"Baris judul kolom ada di baris {header_at + 1}, bukan baris 1.",
                "Tidak perlu diperbaiki kali ini; sebaiknya gunakan template tanpa baris tambahan.",
                sheet=sheet.name,
                row=header_at + 1,
            )
        )
    return frame, issues


def _typed_frame(
    sheet: Sheet, body: list[list[Any]], positions: dict[str, int], first_row: int
) -> tuple[pd.DataFrame, list[Issue]]:
    """The body rows as a typed frame indexed by Excel row, built column by column.

    Each column is cleaned and coerced as one list (a type check per cell, the slow path of
    `coerce` only for cells that are not already of the column's type); rows empty in every
    column of the template are dropped. Issues come out in row, then column, order.
    """
    raw: dict[str, list[Any]] = {}
    for name, pos in positions.items():
        raw[name] = [_clean(row[pos]) if pos < len(row) else None for row in body]
    present = list(raw.values())
    if present:
        keep = [i for i, values in enumerate(zip(*present, strict=True)) if values.count(None) != len(values)]
    else:
        keep = []
    index = [first_row + i for i in keep]
    found: list[tuple[int, int, Issue]] = []
    columns: dict[str, list[Any]] = {}
    for order, col in enumerate(sheet.columns):
        values = raw.get(col.name)
        if values is None:
            columns[col.name] = [None] * len(keep)
            continue
        kept = [values[i] for i in keep] if len(keep) != len(values) else values
        typed, bad = _coerce_column(col, kept)
        for at in bad:
            _, issue = coerce(col, kept[at])
            assert issue is not None
            found.append(
                (
                    at,
                    order,
                    Issue(
                        issue.severity,
                        issue.message,
                        issue.fix,
                        sheet.name,
                        index[at],
                        col.header,
                        shown(kept[at]),
                    ),
                )
            )
        columns[col.name] = typed
    found.sort(key=lambda f: (f[0], f[1]))
    names = [c.name for c in sheet.columns]
    frame = pd.DataFrame(columns, index=pd.Index(index, name="baris"), columns=names)
    return frame, [f[2] for f in found]


def _coerce_column(col: Column, values: list[Any]) -> tuple[list[Any], list[int]]:
    """`coerce` over a whole column: the typed values, and the positions of cells it refuses
    (None in the typed list). Same results as calling `coerce` on every cell."""
    out: list[Any] = []
    bad: list[int] = []
    if col.kind == "text":
        for v in values:
            t = type(v)
            if v is None or t is str:
                out.append(v)
            else:
                out.append(coerce(col, v)[0])
        return out, bad
    integer = col.kind == "integer"
    isfinite = math.isfinite
    for at, v in enumerate(values):
        t = type(v)
        if v is None:
            out.append(None)
        elif t is int:
            out.append(v if integer else float(v))
        elif t is float and isfinite(v):
            if not integer:
                out.append(v)
            elif v.is_integer():
                out.append(int(v))
            else:
                out.append(None)
                bad.append(at)
        else:
            typed, issue = coerce(col, v)
            out.append(typed)
            if issue:
                bad.append(at)
    return out, bad


def _find_header(grid: list[list[Any]], expected: set[str]) -> int | None:
    best, best_hits = None, 0
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in row if normalise_header(v) in expected)
        if hits > best_hits:
            best, best_hits = i, hits
    return best if best_hits >= max(2, len(expected) // 2) else None


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def coerce(col: Column, value: Any) -> tuple[Any, Issue | None]:
    """Turn a raw cell into the column's type, or say why it cannot be.

    Numbers typed as text are refused rather than guessed: '1.234' means 1234 to an
    Indonesian reader and 1.234 to Excel, so we show the official the number we think they
    meant and ask them to type it as a number.
    """
    if value is None:
        return None, None
    if col.kind == "text":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        return str(value), None
    if isinstance(value, bool | datetime | date):
        return None, error(f"Harus berupa angka, bukan {shown(value)}.", "Ketik angka pada sel ini.")
    if isinstance(value, str):
        text = value.replace(" ", "")
        if _INDONESIAN_NUMBER.match(text):
            guess = text.replace(".", "").replace(",", ".")
            return None, error(
                f"Angka ditulis sebagai teks ('{value}').",
                f"Ketik sebagai angka: {guess.replace('.', ',')} (tanpa titik ribuan), "
                "dengan format sel Angka.",
            )
        if _PLAIN_NUMBER.match(text):
            return None, error(
                f"Angka ditulis sebagai teks ('{value}').",
                "Ubah format sel menjadi Angka dan ketik ulang angkanya.",
            )
        return None, error(
            f"Harus berupa angka, bukan teks '{shown(value)}'.",
            "Isi dengan angka; tulis penjelasan di kolom Keterangan/Penjelasan.",
        )
    number = float(value)
    if not math.isfinite(number):
        return None, error("Nilai bukan angka yang sah.", "Ketik angka pada sel ini.")
    if col.kind == "integer":
        if not number.is_integer():
            return None, error(
                f"Harus bilangan bulat, bukan {shown(value)}.",
                "Jumlah orang/unit ditulis tanpa desimal.",
            )
        return int(number), None
    return number, None
