"""Year over year: change between two published figures, worded correctly in Bahasa Indonesia.

A change of a percentage is given in **percentage points** ("poin persentase"), never as
"persen": 83,84 % → 95,89 % is "naik 12,05 poin persentase"; the relative change (14,37 %) may
follow, labelled as such. Scores (EPPD 0–4) change by "poin"; other units by the unit itself.

Whether a change is good news depends on the indicator's direction (arah): for a positive one
(an achievement, a coverage) "naik" is better; for a negative one (a poverty rate, a waiting
time: lower is better) "turun" is, and the sentence says so in words ("membaik: indikator
negatif, makin rendah makin baik"). A figure without a direction (a count) gets no judgement.

Design: the change is computed from the figures as published (already rounded half-up), so a
reader can recompute it from the two numbers printed beside it. Past years come from the
warehouse (backfilled years are ordinary years there): `marts.build_marts` builds the previous
year when it has loaded data and pairs the figures here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kinerja.reports.numbers import format_id, round_half_up

PERSEN, SKOR = "%", "skor"


@dataclass(frozen=True)
class Perubahan:
    """One figure in two years."""

    indikator: str
    satuan: str
    """'%' (change in poin persentase), 'skor' (poin) or another unit (hari, unit ...)."""
    tahun_sebelum: int
    tahun: int
    sebelum: Decimal | None
    sesudah: Decimal | None
    kode: str = ""
    """What the figure belongs to (a bidang, an IKK, a PD...), for tables and bundles."""
    arah_indikator: str | None = None
    """'positif' (higher is better), 'negatif' (lower is better) or None (no judgement)."""

    @property
    def selisih(self) -> Decimal | None:
        """sesudah - sebelum, in the unit's points."""
        if self.sebelum is None or self.sesudah is None:
            return None
        return self.sesudah - self.sebelum

    @property
    def relatif(self) -> Decimal | None:
        """Relative change in %, rounded half-up to 2 places; None when the base is 0 or missing."""
        if self.selisih is None or not self.sebelum:
            return None
        return round_half_up(Fraction(self.selisih) / Fraction(self.sebelum) * 100)

    @property
    def arah(self) -> str:
        if self.selisih is None:
            return "tidak dapat dibandingkan"
        return "naik" if self.selisih > 0 else "turun" if self.selisih < 0 else "tetap"

    @property
    def penilaian(self) -> str | None:
        """'membaik' or 'memburuk' given the indicator's direction; None without one or no change."""
        if self.arah_indikator not in ("positif", "negatif") or not self.selisih:
            return None
        naik_baik = self.arah_indikator == "positif"
        return "membaik" if (self.selisih > 0) == naik_baik else "memburuk"

    @property
    def kalimat(self) -> str:
        return describe(self)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 2


def _nilai(value: Decimal, satuan: str) -> str:
    text = format_id(value, _places(value))
    if satuan == PERSEN:
        return f"{text} %"
    if satuan == SKOR:
        return text
    return f"{text} {satuan}".rstrip()


def _poin(satuan: str) -> str:
    return {"%": "poin persentase", "skor": "poin"}.get(satuan, satuan)


def describe(p: Perubahan) -> str:
    """E.g. 'naik 12,05 poin persentase, dari 83,84 % (2022) menjadi 95,89 % (2023);
    secara relatif naik 14,37 %'."""
    if p.sebelum is None or p.sesudah is None:
        missing = p.tahun_sebelum if p.sebelum is None else p.tahun
        return f"tidak dapat dibandingkan: belum ada data {missing}"
    if p.selisih == 0:
        return f"tidak berubah, {_nilai(p.sesudah, p.satuan)} pada {p.tahun_sebelum} dan {p.tahun}"
    assert p.selisih is not None
    selisih = abs(p.selisih)
    text = (
        f"{p.arah} {format_id(selisih, _places(selisih))} {_poin(p.satuan)}, "
        f"dari {_nilai(p.sebelum, p.satuan)} ({p.tahun_sebelum}) "
        f"menjadi {_nilai(p.sesudah, p.satuan)} ({p.tahun})"
    )
    if p.relatif is not None:
        text += f"; secara relatif {p.arah} {format_id(abs(p.relatif))} %"
    if p.penilaian is not None:
        text += f"; {p.penilaian}"
        if p.arah_indikator == "negatif":
            text += " (indikator negatif: makin rendah makin baik)"
    return text
