"""The EPPD-style score: typed IKK weighted per IKK type, per IKK and per bidang urusan from
configuration; never capped at 4; growth IKKs accept a negative numerator, and only they."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from kinerja.catalog import Catalog
from kinerja.catalog.loader import JENIS_IKK
from kinerja.reports.lppd import IkkInput, compute_lppd, lppd_for_year
from kinerja.schema import TEMPLATES
from kinerja.schema.excel import build_workbook, prefilled_rows
from sqlalchemy import Engine

from ..conftest import make_run

D = Decimal
CASE = [
    IkkInput("DISDIKBUD", "IKK-1.01.01", 45, 60),  # Pendidikan, hasil: 75 % -> 3
    IkkInput("DISDIKBUD", "IKK-1.01.03", 50, 100),  # Pendidikan, keluaran: 50 % -> 2
    IkkInput("DINKES", "IKK-1.02.01", 90, 100),  # Kesehatan, keluaran: 90 % -> 3,6
]


def _weighted(catalog: Catalog, **bobot: object) -> Catalog:
    cfg = catalog.scoring.eppd_skor
    assert cfg is not None and cfg.bobot is not None
    return replace(
        catalog,
        scoring=replace(catalog.scoring, eppd_skor=replace(cfg, bobot=replace(cfg.bobot, **bobot))),
    )


def test_every_ikk_is_typed_and_every_weight_has_a_source(catalog: Catalog) -> None:
    assert {i.jenis_ikk for i in catalog.ikk} == set(JENIS_IKK)
    cfg = catalog.scoring.eppd_skor
    assert cfg is not None and cfg.bobot is not None
    assert set(cfg.bobot.jenis_ikk) == set(JENIS_IKK)
    assert "050/209/IJ" in cfg.bobot.sumber and "[I]" in cfg.bobot.sumber
    assert [i.kode_ikk for i in catalog.ikk if i.pembilang_negatif] == ["IKK-3.26.01"]


def test_weights_per_urusan_and_per_ikk_type_come_from_configuration(catalog: Catalog) -> None:
    # all weights 1: Pendidikan (3 + 2) / 2 = 2,5; Kesehatan 3,6; kota (2,5 + 3,6) / 2 = 3,05
    assert compute_lppd(CASE, catalog, 2025).skor == D("3.0500")
    # Kesehatan weighs 3: (2,5 + 3 x 3,6) / 4 = 3,325
    heavy = _weighted(catalog, bidang_urusan={"Kesehatan": 3.0})
    assert compute_lppd(CASE, heavy, 2025).skor == D("3.3250")
    # an IKK weight overrides its type's: IKK-1.01.01 x 3 -> Pendidikan (9 + 2) / 4 = 2,75; kota 3,175
    ikk = _weighted(catalog, ikk={"IKK-1.01.01": 3.0})
    assert compute_lppd(CASE, ikk, 2025).skor == D("3.1750")
    # hasil weighs nothing: Pendidikan is its keluaran IKK alone (2); kota (2 + 3,6) / 2 = 2,8
    jenis = {i.kode_ikk: i.jenis_ikk for i in catalog.ikk}
    assert [jenis[c.kode_ikk] for c in CASE] == ["hasil", "keluaran", "keluaran"]
    typed = _weighted(catalog, jenis_ikk={"hasil": 0.0, "keluaran": 1.0, "fungsi_penunjang": 1.0})
    assert compute_lppd(CASE, typed, 2025).skor == D("2.8000")


def test_score_is_never_capped_at_4_and_stays_an_estimate(catalog: Catalog) -> None:
    over = [IkkInput("DISDIKBUD", k, 125, 100) for k in ("IKK-1.01.01", "IKK-1.01.02", "IKK-1.01.03")]
    result = compute_lppd(over, catalog, 2025)
    # capaian 125 % is scored as capaian_maks 110 % -> 4 + 10 x 0,04 = 4,4
    assert result.skor == D("4.4000") and result.status == "sangat tinggi"
    assert catalog.scoring.status_eppd(2022, 4.083)[0] == "sangat tinggi", "Banyuwangi, EPPD 2022"


def _lppd_file(catalog: Catalog, drive: Path, kode_pd: str, pembilang: dict[str, float]) -> None:
    pd = catalog.pd(kode_pd)
    assert pd is not None
    tpl = TEMPLATES["LPPD"]
    rows = [
        {**r, "pembilang": pembilang.get(r["kode_ikk"], 40), "penyebut": 100}
        for r in prefilled_rows(tpl, catalog, pd)["IKK"]
    ]
    path = drive / "2025" / kode_pd / "lppd.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {"nama_kontak": "Petugas", "email_kontak": "lppd@dispar.example"}
    build_workbook(tpl, catalog, pd, 2025, {"IKK": rows}, info).save(path)


def test_growth_ikk_takes_a_negative_numerator_and_no_other_does(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    # A decline typed as a negative number on an IKK that counts people: refused, the IKK named.
    _lppd_file(catalog, drive, "DINKES", {"IKK-1.02.01": -3})
    (out,) = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert out.status == "rejected"
    (err,) = out.errors
    assert err["column"] == "Pembilang" and err["value"] == "IKK-1.02.01" and "pertumbuhan" in err["message"]

    _lppd_file(catalog, drive, "DISPAR", {"IKK-3.26.01": -12})  # visitors fell by 12 %
    outcomes = {o.path.split("/")[1]: o for o in make_run(sqlite_engine, drive, catalog, tmp_path).run()}
    assert outcomes["DISPAR"].status == "loaded", outcomes["DISPAR"].errors
    row = next(r for r in lppd_for_year(sqlite_engine, catalog, 2025).kota if r.kode_ikk == "IKK-3.26.01")
    assert (row.pembilang, row.capaian, row.skor) == (D("-12.00"), D("-12.00"), D("0.0000"))
    assert Fraction(-12, 100) * 100 == -12
