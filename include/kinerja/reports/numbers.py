"""Exact arithmetic and the rounding rule of the reports."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo


def exact(value: float | int | str | Decimal) -> Fraction:
    """A configured or stored number as an exact fraction (0.8 is 4/5, not 0.8000000000000000444)."""
    return Fraction(Decimal(str(value)))


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Round as the reports do: half away from zero, on the exact value."""
    scaled = abs(value) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))  # integer arithmetic: no binary or decimal drift
    return (Decimal(-whole if value < 0 else whole).scaleb(-places)).quantize(Decimal(1).scaleb(-places))


def format_id(value: Decimal | float, places: int = 2) -> str:
    """Indonesian number format for documents: 12.345,67."""
    text = f"{Decimal(str(value)):,.{places}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


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
