"""LKPJ: program, kegiatan and sub-kegiatan performance per PD and urusan, and the follow-up of
the DPRD's recommendations on last year's LKPJ.

Per indicator row (as handed in, Kepmendagri 050-5889/2021 codes):

    capaian %  = realisasi / target × 100              (arah positif; raw, may exceed 100;
                                                        none when target = 0)
               = target / realisasi × 100              (arah negatif: lower is better, SIPD practice)
    serapan %  = realisasi anggaran / pagu × 100       (none when pagu = 0)

Design decisions:

* **negative indicators** (arah negatif) with realisasi 0: nothing of what the indicator counts
  happened, the best result there is; the division is undefined, so capaian is the index cap
  (`batas_atas_indeks`, 100) and the row says why (`catatan`). Target 0 with realisasi above 0
  gives capaian 0 (target / realisasi).

* **output and outcome are kept apart** (2026 rakor): every table carries the jenis indikator,
  the detail tables are split by it, and summaries give one mean capaian per jenis, never a
  mixed one. Summary means use each row's capaian capped at the index cap of `scoring.yaml`
  (`batas_atas_indeks`, as the SPM index does) so one 300 % indicator cannot hide shortfalls;
  the row tables keep the raw value.
* the budget belongs to the nomenclature code, not to the indicator: a code with several
  indicator rows counts its pagu (and realisasi) once, the largest value reported on its rows
  (officials either repeat it on every row or fill only the first).
* a PD's (and an urusan's) budget is the sum over its **program** codes: the level the DPRD
  reads; kegiatan and sub-kegiatan budgets are shown in their own tables.
* the urusan of a row is its bidang urusan in the nomenclature (walking `induk` up).
* recommendations: every follow-up row handed in for the year (normally on LKPJ year-1),
  counted per status selesai / proses / belum, with the evidence as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import Engine, select

from kinerja.catalog.loader import Catalog
from kinerja.cells import format_id
from kinerja.rules.numbers import exact, round_half_up
from kinerja.warehouse.models import FACT_TABLES

TINGKAT = ("program", "kegiatan", "sub_kegiatan")
NAMA_TINGKAT = {"program": "Program", "kegiatan": "Kegiatan", "sub_kegiatan": "Sub Kegiatan"}
JENIS = ("outcome", "output")
STATUS_TL = ("selesai", "proses", "belum")


@dataclass(frozen=True)
class KinerjaInput:
    kode_pd: str
    kode: str
    jenis_indikator: str
    indikator: str
    satuan: str
    target: float
    realisasi: float
    pagu: float
    realisasi_anggaran: float
    permasalahan: str | None = None
    solusi: str | None = None
    arah: str = "positif"


@dataclass(frozen=True)
class KinerjaRow:
    kode_pd: str
    kode_urusan: str
    urusan: str
    tingkat: str
    kode: str
    uraian: str
    jenis_indikator: str
    indikator: str
    satuan: str
    target: Decimal
    realisasi: Decimal
    capaian: Decimal | None
    pagu: Decimal
    realisasi_anggaran: Decimal
    serapan: Decimal | None
    permasalahan: str
    solusi: str
    arah: str = "positif"
    catatan: str = ""
    """Why capaian is what it is when the formula alone does not say (realisasi 0, negatif)."""
    _capaian: Fraction | None = field(default=None, repr=False, compare=False)
    _pagu: Fraction = field(default=Fraction(0), repr=False, compare=False)
    _realisasi_anggaran: Fraction = field(default=Fraction(0), repr=False, compare=False)


@dataclass(frozen=True)
class LkpjSummary:
    """A PD, an urusan or the kota."""

    kode: str
    nama: str
    n_program: int
    n_kegiatan: int
    n_sub_kegiatan: int
    n_output: int
    n_outcome: int
    capaian_output: Decimal | None
    capaian_outcome: Decimal | None
    pagu: Decimal
    realisasi_anggaran: Decimal
    serapan: Decimal | None


@dataclass(frozen=True)
class Rekomendasi:
    kode_pd: str
    tahun_lkpj: int
    nomor: int
    rekomendasi: str
    komisi: str
    tindak_lanjut: str
    status: str
    bukti: str


@dataclass(frozen=True)
class TindakLanjut:
    """Follow-up counts for a PD or the kota."""

    kode: str
    nama: str
    jumlah: int
    selesai: int
    proses: int
    belum: int
    persen_selesai: Decimal | None
    tanpa_bukti: int
    """Rows marked selesai without any evidence."""


@dataclass(frozen=True)
class LkpjResult:
    tahun: int
    rows: list[KinerjaRow]
    per_pd: list[LkpjSummary]
    per_urusan: list[LkpjSummary]
    kota: LkpjSummary
    rekomendasi: list[Rekomendasi]
    tindak_lanjut_pd: list[TindakLanjut]
    tindak_lanjut_kota: TindakLanjut


def _pct(num: Fraction, den: Fraction) -> Fraction | None:
    return num * 100 / den if den else None


REALISASI_NOL_NEGATIF = (
    "indikator negatif dengan realisasi 0: hasil terbaik, target / realisasi tidak terdefinisi; "
    "capaian dihitung {cap} (batas indeks)"
)


def capaian_indikator(
    target: Fraction, realisasi: Fraction, arah: str, cap: Fraction
) -> tuple[Fraction | None, str]:
    """An indicator's capaian (%) given its direction, and a note when the formula needs one."""
    if arah != "negatif":
        return _pct(realisasi, target), ""
    if realisasi == 0:
        return cap, REALISASI_NOL_NEGATIF.format(cap=format_id(round_half_up(cap, 0), 0))
    return target * 100 / realisasi, ""


