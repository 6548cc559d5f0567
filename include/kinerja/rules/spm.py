"""SPM achievement per JPD, bidang and for the kota (shared/domain.md, section 2).

    capaian_penerima(JPD) = sum(terlayani) / sum(harus_dilayani) * 100   (100 when nothing due)
    capaian_mutu(JPD)     = mean over indicators of min(realisasi / target * 100, cap)
    nilai(JPD)            = w_penerima * min(capaian_penerima, cap) + w_mutu * capaian_mutu
    nilai(bidang)         = mean of its JPD;  capaian SPM daerah = mean of the bidang
Weights, the cap and the category bands come from configuration. Intermediate values stay
exact (fractions); each reported value is rounded half-up to 2 places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from kinerja.catalog.loader import Scoring
from kinerja.rules.numbers import exact, round_half_up


@dataclass(frozen=True)
class Penerima:
    kode_wilayah: str
    harus_dilayani: int
    terlayani: int


@dataclass(frozen=True)
class Mutu:
    indikator: str
    jenis: str
    target: float
    realisasi: float


@dataclass(frozen=True)
class JpdInput:
    bidang: str
    kode_jpd: str
    penerima: Sequence[Penerima]
    mutu: Sequence[Mutu]


@dataclass(frozen=True)
class JpdResult:
    bidang: str
    kode_jpd: str
    harus_dilayani: int
    terlayani: int
    capaian_penerima_mentah: Decimal
    """Uncapped: above 100 when more were served than had to be."""
    capaian_penerima: Decimal
    capaian_mutu: Decimal | None
    nilai: Decimal
    _exact_nilai: Fraction = field(repr=False, compare=False, default=Fraction(0))


@dataclass(frozen=True)
class SpmResult:
    jpd: dict[str, JpdResult]
    bidang: dict[str, Decimal]
    daerah: Decimal | None
    kategori: str | None


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def compute_jpd(item: JpdInput, scoring: Scoring) -> JpdResult:
    cap = exact(scoring.batas_atas_indeks)
    harus = sum(p.harus_dilayani for p in item.penerima)
    terlayani = sum(p.terlayani for p in item.penerima)
    mentah = Fraction(terlayani * 100, harus) if harus else Fraction(100)
    penerima = min(mentah, cap)
    w_penerima, w_mutu = exact(scoring.bobot_penerima), exact(scoring.bobot_mutu)
    if item.mutu:
        mutu: Fraction | None = _mean(
            [min(exact(m.realisasi) * 100 / exact(m.target), cap) for m in item.mutu]
        )
        nilai = w_penerima * penerima + w_mutu * mutu  # type: ignore[operator]
    else:
        # No quality indicators reported: the recipients' share carries the whole weight.
        mutu, nilai = None, penerima
    return JpdResult(
        bidang=item.bidang,
        kode_jpd=item.kode_jpd,
        harus_dilayani=harus,
        terlayani=terlayani,
        capaian_penerima_mentah=round_half_up(mentah),
        capaian_penerima=round_half_up(penerima),
        capaian_mutu=round_half_up(mutu) if mutu is not None else None,
        nilai=round_half_up(nilai),
        _exact_nilai=nilai,
    )


def compute_spm(items: Sequence[JpdInput], scoring: Scoring) -> SpmResult:
    """JPD, bidang and kota values; bidang without any JPD data are left out of the mean."""
    jpd = {i.kode_jpd: compute_jpd(i, scoring) for i in items}
    per_bidang: dict[str, list[Fraction]] = {}
    for r in jpd.values():
        per_bidang.setdefault(r.bidang, []).append(r._exact_nilai)
    bidang_exact = {b: _mean(v) for b, v in per_bidang.items()}
    daerah_exact = _mean(list(bidang_exact.values())) if bidang_exact else None
    daerah = round_half_up(daerah_exact) if daerah_exact is not None else None
    return SpmResult(
        jpd=jpd,
        bidang={b: round_half_up(v) for b, v in bidang_exact.items()},
        daerah=daerah,
        kategori=scoring.kategori(float(daerah)) if daerah is not None else None,
    )
