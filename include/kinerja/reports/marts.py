"""A reporting year gathered from the warehouse: SPM, LPPD, LKPJ, timeliness and year over year,
plus the presentation tables every renderer (xlsx, HTML, PDF, CSV) draws from.

`build_marts(engine, catalog, tahun)` reads only through the report modules (status.py for the
collection status and the SPM inputs, lppd.py, lkpj.py) and keeps only aggregates and what the
agencies reported about programmes: no personal data is read, so none can leave.

The previous year is built the same way when the warehouse holds loaded data for it (backfilled
years included), and the figures of both years are paired in `perubahan` (kota) and
`perubahan_pd` (per PD).

Tables (`Table`) are plain rows of typed values; each renderer formats them: Indonesian
numbers in documents (95,89 %), numbers as numbers in xlsx, machine format in CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Engine, select

from kinerja.catalog.loader import Catalog, PerangkatDaerah, Scoring
from kinerja.reports.lkpj import JENIS, NAMA_TINGKAT, TINGKAT, LkpjResult, LkpjSummary, lkpj_for_year
from kinerja.reports.lppd import LppdResult, lppd_for_year
from kinerja.reports.makro import ApbdResult, MakroRow, apbd_for_year, makro_for_year
from kinerja.reports.numbers import exact, format_id, round_half_up
from kinerja.reports.spm import Penerapan, SpmResult, compute_spm, penerapan_for_year
from kinerja.reports.status import (
    BELUM_MASUK,
    DITOLAK,
    TERLAMBAT,
    VALID,
    ReportStatus,
    collection_status,
    spm_inputs,
)
from kinerja.reports.yoy import PERSEN, SKOR, Perubahan
from kinerja.schema.model import TAHAP_SPM
from kinerja.warehouse.models import submission_current

LAPORAN = ("SPM", "LPPD", "LKPJ")


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


def build_marts(engine: Engine, catalog: Catalog, tahun: int) -> YearReport:
    """The year's report, with the previous year beside it when the warehouse has it."""
    now = _core(engine, catalog, tahun)
    if not has_year(engine, tahun - 1):
        return now
    return _with_previous(now, _core(engine, catalog, tahun - 1))


def _with_previous(now: YearReport, before: YearReport) -> YearReport:
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


# --- presentation tables ---------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    key: str
    """Machine name: the CSV header."""
    header: str
    """What a reader sees (Bahasa Indonesia)."""
    kind: str = "text"
    """text | int | rp (Rupiah) | dec (as many places as the value has) | pct (dec + ' %') | datetime"""
    width: int = 12


@dataclass(frozen=True)
class Table:
    name: str
    """Sheet name (unique, at most 31 characters) and CSV file stem."""
    title: str
    section: str
    cols: tuple[Col, ...]
    rows: list[tuple[Any, ...]]
    note: str = ""
    detail: bool = False
    """Long detail tables: an appendix in the PDF."""

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "_" for c in self.name.lower()).strip("_")


SEC_RINGKASAN = "Ringkasan"
SEC_SPM = "Standar Pelayanan Minimal (SPM)"
SEC_LPPD = "Laporan Penyelenggaraan Pemerintahan Daerah (LPPD)"
SEC_LKPJ = "Laporan Keterangan Pertanggungjawaban (LKPJ)"
SEC_TL = "Tindak Lanjut Rekomendasi DPRD"
SEC_KUMPUL = "Pengumpulan Data"
SEC_YOY = "Perbandingan Tahunan"
SECTIONS = (SEC_RINGKASAN, SEC_SPM, SEC_LPPD, SEC_LKPJ, SEC_TL, SEC_KUMPUL, SEC_YOY)


def _cols(*specs: tuple[str, str, str, int] | tuple[str, str, str] | tuple[str, str]) -> tuple[Col, ...]:
    out = []
    for s in specs:
        kind = s[2] if len(s) > 2 else "text"
        default = {"text": 24, "int": 12, "rp": 18, "dec": 12, "pct": 11, "datetime": 17}[kind]
        out.append(Col(s[0], s[1], kind, s[3] if len(s) > 3 else default))
    return tuple(out)


