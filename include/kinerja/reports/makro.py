"""Macro indicators (BPS figures Bappeda hands in) and the APBD totals (BPKAD), for the LKPJ and
LPPD outputs.

    persen realisasi(akun) = realisasi / anggaran × 100          (none when anggaran = 0)
    pendapatan, belanja    = Σ of their account groups
    pembiayaan netto       = penerimaan pembiayaan − pengeluaran pembiayaan
    SILPA                  = pendapatan − belanja + pembiayaan netto   (computed, never typed)

The LKPJ's programme budgets (Σ pagu over every PD's programmes) should equal the APBD's belanja:
when they differ by more than `apbd.yaml: toleransi_pagu_persen` of belanja, the report carries a
warning with both figures (the data stay as handed in; the tim ahli decide which is wrong).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import Engine, select

from kinerja.catalog.loader import Catalog
from kinerja.cells import format_id
from kinerja.rules.numbers import exact, round_half_up
from kinerja.warehouse.models import FACT_TABLES


@dataclass(frozen=True)
class MakroRow:
    kode: str
    nama: str
    satuan: str
    arah: str
    nilai: Decimal | None
    """None: not handed in."""
    tahun_data: int | None
    sumber: str
    tautan: str


def makro_for_year(engine: Engine, catalog: Catalog, tahun: int) -> list[MakroRow]:
    """Every catalogue indicator in its order, with the value handed in for `tahun` (if any)."""
    t = FACT_TABLES["fact_makro_indikator"]
    with engine.connect() as conn:
        got = {
            r.kode_indikator: r
            for r in conn.execute(
                select(t.c.kode_indikator, t.c.nilai, t.c.tahun_data, t.c.sumber, t.c.tautan).where(
                    t.c.tahun == tahun
                )
            )
        }
    out = []
    for m in catalog.makro:
        r = got.get(m.kode)
        places = 3 if m.satuan == "rasio" else 2
        out.append(
            MakroRow(
                kode=m.kode,
                nama=m.nama,
                satuan=m.satuan,
                arah=m.arah,
                nilai=round_half_up(exact(r.nilai), places) if r else None,
                tahun_data=int(r.tahun_data) if r else None,
                sumber=(r.sumber or "") if r else "",
                tautan=(r.tautan or "") if r else "",
            )
        )
    return out


@dataclass(frozen=True)
class ApbdRow:
    kode: str
    uraian: str
    jenis: str
    """An account group's jenis, or 'jumlah' for the computed totals and SILPA."""
    anggaran: Decimal | None
    realisasi: Decimal | None

    @property
    def persen(self) -> Decimal | None:
        if self.anggaran is None or self.realisasi is None or not self.anggaran:
            return None
        return round_half_up(Fraction(self.realisasi) * 100 / Fraction(self.anggaran))


@dataclass(frozen=True)
class ApbdResult:
    rows: list[ApbdRow]
    """The account groups, then the totals (pendapatan, belanja, pembiayaan netto, SILPA)."""
    ada_data: bool
    belanja_anggaran: Decimal | None
    pagu_program: Decimal
    peringatan: str | None
    """Programme budgets vs belanja, when they disagree; None when they agree or cannot be compared."""


JUMLAH = (
    ("PENDAPATAN", "Jumlah pendapatan"),
    ("BELANJA", "Jumlah belanja"),
    ("PEMBIAYAAN", "Pembiayaan netto (penerimaan − pengeluaran)"),
    ("SILPA", "Sisa lebih pembiayaan anggaran (SILPA)"),
)


def apbd_for_year(engine: Engine, catalog: Catalog, tahun: int, pagu_program: Decimal) -> ApbdResult:
    t = FACT_TABLES["fact_apbd_akun"]
    with engine.connect() as conn:
        got = {
            r.kode_akun: r
            for r in conn.execute(
                select(t.c.kode_akun, t.c.anggaran, t.c.realisasi).where(t.c.tahun == tahun)
            )
        }
    rows = []
    sums = {
        j: [Fraction(0), Fraction(0)]
        for j in ("pendapatan", "belanja", "penerimaan_pembiayaan", "pengeluaran_pembiayaan")
    }
    for a in catalog.apbd:
        r = got.get(a.kode)
        if r is not None:
            sums[a.jenis][0] += exact(r.anggaran)
            sums[a.jenis][1] += exact(r.realisasi)
        rows.append(
            ApbdRow(
                a.kode,
                a.nama,
                a.jenis,
                round_half_up(exact(r.anggaran), 0) if r else None,
                round_half_up(exact(r.realisasi), 0) if r else None,
            )
        )
    ada = bool(got)
    pembiayaan = [sums["penerimaan_pembiayaan"][i] - sums["pengeluaran_pembiayaan"][i] for i in (0, 1)]
    silpa = [sums["pendapatan"][i] - sums["belanja"][i] + pembiayaan[i] for i in (0, 1)]
    totals = (sums["pendapatan"], sums["belanja"], pembiayaan, silpa)
    for (kode, uraian), (ang, real) in zip(JUMLAH, totals, strict=True):
        rows.append(
            ApbdRow(
                kode,
                uraian,
                "jumlah",
                round_half_up(ang, 0) if ada else None,
                round_half_up(real, 0) if ada else None,
            )
        )
    belanja = round_half_up(sums["belanja"][0], 0) if ada else None
    return ApbdResult(rows, ada, belanja, pagu_program, _cek_pagu(belanja, pagu_program, catalog))


def _cek_pagu(belanja: Decimal | None, pagu: Decimal, catalog: Catalog) -> str | None:
    if belanja is None or not pagu:
        return None
    selisih = pagu - belanja
    batas = Fraction(belanja) * exact(catalog.toleransi_pagu_persen) / 100
    if abs(Fraction(selisih)) <= batas:
        return None
    arah = "lebih besar" if selisih > 0 else "lebih kecil"
    return (
        f"Jumlah pagu program LKPJ Rp {format_id(pagu, 0)} {arah} daripada anggaran belanja APBD "
        f"Rp {format_id(belanja, 0)} (selisih Rp {format_id(abs(selisih), 0)}, batas toleransi "
        f"{format_id(round_half_up(exact(catalog.toleransi_pagu_persen), 2))} %): periksa pagu program PD "
        "terhadap DPA/SIPD dan data APBD BPKAD."
    )
