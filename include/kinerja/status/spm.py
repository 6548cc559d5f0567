"""The year's SPM inputs as the warehouse holds them, and the SPM achievement computed from them
(the formula: `kinerja.rules.spm`)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from kinerja.catalog.loader import Catalog
from kinerja.rules.spm import JpdInput, Mutu, Penerima, SpmResult, compute_spm
from kinerja.warehouse.models import FACT_TABLES, ref_spm_mutu


def spm_inputs(engine: Engine, catalog: Catalog, tahun: int) -> list[JpdInput]:
    penerima_t, mutu_t = FACT_TABLES["fact_spm_penerima"], FACT_TABLES["fact_spm_mutu"]
    with engine.connect() as conn:
        penerima = conn.execute(
            select(
                penerima_t.c.kode_jpd,
                penerima_t.c.kode_wilayah,
                penerima_t.c.harus_dilayani,
                penerima_t.c.terlayani,
            ).where(penerima_t.c.tahun == tahun)
        ).all()
        mutu = conn.execute(
            select(
                ref_spm_mutu.c.kode_jpd,
                mutu_t.c.kode_indikator,
                mutu_t.c.jenis,
                mutu_t.c.target,
                mutu_t.c.realisasi,
            )
            .join(ref_spm_mutu, ref_spm_mutu.c.kode == mutu_t.c.kode_indikator)
            .where(mutu_t.c.tahun == tahun)
        ).all()
    items = []
    for jpd in catalog.jpd:
        p = [
            Penerima(r.kode_wilayah, r.harus_dilayani, r.terlayani)
            for r in penerima
            if r.kode_jpd == jpd.kode_jpd
        ]
        m = [
            Mutu(r.kode_indikator, r.jenis, r.target, r.realisasi) for r in mutu if r.kode_jpd == jpd.kode_jpd
        ]
        if p or m:
            items.append(JpdInput(jpd.bidang, jpd.kode_jpd, p, m))
    return items


def spm_for_year(engine: Engine, catalog: Catalog, tahun: int) -> SpmResult:
    return compute_spm(spm_inputs(engine, catalog, tahun), catalog.scoring)