def _local(r: YearReport, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite returns UTC without its zone
        value = value.replace(tzinfo=UTC)
    return value.astimezone(r._tz) if r._tz is not None else value


def _ringkasan_rows(r: YearReport) -> list[tuple[Any, ...]]:
    k, tl, kumpul = r.lkpj.kota, r.lkpj.tindak_lanjut_kota, r.pengumpulan_kota
    lppd_note = f"{r.lppd.status or '-'}; perkiraan dari capaian IKK, bukan skor resmi Kemendagri"
    return [
        ("Capaian SPM daerah", r.spm.daerah, "%", r.spm.kategori or "belum ada data SPM"),
        ("Skor LPPD gaya EPPD (perkiraan)", r.lppd.skor, "skor", lppd_note),
        ("IKK LPPD berdata", Decimal(r.lppd.n_berdata), "IKK", f"dari {r.lppd.n_ikk} IKK"),
        ("LKPJ: capaian rata-rata indikator output", k.capaian_output, "%", f"{k.n_output} indikator"),
        ("LKPJ: capaian rata-rata indikator outcome", k.capaian_outcome, "%", f"{k.n_outcome} indikator"),
        ("LKPJ: pagu program", k.pagu, "Rp", f"{k.n_program} program"),
        ("LKPJ: realisasi anggaran program", k.realisasi_anggaran, "Rp", ""),
        (
            "LKPJ: serapan anggaran program",
            k.serapan,
            "%",
            r.apbd.peringatan if r.apbd and r.apbd.peringatan else "",
        ),
        (
            "Rekomendasi DPRD selesai ditindaklanjuti",
            tl.persen_selesai,
            "%",
            f"{tl.selesai} dari {tl.jumlah}",
        ),
        (
            "Laporan wajib masuk tepat waktu",
            kumpul.persen_tepat_waktu,
            "%",
            f"{kumpul.tepat_waktu} dari {kumpul.wajib}; terlambat {kumpul.terlambat}, "
            f"ditolak {kumpul.ditolak}, belum masuk {kumpul.belum_masuk}",
        ),
    ]


RINGKASAN_COLS = _cols(
    ("indikator", "Indikator", "text", 44),
    ("nilai", "Nilai", "dec", 18),
    ("satuan", "Satuan", "text", 10),
    ("keterangan", "Keterangan", "text", 60),
)


def _minus(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return a - b if a is not None and b is not None else None


def _spm_tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    mine = (lambda row: True) if kode_pd is None else (lambda row: row.kode_pd == kode_pd)
    jpd_names = {j.kode_jpd: j.nama for j in r.spm.jpd}
    out = []
    if kode_pd is None:
        prev: dict[str, Decimal | None] = (
            {b.kode: b.nilai for b in r.sebelumnya.spm.bidang} if r.sebelumnya else {}
        )
        cols = _cols(
            ("kode_bidang", "Kode", "text", 14),
            ("bidang", "Bidang", "text", 28),
            ("jumlah_jpd", "Jumlah JPD", "int"),
            ("nilai", f"Capaian {r.tahun}", "pct"),
            ("kategori", "Kategori", "text", 18),
        )
        rows: list[tuple[Any, ...]] = [(b.kode, b.nama, b.n_jpd, b.nilai, b.kategori) for b in r.spm.bidang]
        rows.append(("DAERAH", f"Capaian SPM {r.kota}", len(r.spm.jpd), r.spm.daerah, r.spm.kategori or ""))
        if r.sebelumnya:
            cols += _cols(
                ("nilai_sebelumnya", f"Capaian {r.sebelumnya.tahun}", "pct"),
                ("selisih_poin", "Perubahan (poin persentase)", "dec", 14),
            )
            prev["DAERAH"] = r.sebelumnya.spm.daerah
            rows = [(*row, prev.get(row[0]), _minus(row[3], prev.get(row[0]))) for row in rows]
        out.append(
            Table(
                "SPM Bidang",
                f"Capaian SPM per bidang dan daerah, {r.tahun}",
                SEC_SPM,
                cols,
                rows,
                note=f"Nilai JPD = {r.spm.rumus}; bidang = rata-rata JPD; daerah = rata-rata bidang. "
                f"Kategori: {r.spm.pita_kategori} (bobot dan kategori: konfigurasi scoring.yaml).",
            )
        )
    out.append(
        Table(
            "SPM JPD",
            "Capaian SPM per jenis pelayanan dasar (JPD)",
            SEC_SPM,
            _cols(
                ("bidang", "Bidang", "text", 14),
                ("kode_jpd", "Kode JPD", "text", 16),
                ("jpd", "Jenis Pelayanan Dasar", "text", 40),
                ("kode_pd", "PD", "text", 14),
                ("satuan", "Satuan", "text", 10),
                ("harus_dilayani", "Harus Dilayani", "int"),
                ("terlayani", "Terlayani", "int"),
                ("belum_terlayani", "Belum Terlayani", "int"),
                ("capaian_penerima_mentah", "Capaian Penerima (mentah)", "pct"),
                ("capaian_penerima", "Capaian Penerima (indeks)", "pct"),
                ("capaian_mutu", "Capaian Mutu", "pct"),
                ("nilai", "Nilai", "pct"),
                ("kategori", "Kategori", "text", 18),
            ),
            [
                (
                    j.bidang,
                    j.kode_jpd,
                    j.nama,
                    j.kode_pd,
                    j.satuan,
                    j.harus_dilayani,
                    j.terlayani,
                    j.belum_terlayani,
                    j.capaian_penerima_mentah,
                    j.capaian_penerima,
                    j.capaian_mutu,
                    j.nilai,
                    j.kategori,
                )
                for j in r.spm.jpd
                if mine(j)
            ],
            note="Capaian penerima mentah boleh di atas 100 (lebih banyak terlayani daripada sasaran); "
            "indeks membatasinya di 100.",
        )
    )
    out.append(
        Table(
            "SPM Mutu",
            "Mutu barang/jasa dan SDM per indikator",
            SEC_SPM,
            _cols(
                ("kode_jpd", "Kode JPD", "text", 16),
                ("jpd", "JPD", "text", 30),
                ("kode_indikator", "Kode Indikator", "text", 20),
                ("indikator", "Indikator Mutu", "text", 40),
                ("jenis", "Jenis", "text", 12),
                ("satuan", "Satuan", "text", 10),
                ("target", "Target", "dec"),
                ("realisasi", "Realisasi", "dec"),
                ("capaian", "Capaian", "pct"),
                ("status", "Status", "text", 14),
            ),
            [
                (
                    m.kode_jpd,
                    jpd_names.get(m.kode_jpd, ""),
                    m.kode,
                    m.nama,
                    m.jenis,
                    m.satuan,
                    m.target,
                    m.realisasi,
                    m.capaian,
                    m.status,
                )
                for m in r.spm.mutu
                if mine(m)
            ],
            detail=True,
        )
    )
    out.append(
        Table(
            "SPM Penerima",
            "Penerima layanan per JPD dan kecamatan",
            SEC_SPM,
            _cols(
                ("kode_jpd", "Kode JPD", "text", 16),
                ("jpd", "JPD", "text", 30),
                ("kode_wilayah", "Kode Wilayah", "text", 12),
                ("kecamatan", "Kecamatan", "text", 22),
                ("harus_dilayani", "Harus Dilayani", "int"),
                ("terlayani", "Terlayani", "int"),
                ("belum_terlayani", "Belum Terlayani", "int"),
                ("capaian", "Capaian", "pct"),
            ),
            [
                (
                    p.kode_jpd,
                    jpd_names.get(p.kode_jpd, ""),
                    p.kode_wilayah,
                    p.kecamatan,
                    p.harus_dilayani,
                    p.terlayani,
                    p.belum_terlayani,
                    p.capaian,
                )
                for p in r.spm.penerima
                if mine(p)
            ],
            detail=True,
        )
    )
    out.append(
        Table(
            "SPM Penerapan",
            "Penerapan SPM per JPD: anggaran, tahapan, permasalahan dan rencana aksi",
            SEC_SPM,
            _cols(
                ("kode_jpd", "Kode JPD", "text", 16),
                ("jpd", "JPD", "text", 30),
                ("kode_pd", "PD", "text", 12),
                ("alokasi", "Alokasi (Rp)", "rp"),
                ("realisasi", "Realisasi (Rp)", "rp"),
                ("selisih", "Selisih (Rp)", "rp"),
                ("serapan", "Realisasi", "pct"),
                *((f"tahap_{name}", label, "text", 12) for name, label in TAHAP_SPM),
                ("permasalahan", "Permasalahan", "text", 30),
                ("solusi", "Solusi", "text", 30),
                ("rencana_aksi", "Rencana Aksi", "text", 30),
            ),
            [
                (
                    p.kode_jpd,
                    jpd_names.get(p.kode_jpd, ""),
                    p.kode_pd,
                    p.alokasi,
                    p.realisasi,
                    p.alokasi - p.realisasi,
                    p.serapan,
                    *(p.tahap[name] for name, _ in TAHAP_SPM),
                    p.permasalahan,
                    p.solusi,
                    p.rencana_aksi,
                )
                for p in r.spm.penerapan
                if mine(p)
            ],
            note="Tahapan penerapan SPM (Permendagri 59/2021): selesai, proses atau belum, seperti e-SPM.",
        )
    )
    return out


def _lppd_tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    out = []
    lp = r.lppd
    if kode_pd is None:
        out.append(
            Table(
                "LPPD Status",
                f"Pita status EPPD yang berlaku untuk LPPD {r.tahun}",
                SEC_LPPD,
                _cols(
                    ("status", "Status", "text", 16),
                    ("skor_min", "Skor Minimal", "dec"),
                    ("sumber", "Sumber", "text", 90),
                ),
                [(b.nama, round_half_up(exact(b.min), 2), lp.sumber_status) for b in lp.bands],
                note="Skor gaya EPPD: perkiraan dari capaian IKK, bukan skor resmi Kemendagri; "
                "tidak dibatasi di 4. Skor per IKK: " + lp.sumber_skor + " Bobot: " + lp.sumber_bobot,
            )
        )
        out.append(
            Table(
                "LPPD Urusan",
                "Capaian IKK dan skor gaya EPPD per urusan",
                SEC_LPPD,
                _cols(
                    ("urusan", "Urusan", "text", 44),
                    ("jumlah_ikk", "Jumlah IKK", "int"),
                    ("ikk_berdata", "IKK Berdata", "int"),
                    ("rata_capaian", "Rata-rata Capaian (IKK %)", "pct"),
                    ("skor", "Skor gaya EPPD", "dec"),
                    ("status", "Status", "text", 14),
                ),
                [
                    (g.nama, g.n_ikk, g.n_berdata, g.rata_capaian, g.skor, g.status or "")
                    for g in lp.per_urusan
                ],
            )
        )
        prev = {x.kode_ikk: x.capaian for x in r.sebelumnya.lppd.kota} if r.sebelumnya else {}
        cols = _cols(
            ("urusan", "Urusan", "text", 26),
            ("kode_ikk", "Kode IKK", "text", 13),
            ("ikk", "Indikator Kinerja Kunci", "text", 44),
            ("rumus", "Rumus", "text", 20),
            ("satuan", "Satuan", "text", 8),
            ("arah", "Arah", "text", 9),
            ("jenis_ikk", "Jenis IKK", "text", 14),
            ("pembilang", "Pembilang", "dec", 14),
            ("penyebut", "Penyebut", "dec", 14),
            ("capaian", f"Capaian {r.tahun}", "dec"),
            ("skor", "Skor gaya EPPD", "dec"),
            ("pd_pelapor", "PD Pelapor", "int"),
            ("pd_wajib", "PD Wajib", "int"),
        )
        if r.sebelumnya:
            cols += _cols(("capaian_sebelumnya", f"Capaian {r.sebelumnya.tahun}", "dec"))
        out.append(
            Table(
                "LPPD IKK",
                "Capaian IKK kota: Σ pembilang / Σ penyebut dari semua PD pelapor",
                SEC_LPPD,
                cols,
                [
                    (
                        x.urusan,
                        x.kode_ikk,
                        x.nama,
                        x.rumus,
                        x.satuan,
                        x.arah,
                        x.jenis_ikk.replace("_", " "),
                        x.pembilang,
                        x.penyebut,
                        x.capaian,
                        x.skor,
                        x.pelapor,
                        x.wajib,
                    )
                    + ((prev.get(x.kode_ikk),) if r.sebelumnya else ())
                    for x in lp.kota
                ],
                note="Capaian = pembilang / penyebut × 100 untuk IKK bersatuan %, selain itu rasio apa "
                "adanya. IKK tanpa satuan % tidak diberi skor.",
            )
        )
        out.append(
            Table(
                "LPPD PD",
                "Capaian IKK dan skor gaya EPPD per perangkat daerah",
                SEC_LPPD,
                _cols(
                    ("kode_pd", "Kode PD", "text", 16),
                    ("pd", "Perangkat Daerah", "text", 40),
                    ("jumlah_ikk", "Jumlah IKK", "int"),
                    ("ikk_berdata", "IKK Berdata", "int"),
                    ("rata_capaian", "Rata-rata Capaian (IKK %)", "pct"),
                    ("skor", "Skor gaya EPPD", "dec"),
                    ("status", "Status", "text", 14),
                ),
                [
                    (g.kode, g.nama, g.n_ikk, g.n_berdata, g.rata_capaian, g.skor, g.status or "")
                    for g in lp.per_pd
                ],
            )
        )
    out.append(
        Table(
            "LPPD IKK per PD" if kode_pd is None else "LPPD IKK",
            "Capaian IKK per perangkat daerah"
            if kode_pd is None
            else "Capaian Indikator Kinerja Kunci (IKK)",
            SEC_LPPD,
            _cols(
                ("kode_pd", "Kode PD", "text", 16),
                ("urusan", "Urusan", "text", 26),
                ("kode_ikk", "Kode IKK", "text", 13),
                ("ikk", "Indikator Kinerja Kunci", "text", 44),
                ("satuan", "Satuan", "text", 8),
                ("pembilang", "Pembilang", "dec", 14),
                ("penyebut", "Penyebut", "dec", 14),
                ("capaian", "Capaian", "dec"),
                ("skor", "Skor gaya EPPD", "dec"),
                ("penjelasan", "Penjelasan", "text", 30),
                ("data_dukung", "Data Dukung", "text", 30),
            ),
            [
                (
                    x.kode_pd,
                    x.urusan,
                    x.kode_ikk,
                    x.nama,
                    x.satuan,
                    x.pembilang,
                    x.penyebut,
                    x.capaian,
                    x.skor,
                    x.penjelasan if x.capaian is not None else "belum dilaporkan",
                    x.data_dukung,
                )
                for x in lp.pd
                if kode_pd is None or x.kode_pd == kode_pd
            ],
            detail=kode_pd is None,
        )
    )
    return out


LKPJ_SUMMARY_COLS = (
    ("jumlah_program", "Program", "int", 9),
    ("jumlah_kegiatan", "Kegiatan", "int", 9),
    ("jumlah_sub_kegiatan", "Sub Kegiatan", "int", 9),
    ("indikator_output", "Indikator Output", "int", 9),
    ("capaian_output", "Capaian Output", "pct"),
    ("indikator_outcome", "Indikator Outcome", "int", 9),
    ("capaian_outcome", "Capaian Outcome", "pct"),
    ("pagu", "Pagu Program (Rp)", "rp"),
    ("realisasi_anggaran", "Realisasi (Rp)", "rp"),
    ("serapan", "Serapan", "pct"),
)


def _summary_row(s: LkpjSummary) -> tuple[Any, ...]:
    return (
        s.kode,
        s.nama,
        s.n_program,
        s.n_kegiatan,
        s.n_sub_kegiatan,
        s.n_output,
        s.capaian_output,
        s.n_outcome,
        s.capaian_outcome,
        s.pagu,
        s.realisasi_anggaran,
        s.serapan,
    )


def _lkpj_tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    out = []
    note = (
        "Capaian output dan outcome dipisah; rata-rata memakai capaian per indikator yang dibatasi batas "
        "atas indeks (scoring.yaml). "
        "Pagu = jumlah pagu tingkat program."
    )
    if kode_pd is None:
        out.append(
            Table(
                "LKPJ PD",
                "Kinerja program dan anggaran per perangkat daerah",
                SEC_LKPJ,
                _cols(
                    ("kode_pd", "Kode PD", "text", 16),
                    ("pd", "Perangkat Daerah", "text", 40),
                    *LKPJ_SUMMARY_COLS,
                ),
                [_summary_row(s) for s in r.lkpj.per_pd] + [_summary_row(r.lkpj.kota)],
                note=note,
            )
        )
        out.append(
            Table(
                "LKPJ Urusan",
                "Kinerja program dan anggaran per bidang urusan",
                SEC_LKPJ,
                _cols(
                    ("kode_urusan", "Kode", "text", 8),
                    ("urusan", "Bidang Urusan", "text", 44),
                    *LKPJ_SUMMARY_COLS,
                ),
                [_summary_row(s) for s in r.lkpj.per_urusan],
                note=note,
            )
        )
    detail_cols = _cols(
        ("kode_pd", "PD", "text", 14),
        ("kode_urusan", "Urusan", "text", 8),
        ("kode", "Kode", "text", 18),
        ("uraian", "Uraian", "text", 40),
        ("indikator", "Indikator", "text", 40),
        ("arah", "Arah", "text", 9),
        ("satuan", "Satuan", "text", 8),
        ("target", "Target", "dec"),
        ("realisasi", "Realisasi", "dec"),
        ("capaian", "Capaian", "pct"),
        ("catatan_capaian", "Catatan Capaian", "text", 30),
        ("pagu", "Pagu (Rp)", "rp"),
        ("realisasi_anggaran", "Realisasi Anggaran (Rp)", "rp"),
        ("serapan", "Serapan", "pct"),
        ("permasalahan", "Permasalahan", "text", 30),
        ("solusi", "Solusi", "text", 30),
    )
    for tingkat in TINGKAT:
        for jenis in JENIS:
            rows = [
                (
                    x.kode_pd,
                    x.kode_urusan,
                    x.kode,
                    x.uraian,
                    x.indikator,
                    x.arah,
                    x.satuan,
                    x.target,
                    x.realisasi,
                    x.capaian,
                    x.catatan,
                    x.pagu,
                    x.realisasi_anggaran,
                    x.serapan,
                    x.permasalahan,
                    x.solusi,
                )
                for x in r.lkpj.rows
                if x.tingkat == tingkat
                and x.jenis_indikator == jenis
                and (kode_pd is None or x.kode_pd == kode_pd)
            ]
            # The city report always has every detail table (the drafts of dokumen.yaml name them),
            # empty when nobody handed in such rows; a PD's bundle only the ones it has rows for.
            if rows or kode_pd is None:
                out.append(
                    Table(
                        f"LKPJ {NAMA_TINGKAT[tingkat]} {jenis.capitalize()}",
                        f"{NAMA_TINGKAT[tingkat]}: indikator {jenis}, target dan realisasi, pagu dan serapan",
                        SEC_LKPJ,
                        detail_cols,
                        rows,
                        note="Capaian = realisasi / target × 100; indikator berarah negatif (makin rendah "
                        "makin baik) = target / realisasi × 100.",
                        detail=kode_pd is None and tingkat != "program",
                    )
                )
    return out


def _tl_tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    out = []
    if kode_pd is None:
        out.append(
            Table(
                "Tindak Lanjut PD",
                "Tindak lanjut rekomendasi DPRD per perangkat daerah",
                SEC_TL,
                _cols(
                    ("kode_pd", "Kode PD", "text", 16),
                    ("pd", "Perangkat Daerah", "text", 40),
                    ("jumlah", "Rekomendasi", "int"),
                    ("selesai", "Selesai", "int"),
                    ("proses", "Proses", "int"),
                    ("belum", "Belum", "int"),
                    ("persen_selesai", "Selesai", "pct"),
                    ("selesai_tanpa_bukti", "Selesai tanpa Bukti", "int"),
                ),
                [
                    (t.kode, t.nama, t.jumlah, t.selesai, t.proses, t.belum, t.persen_selesai, t.tanpa_bukti)
                    for t in [*r.lkpj.tindak_lanjut_pd, r.lkpj.tindak_lanjut_kota]
                ],
            )
        )
    out.append(
        Table(
            "Tindak Lanjut DPRD",
            "Tindak lanjut rekomendasi DPRD atas LKPJ tahun sebelumnya",
            SEC_TL,
            _cols(
                ("kode_pd", "PD", "text", 14),
                ("tahun_lkpj", "Tahun LKPJ", "int", 8),
                ("nomor", "No", "int", 5),
                ("rekomendasi", "Rekomendasi DPRD", "text", 44),
                ("komisi", "Komisi", "text", 10),
                ("tindak_lanjut", "Tindak Lanjut", "text", 44),
                ("status", "Status", "text", 9),
                ("bukti", "Bukti", "text", 30),
            ),
            [
                (
                    x.kode_pd,
                    x.tahun_lkpj,
                    x.nomor,
                    x.rekomendasi,
                    x.komisi,
                    x.tindak_lanjut,
                    x.status,
                    x.bukti,
                )
                for x in r.lkpj.rekomendasi
                if kode_pd is None or x.kode_pd == kode_pd
            ],
            detail=kode_pd is None,
        )
    )
    return out


def _kumpul_tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    out = []
    if kode_pd is None:
        out.append(
            Table(
                "Pengumpulan PD",
                f"Ketepatan waktu pengumpulan data per PD (batas {r.batas_pengumpulan:%d-%m-%Y})",
                SEC_KUMPUL,
                _cols(
                    ("kode_pd", "Kode PD", "text", 16),
                    ("pd", "Perangkat Daerah", "text", 40),
                    ("wajib", "Laporan Wajib", "int"),
                    ("tepat_waktu", "Tepat Waktu", "int"),
                    ("terlambat", "Terlambat", "int"),
                    ("ditolak", "Ditolak", "int"),
                    ("belum_masuk", "Belum Masuk", "int"),
                    ("persen_tepat_waktu", "Tepat Waktu", "pct"),
                ),
                [
                    (
                        p.kode_pd,
                        p.nama,
                        p.wajib,
                        p.tepat_waktu,
                        p.terlambat,
                        p.ditolak,
                        p.belum_masuk,
                        p.persen_tepat_waktu,
                    )
                    for p in [*r.pengumpulan_pd, r.pengumpulan_kota]
                ],
            )
        )
    out.append(
        Table(
            "Pengumpulan",
            f"Status pengumpulan per laporan (batas {r.batas_pengumpulan:%d-%m-%Y})",
            SEC_KUMPUL,
            _cols(
                ("kode_pd", "Kode PD", "text", 16),
                ("pd", "Perangkat Daerah", "text", 40),
                ("laporan", "Laporan", "text", 8),
                ("status", "Status", "text", 12),
                ("versi_diterima", "Versi Masuk", "int"),
                ("versi_ditolak", "Versi Ditolak", "int"),
                ("versi_dimuat", "Versi Dimuat", "int"),
                ("terakhir_diterima", f"Terakhir Masuk ({r.zona})", "datetime"),
            ),
            [
                (
                    s.kode_pd,
                    s.nama_pd,
                    s.laporan,
                    s.status,
                    s.received,
                    s.rejected,
                    s.loaded,
                    _local(r, s.last_received_at),
                )
                for s in r.pengumpulan
                if kode_pd is None or s.kode_pd == kode_pd
            ],
            detail=kode_pd is None,
        )
    )
    return out


def _yoy_table(r: YearReport, items: Sequence[Perubahan]) -> list[Table]:
    if r.sebelumnya is None or not items:
        return []
    a, b = r.sebelumnya.tahun, r.tahun
    return [
        Table(
            "Perbandingan Tahunan",
            f"Perbandingan {a} dan {b}",
            SEC_YOY,
            _cols(
                ("indikator", "Indikator", "text", 44),
                ("kode", "Kode", "text", 14),
                ("satuan", "Satuan", "text", 8),
                (f"nilai_{a}", str(a), "dec"),
                (f"nilai_{b}", str(b), "dec"),
                ("selisih", "Selisih (poin)", "dec"),
                ("relatif_persen", "Perubahan Relatif", "pct"),
                ("keterangan", "Keterangan", "text", 60),
            ),
            [
                (p.indikator, p.kode, p.satuan, p.sebelum, p.sesudah, p.selisih, p.relatif, p.kalimat)
                for p in items
            ],
            note="Perubahan persentase dinyatakan dalam poin persentase; perubahan relatif "
            f"dibandingkan dengan nilai {a}.",
        )
    ]


MAKRO_COLS = (
    ("kode", "Kode", "text", 14),
    ("indikator", "Indikator", "text", 44),
    ("satuan", "Satuan", "text", 12),
    ("arah", "Arah", "text", 9),
)


def _makro_tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    """Macro indicators (Bappeda) and the APBD totals (BPKAD): in the city report and in the bundle
    of the PD that handed them in."""
    out = []
    pd_makro = next((p.kode_pd for p in r.pd if "MAKRO" in _wajib(r, p.kode_pd)), None)
    if r.makro and (kode_pd is None or kode_pd == pd_makro):
        prev = {m.kode: m for m in r.sebelumnya.makro} if r.sebelumnya else {}
        cols = _cols(
            *MAKRO_COLS, ("nilai", f"Nilai {r.tahun}", "dec"), ("tahun_data", "Tahun Data", "text", 10)
        )
        if r.sebelumnya:
            cols += _cols(("nilai_sebelumnya", f"Nilai {r.sebelumnya.tahun}", "dec"))
        cols += _cols(("sumber", "Sumber (BPS)", "text", 40), ("tautan", "Tautan", "text", 40))
        rows = []
        for m in r.makro:
            row: tuple[Any, ...] = (m.kode, m.nama, m.satuan, m.arah, m.nilai, str(m.tahun_data or ""))
            if r.sebelumnya:
                row += (prev[m.kode].nilai if m.kode in prev else None,)
            rows.append((*row, m.sumber, m.tautan))
        out.append(
            Table(
                "Indikator Makro",
                f"Indikator makro daerah {r.kota} (angka BPS, diisi Bappeda)",
                SEC_LKPJ,
                cols,
                rows,
                note="Arah negatif: makin rendah makin baik (kemiskinan, pengangguran, Gini). "
                "Perubahan dan artinya: tabel Perbandingan Tahunan.",
            )
        )
    apbd = r.apbd
    pd_apbd = next((p.kode_pd for p in r.pd if "APBD" in _wajib(r, p.kode_pd)), None)
    # Always in the city report (empty cells until BPKAD hands in): the drafts name the table.
    if apbd and apbd.rows and (kode_pd is None or (kode_pd == pd_apbd and apbd.ada_data)):
        note = (
            "Jumlah dan SILPA dihitung dari kelompok akun (SILPA = pendapatan − belanja + pembiayaan netto)."
        )
        if apbd.peringatan and kode_pd is None:
            note += " PERINGATAN: " + apbd.peringatan
        out.append(
            Table(
                "APBD",
                f"Anggaran dan realisasi APBD {r.kota} tahun {r.tahun}",
                SEC_LKPJ,
                _cols(
                    ("kode", "Kode", "text", 12),
                    ("uraian", "Uraian", "text", 44),
                    ("anggaran", "Anggaran (Rp)", "rp"),
                    ("realisasi", "Realisasi (Rp)", "rp"),
                    ("persen", "Realisasi", "pct"),
                ),
                [(x.kode, x.uraian, x.anggaran, x.realisasi, x.persen) for x in apbd.rows],
                note=note,
            )
        )
    return out


def _wajib(r: YearReport, kode_pd: str) -> list[str]:
    return [s.laporan for s in r.pengumpulan if s.kode_pd == kode_pd]


def city_tables(r: YearReport) -> list[Table]:
    """Every table of the kota's report, in reading order."""
    return [
        Table(
            "Ringkasan",
            f"Ringkasan kinerja {r.kota} tahun {r.tahun}",
            SEC_RINGKASAN,
            RINGKASAN_COLS,
            _ringkasan_rows(r),
        ),
        *_spm_tables(r, None),
        *_lppd_tables(r, None),
        *_lkpj_tables(r, None),
        *_makro_tables(r, None),
        *_tl_tables(r, None),
        *_kumpul_tables(r, None),
        *_yoy_table(r, r.perubahan),
    ]


def pd_ringkasan(r: YearReport, kode_pd: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    jpd = [j for j in r.spm.jpd if j.kode_pd == kode_pd]
    for j in jpd:
        rows.append((f"SPM: {j.nama}", j.nilai, "%", j.kategori))
    g = next((g for g in r.lppd.per_pd if g.kode == kode_pd), None)
    if g is not None:
        rows.append(("LPPD: IKK berdata", Decimal(g.n_berdata), "IKK", f"dari {g.n_ikk} IKK"))
        rows.append(("LPPD: skor gaya EPPD (perkiraan)", g.skor, "skor", g.status or ""))
    s = next((s for s in r.lkpj.per_pd if s.kode == kode_pd), None)
    if s is not None:
        rows += [
            ("LKPJ: capaian rata-rata indikator output", s.capaian_output, "%", f"{s.n_output} indikator"),
            ("LKPJ: capaian rata-rata indikator outcome", s.capaian_outcome, "%", f"{s.n_outcome} indikator"),
            ("LKPJ: pagu program", s.pagu, "Rp", f"{s.n_program} program"),
            ("LKPJ: realisasi anggaran program", s.realisasi_anggaran, "Rp", ""),
            ("LKPJ: serapan anggaran program", s.serapan, "%", ""),
        ]
    t = next((t for t in r.lkpj.tindak_lanjut_pd if t.kode == kode_pd), None)
    if t is not None:
        rows.append(
            (
                "Rekomendasi DPRD selesai ditindaklanjuti",
                t.persen_selesai,
                "%",
                f"{t.selesai} dari {t.jumlah}",
            )
        )
    return rows


def pd_tables(r: YearReport, kode_pd: str) -> list[Table]:
    """The tables of one PD's website bundle (only its own rows)."""
    tables = [
        Table(
            "Ringkasan",
            f"Ringkasan {r.nama_pd(kode_pd)} tahun {r.tahun}",
            SEC_RINGKASAN,
            RINGKASAN_COLS,
            pd_ringkasan(r, kode_pd),
        ),
        *_spm_tables(r, kode_pd),
        *_lppd_tables(r, kode_pd),
        *_lkpj_tables(r, kode_pd),
        *_makro_tables(r, kode_pd),
        *_tl_tables(r, kode_pd),
        *_kumpul_tables(r, kode_pd),
        *_yoy_table(r, r.perubahan_pd.get(kode_pd, [])),
    ]
    return [t for t in tables if t.rows]


# --- cell formatting shared by the renderers ---------------------------------------------------
KOSONG = "–"
"""What documents show for a missing value (never in CSV: there it is an empty cell)."""


def places(value: Decimal) -> int:
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
