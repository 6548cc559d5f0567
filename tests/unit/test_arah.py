"""Indicator direction (arah): negative indicators (lower is better) are computed as target /
realisasi × 100, a realisasi of 0 is handled and explained, and every comparison says in words
whether a change is good news. Through real LKPJ workbooks, and hand-worked."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from kinerja.catalog import Catalog
from kinerja.reports.lkpj import KinerjaInput, compute_lkpj, lkpj_for_year
from kinerja.reports.lppd import IkkInput, compute_lppd
from kinerja.reports.yoy import PERSEN, Perubahan
from kinerja.schema import TEMPLATES
from kinerja.schema.excel import build_workbook, prefilled_rows
from openpyxl import load_workbook
from sqlalchemy import Engine

from ..conftest import make_run

D = Decimal


def _k(ind: str, arah: str, target: float, real: float, jenis: str = "outcome") -> KinerjaInput:
    return KinerjaInput("DINKES", "1.02.02", jenis, ind, "kasus", target, real, 0, 0, None, None, arah)


def test_negative_indicator_capaian_is_target_over_realisasi(catalog: Catalog) -> None:
    rows = {
        r.indikator: r
        for r in compute_lkpj(
            [
                _k("naik baik", "positif", 80, 60),  # 75,00 %
                _k("kasus turun", "negatif", 40, 32),  # 40 / 32 = 125,00 % (better than target)
                _k("kasus naik", "negatif", 40, 50),  # 80,00 %
                _k("nihil kasus", "negatif", 40, 0),  # undefined: best result, the cap, explained
                _k("target nol", "negatif", 0, 5),  # 0 / 5 = 0,00 %
            ],
            [],
            catalog,
            2025,
        ).rows
    }
    assert rows["naik baik"].capaian == D("75.00") and rows["naik baik"].catatan == ""
    assert rows["kasus turun"].capaian == D("125.00") and rows["kasus turun"].arah == "negatif"
    assert rows["kasus naik"].capaian == D("80.00")
    nihil = rows["nihil kasus"]
    assert (
        nihil.capaian == D("100.00") and "realisasi 0" in nihil.catatan and "hasil terbaik" in nihil.catatan
    )
    assert rows["target nol"].capaian == D("0.00")


def test_yoy_says_whether_a_change_is_good_news() -> None:
    miskin = Perubahan("Persentase penduduk miskin", PERSEN, 2023, 2024, D("8.00"), D("7.50"), "P", "negatif")
    assert miskin.kalimat.startswith("turun 0,50 poin persentase")
    assert miskin.penilaian == "membaik"
    assert "membaik (indikator negatif: makin rendah makin baik)" in miskin.kalimat
    naik = replace(miskin, sebelum=D("7.50"), sesudah=D("8.00"))
    assert naik.penilaian == "memburuk" and "naik 0,50 poin persentase" in naik.kalimat
    spm = Perubahan("Capaian SPM daerah", PERSEN, 2022, 2023, D("83.84"), D("95.89"), "SPM", "positif")
    assert spm.kalimat.endswith("; membaik")
    count = Perubahan("Jumlah koperasi", "unit", 2022, 2023, D("10"), D("12"))
    assert count.penilaian is None and "membaik" not in count.kalimat


def test_lppd_catalogue_carries_direction_and_scores_negative_shares_on_the_rest(catalog: Catalog) -> None:
    assert {i.arah for i in catalog.ikk} == {"positif", "negatif"}
    hari = next(i for i in catalog.ikk if i.kode_ikk == "IKK-2.12.03")
    assert (hari.arah, hari.satuan) == ("negatif", "hari")
    # A negative share (e.g. a case rate): 20 % bad -> scored as 80 % good -> 3,2000.
    ikk = next(i for i in catalog.ikk if i.kode_ikk == "IKK-1.01.01")
    neg = replace(catalog, ikk=(replace(ikk, arah="negatif"),))
    (row,) = compute_lppd([IkkInput("DISDIKBUD", "IKK-1.01.01", 20, 100)], neg, 2025).kota
    assert (row.capaian, row.skor, row.arah) == (D("20.00"), D("3.2000"), "negatif")
    assert Fraction(80, 100) * 4 == Fraction(16, 5)


def test_lkpj_template_offers_the_direction_as_a_dropdown(catalog: Catalog, tmp_path: Path) -> None:
    pd = catalog.pd("DINKES")
    assert pd is not None
    path = tmp_path / "lkpj.xlsx"
    build_workbook(TEMPLATES["LKPJ"], catalog, pd, 2025).save(path)
    wb = load_workbook(path)
    ws = wb["Kinerja"]
    header = [c.value for c in ws[1]]
    col = header.index("Arah (positif/negatif)") + 1
    letter = ws.cell(row=1, column=col).column_letter
    lists = [dv for dv in ws.data_validations.dataValidation if f"{letter}2" in str(dv.sqref)]
    assert lists and lists[0].type == "list" and "Kode" in lists[0].formula1
    codes = wb["Kode"]
    columns = {codes.cell(row=1, column=c).value: c for c in range(1, codes.max_column + 1)}
    values = [codes.cell(row=r, column=columns["arah"]).value for r in (2, 3)]
    assert values == ["positif", "negatif"]
    assert any("negatif" in str(c.value) for c in wb["Petunjuk"]["A"])


def _lkpj_file(catalog: Catalog, drive: Path, arah_cell: str) -> Path:
    pd = catalog.pd("DINKES")
    assert pd is not None
    tpl = TEMPLATES["LKPJ"]
    rows = prefilled_rows(tpl, catalog, pd)
    filled = []
    for n, r in enumerate(rows["Kinerja"]):
        negatif = n < 3
        filled.append(
            {
                **r,
                "indikator": f"Jumlah kasus {n}" if negatif else f"Cakupan layanan {n}",
                "arah": arah_cell if n == 0 else ("negatif" if negatif else "positif"),
                "satuan": "kasus" if negatif else "%",
                "target": 40 if negatif else 100,
                "realisasi": (32, 0, 50)[n] if negatif else 90,
                "pagu": 1_000_000,
                "realisasi_anggaran": 900_000,
            }
        )
    path = drive / "2025" / "DINKES" / "lkpj.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {"nama_kontak": "Petugas", "email_kontak": "a@dinkes.example"}
    build_workbook(tpl, catalog, pd, 2025, {"Kinerja": filled, "Tindak Lanjut": []}, info).save(path)
    return path


def test_negative_indicators_through_a_real_workbook(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    _lkpj_file(catalog, drive, "turun")  # typed over the dropdown: refused, with the column named
    (out,) = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert out.status == "rejected"
    assert any(e["column"] == "Arah (positif/negatif)" and e["value"] == "turun" for e in out.errors), (
        out.errors
    )

    _lkpj_file(catalog, drive, "negatif")
    (out,) = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert out.status == "loaded", out.errors
    rows = lkpj_for_year(sqlite_engine, catalog, 2025).rows
    by_name = {r.indikator: r for r in rows}
    assert by_name["Jumlah kasus 0"].capaian == D("125.00")
    assert by_name["Jumlah kasus 1"].capaian == D("100.00") and by_name["Jumlah kasus 1"].catatan
    assert by_name["Jumlah kasus 2"].capaian == D("80.00")
    assert (
        by_name["Cakupan layanan 3"].capaian == D("90.00") and by_name["Cakupan layanan 3"].arah == "positif"
    )
