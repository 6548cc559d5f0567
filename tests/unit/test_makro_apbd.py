"""The macro indicators Bappeda hands in and the APBD totals BPKAD hands in: real workbooks from
the templates, the mistakes officials make refused with the cell named, the figures in the LKPJ
and LPPD outputs with year over year, and programme budgets checked against the APBD's belanja."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from kinerja.catalog import Catalog
from kinerja.catalog.loader import REFERENCE_DIR
from kinerja.cli import main
from kinerja.reports.headline import headline, ringkasan_lines
from kinerja.reports.makro import apbd_for_year
from kinerja.reports.tables import city_tables, pd_tables
from kinerja.reports.year import build_year
from kinerja.schema import TEMPLATES
from kinerja.schema.excel import build_workbook, prefilled_rows
from openpyxl import load_workbook
from sqlalchemy import Engine

from ..conftest import make_run

D = Decimal
MEDAN_2025 = {
    "MAKRO-IPM": (82.31, 2025),
    "MAKRO-MISKIN": (7.64, 2025),
    "MAKRO-TPT": (7.42, 2025),
    "MAKRO-PE": (5.12, 2025),
    "MAKRO-PDRBKAP": (112.5, 2024),
    "MAKRO-GINI": (0.372, 2025),
}


def _makro(
    catalog: Catalog, drive: Path, tahun: int, values: dict[str, tuple[float, int]], **edit: Any
) -> None:
    pd = catalog.pd("BAPPEDA")
    assert pd is not None
    tpl = TEMPLATES["MAKRO"]
    rows = []
    for r in prefilled_rows(tpl, catalog, pd)["Makro"]:
        nilai, tahun_data = values[r["kode_indikator"]]
        row = {
            **r,
            "nilai": nilai,
            "tahun_data": tahun_data,
            "sumber": f"BPS Kota Medan, Berita Resmi Statistik {tahun_data}",
            "tautan": "https://medankota.bps.go.id/id/pressrelease",
        }
        row.update(edit.get(r["kode_indikator"], {}))
        rows.append(row)
    path = drive / str(tahun) / "BAPPEDA" / "makro.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {"nama_kontak": "Petugas Bappeda", "email_kontak": "data@bappeda.example"}
    build_workbook(tpl, catalog, pd, tahun, {"Makro": rows}, info).save(path)


APBD_2025 = {  # Rupiah: anggaran, realisasi
    "4.1": (2_600_000_000_000, 2_470_000_000_000),
    "4.2": (3_900_000_000_000, 3_880_000_000_000),
    "4.3": (250_000_000_000, 200_000_000_000),
    "5.1": (5_400_000_000_000, 4_860_000_000_000),
    "5.2": (1_600_000_000_000, 1_280_000_000_000),
    "5.3": (50_000_000_000, 10_000_000_000),
    "5.4": (20_000_000_000, 18_000_000_000),
    "6.1": (350_000_000_000, 350_000_000_000),
    "6.2": (30_000_000_000, 30_000_000_000),
}


def _apbd(
    catalog: Catalog, drive: Path, values: dict[str, tuple[int, int]], extra: list[dict[str, Any]]
) -> None:
    pd = catalog.pd("BPKAD")
    assert pd is not None
    tpl = TEMPLATES["APBD"]
    rows = [
        {**r, "anggaran": values[r["kode_akun"]][0], "realisasi": values[r["kode_akun"]][1]}
        for r in prefilled_rows(tpl, catalog, pd)["APBD"]
    ]
    path = drive / "2025" / "BPKAD" / "apbd.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {"nama_kontak": "Petugas BPKAD", "email_kontak": "apbd@bpkad.example"}
    build_workbook(tpl, catalog, pd, 2025, {"APBD": rows + extra}, info).save(path)


def test_templates_go_to_bappeda_and_bpkad_only(
    catalog: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    owners = {p.kode_pd: catalog.laporan_wajib(p) for p in catalog.pd_aktif(2025)}
    assert [k for k, v in owners.items() if "MAKRO" in v] == ["BAPPEDA"]
    assert [k for k, v in owners.items() if "APBD" in v] == ["BPKAD"]
    out = tmp_path / "makro.xlsx"
    assert (
        main(["template", "--report", "MAKRO", "--pd", "BAPPEDA", "--year", "2025", "--out", str(out)]) == 0
    )
    ws = load_workbook(out)["Makro"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 8)] == [m.kode for m in catalog.makro]
    assert main(["template", "--report", "APBD", "--pd", "DINKES", "--year", "2025", "--out", str(out)]) == 2
    assert "tidak wajib menyerahkan laporan APBD" in capsys.readouterr().err


def test_macro_indicators_mistakes_refused_then_shown_with_their_direction(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    previous = {k: (v - 0.5 if k != "MAKRO-GINI" else 0.381, t - 1) for k, (v, t) in MEDAN_2025.items()}
    previous["MAKRO-MISKIN"] = (8.0, 2024)
    _makro(catalog, drive, 2024, previous)
    (out,) = make_run(sqlite_engine, drive, catalog, tmp_path, tahun=2024).run()
    assert out.status == "loaded", out.errors

    # Gini typed as a percentage, a negative unemployment rate, no web address for the source.
    _makro(
        catalog,
        drive,
        2025,
        MEDAN_2025,
        **{
            "MAKRO-GINI": {"nilai": 37.2},
            "MAKRO-TPT": {"nilai": -7.42},
            "MAKRO-IPM": {"tautan": "lihat website BPS"},
        },
    )
    (out,) = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert out.status == "rejected"
    found = {(e["column"], e["value"]) for e in out.errors}
    assert ("Nilai", "MAKRO-GINI") in found and ("Nilai", "MAKRO-TPT") in found
    assert ("Tautan Sumber", "lihat website BPS") in found
    messages = " ".join(e["message"] for e in out.errors)
    assert "Gini" in messages and "pertumbuhan ekonomi" in messages

    _makro(catalog, drive, 2025, MEDAN_2025)  # corrected
    (out,) = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert out.status == "loaded", out.errors

    report = build_year(sqlite_engine, catalog, 2025)
    makro = {m.kode: m for m in report.makro}
    assert (makro["MAKRO-PDRBKAP"].nilai, makro["MAKRO-PDRBKAP"].tahun_data) == (D("112.50"), 2024)
    assert makro["MAKRO-GINI"].nilai == D("0.372") and makro["MAKRO-MISKIN"].arah == "negatif"
    miskin = next(p for p in report.perubahan if p.kode == "MAKRO-MISKIN")
    assert miskin.kalimat.startswith("turun 0,36 poin persentase, dari 8,00 % (2024) menjadi 7,64 % (2025)")
    assert "membaik (indikator negatif: makin rendah makin baik)" in miskin.kalimat
    ipm = next(p for p in report.perubahan if p.kode == "MAKRO-IPM")
    assert ipm.penilaian == "membaik" and "naik 0,50 indeks" in ipm.kalimat

    tables = {t.name: t for t in city_tables(report)}
    table = tables["Indikator Makro"]
    keys = [c.key for c in table.cols]
    row = next(r for r in table.rows if r[0] == "MAKRO-MISKIN")
    assert row[keys.index("nilai")] == D("7.64") and row[keys.index("nilai_sebelumnya")] == D("8.00")
    assert row[keys.index("tautan")].startswith("https://")
    assert "Indikator Makro" in {t.name for t in pd_tables(report, "BAPPEDA")}
    assert "Indikator Makro" not in {t.name for t in pd_tables(report, "DINKES")}
    assert headline(report)["makro"]["MAKRO-MISKIN"]["nilai"] == "7.64"
    # The LKPJ and LPPD drafts both carry the table.
    dokumen = yaml.safe_load((REFERENCE_DIR / "dokumen.yaml").read_text(encoding="utf-8"))["dokumen"]
    for kode in ("LKPJ", "LPPD"):
        assert any("Indikator Makro" in bab.get("tabel", []) for bab in dokumen[kode]["bab"]), kode
    assert any("APBD" in bab.get("tabel", []) for bab in dokumen["LKPJ"]["bab"])


def test_apbd_totals_silpa_and_the_programme_budget_check(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    # A total row copied from the printed APBD: not an account group, refused.
    _apbd(
        catalog,
        drive,
        APBD_2025,
        [{"kode_akun": "4", "uraian": "JUMLAH PENDAPATAN", "anggaran": 1, "realisasi": 1}],
    )
    (out,) = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert out.status == "rejected" and any(e["value"] == "4" for e in out.errors)
    _apbd(catalog, drive, APBD_2025, [])
    (out,) = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert out.status == "loaded", out.errors

    # By hand: pendapatan 6.750 / 6.550 M; belanja 7.070 / 6.168 M; pembiayaan netto 320 / 320 M;
    # SILPA = 6.750 − 7.070 + 320 = 0 (anggaran) and 6.550 − 6.168 + 320 = 702 M (realisasi).
    result = apbd_for_year(sqlite_engine, catalog, 2025, D("7070000000000"))
    rows = {r.kode: r for r in result.rows}
    assert (rows["PENDAPATAN"].anggaran, rows["PENDAPATAN"].realisasi) == (
        D("6750000000000"),
        D("6550000000000"),
    )
    assert (rows["BELANJA"].anggaran, rows["BELANJA"].realisasi) == (D("7070000000000"), D("6168000000000"))
    assert rows["PEMBIAYAAN"].realisasi == D("320000000000")
    assert (rows["SILPA"].anggaran, rows["SILPA"].realisasi) == (D("0"), D("702000000000"))
    assert rows["BELANJA"].persen == D("87.24")  # 6.168 / 7.070
    assert result.peringatan is None, "programme budgets equal to belanja: nothing to say"

    # Programme budgets 6.900 M against belanja 7.070 M: 2,4 % apart, above the 0,5 % tolerance.
    short = apbd_for_year(sqlite_engine, catalog, 2025, D("6900000000000"))
    assert short.peringatan is not None
    assert (
        "Rp 6.900.000.000.000 lebih kecil daripada anggaran belanja APBD Rp 7.070.000.000.000"
        in short.peringatan
    )
    assert "selisih Rp 170.000.000.000" in short.peringatan
    # Within the tolerance (0,5 % of 7.070 M = 35,35 M): no warning.
    assert apbd_for_year(sqlite_engine, catalog, 2025, D("7040000000000")).peringatan is None
    strict = replace(catalog, toleransi_pagu_persen=0.0)
    assert apbd_for_year(sqlite_engine, strict, 2025, D("7069999999999")).peringatan is not None

    # In the outputs: the APBD table, the summary lines and the JSON (the LKPJ here is empty, so
    # the programme budget is 0 and nothing is compared).
    report = build_year(sqlite_engine, catalog, 2025)
    table = next(t for t in city_tables(report) if t.name == "APBD")
    assert [r[0] for r in table.rows][-4:] == ["PENDAPATAN", "BELANJA", "PEMBIAYAAN", "SILPA"]
    assert any(line.startswith("APBD: realisasi belanja 87,24 %") for line in ringkasan_lines(report))
    assert headline(report)["apbd"]["SILPA"]["realisasi"] == "702000000000"
    assert "APBD" in {t.name for t in pd_tables(report, "BPKAD")}
    with_warning = replace(report, apbd=short)
    assert any(
        line.startswith("PERINGATAN: Jumlah pagu program LKPJ") for line in ringkasan_lines(with_warning)
    )
    assert headline(with_warning)["peringatan"] == [short.peringatan]
