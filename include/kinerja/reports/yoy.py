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
warehouse (backfilled years are ordinary years there): `year.build_year` builds the previous
year when it has loaded data and `with_previous` pairs the figures of both years here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kinerja.cells import format_id, places
from kinerja.rules.numbers import round_half_up

if TYPE_CHECKING:
    from kinerja.reports.lkpj import LkpjSummary
    from kinerja.reports.year import YearReport

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


def _nilai(value: Decimal, satuan: str) -> str:
    text = format_id(value, places(value))
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
        f"{p.arah} {format_id(selisih, places(selisih))} {_poin(p.satuan)}, "
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


# --- pairing two years of the report ------------------------------------------------------
def with_previous(now: YearReport, before: YearReport) -> YearReport:
    """`now` with the previous year beside it and the figures of both paired."""
    return replace(
        now,
        sebelumnya=before,
        perubahan=_perubahan_kota(before, now),
        perubahan_pd={p.kode_pd: _perubahan_pd(before, now, p.kode_pd) for p in now.pd},
    )


def _pair(
    label: str,
    satuan: str,
    a: YearReport,
    b: YearReport,
    va: Any,
    vb: Any,
    kode: str = "",
    arah: str | None = "positif",
) -> Perubahan:
    """Two years of one figure; `arah` says whether a rise is good news (achievements: yes)."""
    return Perubahan(label, satuan, a.tahun, b.tahun, va, vb, kode, arah)


def _lkpj_changes(
    a: LkpjSummary | None, b: LkpjSummary | None, ra: YearReport, rb: YearReport
) -> list[Perubahan]:
    def get(s: LkpjSummary | None, name: str) -> Any:
        return getattr(s, name) if s is not None else None

    return [
        _pair(
            "LKPJ: serapan anggaran program", PERSEN, ra, rb, get(a, "serapan"), get(b, "serapan"), "serapan"
        ),
        _pair(
            "LKPJ: capaian rata-rata indikator output",
            PERSEN,
            ra,
            rb,
            get(a, "capaian_output"),
            get(b, "capaian_output"),
            "capaian_output",
        ),
        _pair(
            "LKPJ: capaian rata-rata indikator outcome",
            PERSEN,
            ra,
            rb,
            get(a, "capaian_outcome"),
            get(b, "capaian_outcome"),
            "capaian_outcome",
        ),
    ]


def _perubahan_kota(a: YearReport, b: YearReport) -> list[Perubahan]:
    out = [_pair("Capaian SPM daerah", PERSEN, a, b, a.spm.daerah, b.spm.daerah, "SPM")]
    before_bidang = {r.kode: r.nilai for r in a.spm.bidang}
    for r in b.spm.bidang:
        out.append(
            _pair(f"Capaian SPM bidang {r.nama}", PERSEN, a, b, before_bidang.get(r.kode), r.nilai, r.kode)
        )
    out.append(_pair("Skor LPPD gaya EPPD (perkiraan)", SKOR, a, b, a.lppd.skor, b.lppd.skor, "LPPD"))
    before_ikk = {x.kode_ikk: x.capaian for x in a.lppd.kota}
    for x in b.lppd.kota:
        out.append(
            _pair(
                f"IKK {x.kode_ikk} {x.nama}",
                x.satuan,
                a,
                b,
                before_ikk.get(x.kode_ikk),
                x.capaian,
                x.kode_ikk,
                x.arah,
            )
        )
    out += _lkpj_changes(a.lkpj.kota, b.lkpj.kota, a, b)
    out += _makro_changes(a, b)
    out.append(
        _pair(
            "Rekomendasi DPRD selesai ditindaklanjuti",
            PERSEN,
            a,
            b,
            a.lkpj.tindak_lanjut_kota.persen_selesai,
            b.lkpj.tindak_lanjut_kota.persen_selesai,
            "tindak_lanjut",
        )
    )
    out.append(
        _pair(
            "Laporan wajib masuk tepat waktu",
            PERSEN,
            a,
            b,
            a.pengumpulan_kota.persen_tepat_waktu,
            b.pengumpulan_kota.persen_tepat_waktu,
            "tepat_waktu",
        )
    )
    return out


def _makro_changes(a: YearReport, b: YearReport) -> list[Perubahan]:
    """Macro indicators in their own direction (a poverty rate that falls is good news), and the
    share of the APBD's belanja realised."""
    before = {m.kode: m.nilai for m in a.makro}
    out = [
        _pair(m.nama, m.satuan, a, b, before.get(m.kode), m.nilai, m.kode, m.arah)
        for m in b.makro
        if m.nilai is not None or before.get(m.kode) is not None
    ]

    def belanja(r: YearReport) -> Decimal | None:
        row = next((x for x in (r.apbd.rows if r.apbd else []) if x.kode == "BELANJA"), None)
        return row.persen if row else None

    if b.apbd and b.apbd.ada_data:
        out.append(_pair("APBD: realisasi belanja", PERSEN, a, b, belanja(a), belanja(b), "apbd_belanja"))
    return out


def _perubahan_pd(a: YearReport, b: YearReport, kode_pd: str) -> list[Perubahan]:
    out: list[Perubahan] = []
    before_jpd = {r.kode_jpd: r.nilai for r in a.spm.jpd}
    for r in b.spm.jpd:
        if r.kode_pd == kode_pd:
            out.append(_pair(f"SPM {r.nama}", PERSEN, a, b, before_jpd.get(r.kode_jpd), r.nilai, r.kode_jpd))
    lppd_a = next((g for g in a.lppd.per_pd if g.kode == kode_pd), None)
    lppd_b = next((g for g in b.lppd.per_pd if g.kode == kode_pd), None)
    if lppd_b is not None:
        out.append(
            _pair(
                "Skor LPPD gaya EPPD (perkiraan)",
                SKOR,
                a,
                b,
                lppd_a.skor if lppd_a else None,
                lppd_b.skor,
                "LPPD",
            )
        )
    before_ikk = {x.kode_ikk: x.capaian for x in a.lppd.pd if x.kode_pd == kode_pd}
    for x in b.lppd.pd:
        if x.kode_pd == kode_pd:
            label = f"IKK {x.kode_ikk} {x.nama}"
            out.append(
                _pair(label, x.satuan, a, b, before_ikk.get(x.kode_ikk), x.capaian, x.kode_ikk, x.arah)
            )
    lkpj_a = next((s for s in a.lkpj.per_pd if s.kode == kode_pd), None)
    lkpj_b = next((s for s in b.lkpj.per_pd if s.kode == kode_pd), None)
    if lkpj_b is not None:
        out += _lkpj_changes(lkpj_a, lkpj_b, a, b)
    return out