def _bidang_urusan(catalog: Catalog) -> dict[str, tuple[str, str]]:
    """kode nomenklatur → (kode bidang urusan, name)."""
    nodes = {n.kode: n for n in catalog.nomenklatur}
    out: dict[str, tuple[str, str]] = {}
    for n in catalog.nomenklatur:
        node, seen = n, 0
        while node.tingkat not in ("bidang_urusan", "urusan") and node.induk in nodes and seen < 10:
            node, seen = nodes[node.induk], seen + 1
        out[n.kode] = (node.kode, node.nama)
    return out


def _summary(kode: str, nama: str, rows: Sequence[KinerjaRow], cap: Fraction) -> LkpjSummary:
    def mean_capaian(jenis: str) -> Decimal | None:
        values = [min(r._capaian, cap) for r in rows if r.jenis_indikator == jenis and r._capaian is not None]
        return round_half_up(sum(values, Fraction(0)) / len(values)) if values else None

    budget: dict[str, tuple[Fraction, Fraction]] = {}
    for r in rows:
        if r.tingkat == "program":
            key = f"{r.kode_pd}|{r.kode}"
            pagu, real = budget.get(key, (Fraction(0), Fraction(0)))
            budget[key] = (max(pagu, r._pagu), max(real, r._realisasi_anggaran))
    pagu = sum((p for p, _ in budget.values()), Fraction(0))
    real = sum((r for _, r in budget.values()), Fraction(0))
    codes = {t: {(r.kode_pd, r.kode) for r in rows if r.tingkat == t} for t in TINGKAT}
    serapan = _pct(real, pagu)
    return LkpjSummary(
        kode=kode,
        nama=nama,
        n_program=len(codes["program"]),
        n_kegiatan=len(codes["kegiatan"]),
        n_sub_kegiatan=len(codes["sub_kegiatan"]),
        n_output=sum(1 for r in rows if r.jenis_indikator == "output"),
        n_outcome=sum(1 for r in rows if r.jenis_indikator == "outcome"),
        capaian_output=mean_capaian("output"),
        capaian_outcome=mean_capaian("outcome"),
        pagu=round_half_up(pagu, 0),
        realisasi_anggaran=round_half_up(real, 0),
        serapan=round_half_up(serapan) if serapan is not None else None,
    )


def _tindak_lanjut(kode: str, nama: str, rows: Sequence[Rekomendasi]) -> TindakLanjut:
    counts = {s: sum(1 for r in rows if r.status == s) for s in STATUS_TL}
    return TindakLanjut(
        kode=kode,
        nama=nama,
        jumlah=len(rows),
        selesai=counts["selesai"],
        proses=counts["proses"],
        belum=counts["belum"],
        persen_selesai=round_half_up(Fraction(counts["selesai"] * 100, len(rows))) if rows else None,
        tanpa_bukti=sum(1 for r in rows if r.status == "selesai" and not r.bukti.strip()),
    )


