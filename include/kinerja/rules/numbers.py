"""Exact arithmetic and the rounding rule of the reports."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction


def exact(value: float | int | str | Decimal) -> Fraction:
    """A configured or stored number as an exact fraction (0.8 is 4/5, not 0.8000000000000000444)."""
    return Fraction(Decimal(str(value)))


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Round as the reports do: half away from zero, on the exact value."""
    scaled = abs(value) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))  # integer arithmetic: no binary or decimal drift
    return (Decimal(-whole if value < 0 else whole).scaleb(-places)).quantize(Decimal(1).scaleb(-places))
