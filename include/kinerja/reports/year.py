"""A reporting year read from the warehouse: SPM, LPPD, LKPJ, macro indicators and APBD,
timeliness, and the previous year beside it.

`build_year(engine, catalog, tahun)` reads only through the report modules (kinerja.status for
the collection status and the SPM inputs, lppd.py, lkpj.py, makro.py, spm.py) and keeps only
aggregates and what the agencies reported about programmes: no personal data is read, so none
can leave.

The previous year is built the same way when the warehouse holds loaded data for it (backfilled
years included), and the figures of both years are paired (yoy.py) in `perubahan` (kota) and
`perubahan_pd` (per PD). The tables every renderer draws from are built from it in `tables/`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Engine, select

from kinerja.catalog.loader import Catalog, PerangkatDaerah, Scoring
from kinerja.cells import format_id
from kinerja.reports.lkpj import LkpjResult, lkpj_for_year
from kinerja.reports.lppd import LppdResult, lppd_for_year
from kinerja.reports.makro import ApbdResult, MakroRow, apbd_for_year, makro_for_year
from kinerja.reports.spm import Penerapan, penerapan_for_year
from kinerja.reports.yoy import Perubahan, with_previous
from kinerja.rules.numbers import exact, round_half_up
from kinerja.rules.spm import SpmResult, compute_spm
from kinerja.status.collection import (
    BELUM_MASUK,
    DITOLAK,
    TERLAMBAT,
    VALID,
    ReportStatus,
    collection_status,
)
from kinerja.status.spm import spm_inputs
from kinerja.warehouse.models import submission_current


# --- SPM rows with names ---------------------------------------------------------------------
@dataclass(frozen=True)
class SpmBidangRow:
    kode: str
    nama: str
    n_jpd: int
    nilai: Decimal
    kategori: str


@dataclass(frozen=True)
class SpmJpdRow:
    bidang: str
    kode_jpd: str
    nama: str
    kode_pd: str
    satuan: str
    harus_dilayani: int
    terlayani: int
    belum_terlayani: int
    capaian_penerima_mentah: Decimal
    capaian_penerima: Decimal
    capaian_mutu: Decimal | None
    nilai: Decimal
    kategori: str


@dataclass(frozen=True)
class SpmMutuRow:
    kode_jpd: str
    kode_pd: str
    kode: str
    nama: str
    jenis: str
    satuan: str
    target: Decimal
    realisasi: Decimal
    capaian: Decimal
    status: str


@dataclass(frozen=True)
class SpmPenerimaRow:
    kode_jpd: str
    kode_pd: str
    kode_wilayah: str
    kecamatan: str
    harus_dilayani: int
    terlayani: int
    belum_terlayani: int
    capaian: Decimal | None


@dataclass(frozen=True)
class SpmReport:
    result: SpmResult
    daerah: Decimal | None
    kategori: str | None
    bidang: list[SpmBidangRow]
    jpd: list[SpmJpdRow]
    mutu: list[SpmMutuRow]
    penerima: list[SpmPenerimaRow]
    rumus: str
    """The configured formula of nilai(JPD), for notes."""
    pita_kategori: str = ""
    penerapan: list[Penerapan] = field(default_factory=list)
    """Budget, stages, problems and action plan per JPD (the Penerapan sheet)."""
    """The configured category bands in words, e.g. 'Tuntas Utama ≥ 90', for notes."""


# --- timeliness ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PengumpulanPd:
    kode_pd: str
    nama: str
    wajib: int
    tepat_waktu: int
    terlambat: int
    ditolak: int
    belum_masuk: int

    @property
    def persen_tepat_waktu(self) -> Decimal | None:
        return round_half_up(Fraction(self.tepat_waktu * 100, self.wajib)) if self.wajib else None


@dataclass(frozen=True)
class YearReport:
    tahun: int
    kota: str
    kode_wilayah: str
    zona: str
    """Time-zone label (WIB) of the times shown."""
    batas_pengumpulan: date
    spm: SpmReport
    lppd: LppdResult
    lkpj: LkpjResult
    pengumpulan: list[ReportStatus]
    pengumpulan_pd: list[PengumpulanPd]
    pengumpulan_kota: PengumpulanPd
    pd: list[PerangkatDaerah]
    """Active PDs with at least one report to hand in: one website bundle each."""
    makro: list[MakroRow] = field(default_factory=list)
    apbd: ApbdResult | None = None
    sebelumnya: YearReport | None = None
    perubahan: list[Perubahan] = field(default_factory=list)
    perubahan_pd: dict[str, list[Perubahan]] = field(default_factory=dict)
    _tz: Any = field(default=None, repr=False, compare=False)

    def nama_pd(self, kode: str) -> str:
        return next((p.nama for p in self.pd if p.kode_pd == kode), kode)


def _spm_report(engine: Engine, catalog: Catalog, tahun: int) -> SpmReport:
    inputs = spm_inputs(engine, catalog, tahun)
    result = compute_spm(inputs, catalog.scoring)
    jpd_cat = {j.kode_jpd: j for j in catalog.jpd}
    kec = {w.kode: w.nama for w in catalog.wilayah}
    bidang = [
        SpmBidangRow(
            b.kode,
            b.nama,
            sum(1 for j in b.jpd if j.kode_jpd in result.jpd),
            result.bidang[b.kode],
            catalog.scoring.kategori(float(result.bidang[b.kode])),
        )
        for b in catalog.bidang
        if b.kode in result.bidang
    ]
    jpd, mutu, penerima = [], [], []
    for item in inputs:
        r = result.jpd[item.kode_jpd]
        j = jpd_cat[item.kode_jpd]
        jpd.append(
            SpmJpdRow(
                bidang=j.bidang,
                kode_jpd=j.kode_jpd,
                nama=j.nama,
                kode_pd=j.kode_pd,
                satuan=j.satuan,
                harus_dilayani=r.harus_dilayani,
                terlayani=r.terlayani,
                belum_terlayani=max(r.harus_dilayani - r.terlayani, 0),
                capaian_penerima_mentah=r.capaian_penerima_mentah,
                capaian_penerima=r.capaian_penerima,
                capaian_mutu=r.capaian_mutu,
                nilai=r.nilai,
                kategori=catalog.scoring.kategori(float(r.nilai)),
            )
        )
        names = {m.kode: m for m in j.mutu}
        for m in item.mutu:
            capaian = exact(m.realisasi) * 100 / exact(m.target)
            ref = names.get(m.indikator)
            mutu.append(
                SpmMutuRow(
                    kode_jpd=j.kode_jpd,
                    kode_pd=j.kode_pd,
                    kode=m.indikator,
                    nama=ref.nama if ref else m.indikator,
                    jenis=m.jenis,
                    satuan=ref.satuan if ref else "",
                    target=round_half_up(exact(m.target)),
                    realisasi=round_half_up(exact(m.realisasi)),
                    capaian=round_half_up(capaian),
                    status="tercapai" if capaian >= 100 else "belum tercapai",
                )
            )
        for p in sorted(item.penerima, key=lambda p: p.kode_wilayah):
            penerima.append(
                SpmPenerimaRow(
                    kode_jpd=j.kode_jpd,
                    kode_pd=j.kode_pd,
                    kode_wilayah=p.kode_wilayah,
                    kecamatan=kec.get(p.kode_wilayah, p.kode_wilayah),
                    harus_dilayani=p.harus_dilayani,
                    terlayani=p.terlayani,
                    belum_terlayani=max(p.harus_dilayani - p.terlayani, 0),
                    capaian=round_half_up(Fraction(p.terlayani * 100, p.harus_dilayani))
                    if p.harus_dilayani
                    else None,
                )
            )
    sc = catalog.scoring
    bobot_p, bobot_m = format_id(Decimal(str(sc.bobot_penerima))), format_id(Decimal(str(sc.bobot_mutu)))
    batas = format_id(Decimal(str(sc.batas_atas_indeks)), 0)
    rumus = f"{bobot_p} × capaian penerima (dibatasi {batas}) + {bobot_m} × capaian mutu (dibatasi {batas})"

    order = {j.kode_jpd: n for n, j in enumerate(catalog.jpd)}
    penerapan = sorted(penerapan_for_year(engine, tahun), key=lambda p: order.get(p.kode_jpd, len(order)))
    return SpmReport(
        result,
        result.daerah,
        result.kategori,
        bidang,
        jpd,
        mutu,
        penerima,
        rumus,
        pita_kategori(sc),
        penerapan,
    )


def pita_kategori(scoring: Scoring) -> str:
    """'Tuntas Paripurna = 100; Tuntas Utama ≥ 90; …; Belum Tuntas < 60' from the configured bands."""
    bands = scoring.kategori_spm
    top = format_id(Decimal(str(scoring.batas_atas_indeks)), 0)

    def angka(v: float) -> str:
        return format_id(Decimal(str(v)), 0 if v == int(v) else 2)

    words = []
    for i, b in enumerate(bands):
        if i == len(bands) - 1 and i > 0:
            words.append(f"{b.nama} < {angka(bands[i - 1].min)}")
        elif b.min >= scoring.batas_atas_indeks:
            words.append(f"{b.nama} = {top}")
        else:
            words.append(f"{b.nama} ≥ {angka(b.min)}")
    return "; ".join(words)


def _pengumpulan(rows: Sequence[ReportStatus], kode: str, nama: str) -> PengumpulanPd:
    def n(status: str) -> int:
        return sum(1 for r in rows if r.status == status)

    return PengumpulanPd(kode, nama, len(rows), n(VALID), n(TERLAMBAT), n(DITOLAK), n(BELUM_MASUK))


def has_year(engine: Engine, tahun: int) -> bool:
    """True when the warehouse holds loaded data for `tahun` (collected or backfilled)."""
    with engine.connect() as conn:
        return (
            conn.execute(
                select(submission_current.c.tahun).where(submission_current.c.tahun == tahun).limit(1)
            ).first()
            is not None
        )


def _core(engine: Engine, catalog: Catalog, tahun: int) -> YearReport:
    status = collection_status(engine, catalog, tahun)
    lkpj = lkpj_for_year(engine, catalog, tahun)
    by_pd: dict[str, list[ReportStatus]] = {}
    for r in status:
        by_pd.setdefault(r.kode_pd, []).append(r)
    return YearReport(
        tahun=tahun,
        kota=catalog.nama,
        kode_wilayah=catalog.kode_wilayah,
        zona=catalog.tz_label,
        batas_pengumpulan=catalog.kalender_tahun(tahun).batas_pengumpulan,
        spm=_spm_report(engine, catalog, tahun),
        lppd=lppd_for_year(engine, catalog, tahun),
        lkpj=lkpj,
        pengumpulan=status,
        pengumpulan_pd=[_pengumpulan(v, k, v[0].nama_pd) for k, v in by_pd.items()],
        pengumpulan_kota=_pengumpulan(status, "", catalog.nama),
        pd=[p for p in catalog.pd_aktif(tahun) if catalog.laporan_wajib(p)],
        makro=makro_for_year(engine, catalog, tahun),
        apbd=apbd_for_year(engine, catalog, tahun, lkpj.kota.pagu),
        _tz=catalog.tz,
    )


def build_year(engine: Engine, catalog: Catalog, tahun: int) -> YearReport:
    """The year's report, with the previous year beside it when the warehouse has it."""
    now = _core(engine, catalog, tahun)
    if not has_year(engine, tahun - 1):
        return now
    return with_previous(now, _core(engine, catalog, tahun - 1))
