"""Cell values and text as the outputs show them: the one place for safe spreadsheet and CSV
cells, document text and machine text, and the Indonesian number and date notation.

Bottom layer: imports no kinerja module, so intake, reports, publish and Satu Data all use it.

- `safe_cell`: text a spreadsheet would run as a formula (= + - @) gets an apostrophe.
- `csv_cell`: a CSV cell: agency text neutralised, numbers as numbers, times in ISO 8601.
- `doc_text`: a table cell in a document (95,89 %; 1.234.567); `KOSONG` when missing.
- `machine_text`: a cell in machine format (95.89, 2026-01-26T09:15:00+07:00).
- `format_id`, `places`, `tanggal`, `waktu`: Indonesian numbers, dates and times.
- `format_table`: a plain-text table for terminals and task logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

KOSONG = "–"
"""What documents show for a missing value (never in CSV: there it is an empty cell)."""


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe; control
    characters a workbook cannot hold (Excel stores them as `_x0001_`) are shown as U+FFFD."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def format_id(value: Decimal | float, places: int = 2) -> str:
    """Indonesian number format for documents: 12.345,67."""
    text = f"{Decimal(str(value)):,.{places}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def places(value: Decimal) -> int:
    """The decimal places a value carries (2 for a special value)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 2


def doc_text(value: Any, kind: str) -> str:
    """A cell as a document shows it: Indonesian numbers (95,89 %; 1.234.567), local times."""
    if value is None or value == "":
        return KOSONG if kind != "text" else ""
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | Decimal) and kind in ("int", "rp"):
        return format_id(Decimal(value), 0)
    if isinstance(value, Decimal):
        text = format_id(value, places(value))
        return f"{text} %" if kind == "pct" else text
    if isinstance(value, int):
        return format_id(Decimal(value), 0) if kind != "text" else str(value)
    return str(value)


def machine_text(value: Any) -> str:
    """A cell in machine format for CSV: 95.89, 2026-01-26T09:15:00+07:00; text as given."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_cell(value: object) -> str:
    """Text from agencies is neutralised; numbers stay numbers (-1.11 is a number, not a formula)."""
    return str(safe_cell(value)) if isinstance(value, str) else machine_text(value)


HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def tanggal(d: date) -> str:
    """`Senin, 26 Januari 2026`."""
    return f"{HARI[d.weekday()]}, {d.day} {BULAN[d.month - 1]} {d.year}"


def waktu(value: datetime, tz: ZoneInfo, label: str) -> str:
    """`24 Jan 2026 09.12 WIB` (Indonesian time notation)."""
    local = value.astimezone(tz)
    return f"{local.day} {BULAN[local.month - 1][:3]} {local.year} {local:%H.%M} {label}"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A plain-text table, for terminals and task logs."""
    widths = [max([len(str(h))] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    lines = [
        "  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return lines