def compute_lkpj(
    inputs: Sequence[KinerjaInput], rekomendasi: Sequence[Rekomendasi], catalog: Catalog, tahun: int
) -> LkpjResult:
    cap = exact(catalog.scoring.batas_atas_indeks)
    nodes = {n.kode: n for n in catalog.nomenklatur}
    urusan_of = _bidang_urusan(catalog)
    pd_order = {p.kode_pd: n for n, p in enumerate(catalog.perangkat_daerah)}
    rows = []
    for i in inputs:
        node = nodes.get(i.kode)
        kode_urusan, urusan = urusan_of.get(i.kode, ("", ""))
        target, realisasi = exact(i.target), exact(i.realisasi)
        pagu, real = exact(i.pagu), exact(i.realisasi_anggaran)
        capaian, catatan = capaian_indikator(target, realisasi, i.arah, cap)
        serapan = _pct(real, pagu)
        rows.append(
            KinerjaRow(
                kode_pd=i.kode_pd,
                kode_urusan=kode_urusan,
                urusan=urusan,
                tingkat=node.tingkat if node else "",
                kode=i.kode,
                uraian=node.nama if node else "",
                jenis_indikator=i.jenis_indikator,
                indikator=i.indikator,
                satuan=i.satuan,
                target=round_half_up(target, 2),
                realisasi=round_half_up(realisasi, 2),
                capaian=round_half_up(capaian) if capaian is not None else None,
                pagu=round_half_up(pagu, 0),
                realisasi_anggaran=round_half_up(real, 0),
                serapan=round_half_up(serapan) if serapan is not None else None,
                permasalahan=i.permasalahan or "",
                solusi=i.solusi or "",
                arah=i.arah,
                catatan=catatan,
                _capaian=capaian,
                _pagu=pagu,
                _realisasi_anggaran=real,
            )
        )
    rows.sort(
        key=lambda r: (
            pd_order.get(r.kode_pd, len(pd_order)),
            r.kode_pd,
            r.kode,
            JENIS.index(r.jenis_indikator) if r.jenis_indikator in JENIS else 9,
            r.indikator,
        )
    )
    by_pd: dict[str, list[KinerjaRow]] = {}
    by_urusan: dict[str, list[KinerjaRow]] = {}
    for r in rows:
        by_pd.setdefault(r.kode_pd, []).append(r)
        by_urusan.setdefault(r.kode_urusan, []).append(r)

    def pd_name(kode: str) -> str:
        pd = catalog.pd(kode)
        return pd.nama if pd else kode

    rek = sorted(
        rekomendasi, key=lambda r: (pd_order.get(r.kode_pd, len(pd_order)), r.kode_pd, r.tahun_lkpj, r.nomor)
    )
    rek_pd: dict[str, list[Rekomendasi]] = {}
    for rk in rek:
        rek_pd.setdefault(rk.kode_pd, []).append(rk)
    return LkpjResult(
        tahun=tahun,
        rows=rows,
        per_pd=[_summary(k, pd_name(k), v, cap) for k, v in by_pd.items()],
        per_urusan=[
            _summary(k, v[0].urusan, v, cap)
            for k, v in sorted(by_urusan.items(), key=lambda kv: _code_key(kv[0]))
        ],
        kota=_summary("", catalog.nama, rows, cap),
        rekomendasi=rek,
        tindak_lanjut_pd=[_tindak_lanjut(k, pd_name(k), v) for k, v in rek_pd.items()],
        tindak_lanjut_kota=_tindak_lanjut("", catalog.nama, rek),
    )


def _code_key(kode: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in kode.split("."))


def lkpj_inputs(engine: Engine, tahun: int) -> tuple[list[KinerjaInput], list[Rekomendasi]]:
    k, t = FACT_TABLES["fact_lkpj_kinerja"], FACT_TABLES["fact_lkpj_rekomendasi"]
    with engine.connect() as conn:
        kinerja = conn.execute(
            select(
                k.c.kode_pd,
                k.c.kode,
                k.c.jenis_indikator,
                k.c.indikator,
                k.c.satuan,
                k.c.target,
                k.c.realisasi,
                k.c.pagu,
                k.c.realisasi_anggaran,
                k.c.permasalahan,
                k.c.solusi,
                k.c.arah,
            )
            .where(k.c.tahun == tahun)
            .order_by(k.c.kode_pd, k.c.baris)
        ).all()
        rek = conn.execute(
            select(
                t.c.kode_pd,
                t.c.tahun_lkpj,
                t.c.nomor,
                t.c.rekomendasi,
                t.c.komisi,
                t.c.tindak_lanjut,
                t.c.status,
                t.c.bukti,
            ).where(t.c.tahun == tahun)
        ).all()
    return (
        [KinerjaInput(*r) for r in kinerja],
        [
            Rekomendasi(
                r.kode_pd,
                int(r.tahun_lkpj),
                int(r.nomor),
                r.rekomendasi or "",
                r.komisi or "",
                r.tindak_lanjut or "",
                r.status or "",
                r.bukti or "",
            )
            for r in rek
        ],
    )


def lkpj_for_year(engine: Engine, catalog: Catalog, tahun: int) -> LkpjResult:
    kinerja, rek = lkpj_inputs(engine, tahun)
    return compute_lkpj(kinerja, rek, catalog, tahun)
