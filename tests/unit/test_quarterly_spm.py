"""The optional quarterly SPM report (SPMTW, e-SPM triwulan I-IV): real workbooks through the
collection into SQLite, each quarter kept apart, late against its own e-SPM closing day, the
quarters checked against each other and quarter IV against the yearly SPM, and the board."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.cli import main
from kinerja.intake.check import check_file
from kinerja.intake.triwulan import yearly_rows_from_quarter_iv
from kinerja.sample import WIB, fill_rows, quarter_rows
from kinerja.schema.excel import build_workbook, prefilled_rows
from kinerja.schema.model import TEMPLATES
from kinerja.status.quarters import (
    BELUM_MASUK,
    BELUM_WAKTUNYA,
    DITOLAK,
    TAK_TERBACA,
    TERLAMBAT,
    VALID,
    quarter_status,
    unplaced_quarterly,
)
from kinerja.status.summary import status_lines
from kinerja.warehouse.models import FACT_TABLES, submission, submission_current
from kinerja.web.status_html import feedback_href, render_status_page
from kinerja.web.status_page import status_page
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from ..conftest import make_run

PD = "DINSOS"


def _write(
    drive: Path, name: str, laporan: str, rows: dict, info: dict, when: datetime, catalog: Catalog
) -> None:  # type: ignore[type-arg]
    pd = catalog.pd(PD)
    assert pd is not None
    path = drive / "2025" / PD / name
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(
        TEMPLATES[laporan],
        catalog,
        pd,
        2025,
        rows,
        {"nama_kontak": "Petugas", "email_kontak": pd.email, **info},
    ).save(path)
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_calendar_has_the_e_spm_closing_days(catalog: Catalog) -> None:
    k = catalog.kalender_tahun(2024)
    assert [k.batas_e_spm(q) for q in range(1, 5)] == [
        date(2024, 4, 20),
        date(2024, 7, 20),
        date(2024, 10, 20),
        date(2025, 1, 20),
    ]
    assert catalog.kalender_tahun(2040).batas_e_spm(4) == date(2041, 1, 20), "a year not listed: +20 days"
    assert catalog.kalender_tahun(2025).reviu_dibuka == date(2026, 2, 20)


def test_quarters_build_up_to_the_year_and_are_checked(
    sqlite_engine: Engine,
    catalog: Catalog,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import random

    pd = catalog.pd(PD)
    assert pd is not None
    rng = random.Random(1)
    yearly = fill_rows(TEMPLATES["SPM"], prefilled_rows(TEMPLATES["SPM"], catalog, pd), rng, 2025, catalog)
    drive = tmp_path / "drive"
    q1, q2 = quarter_rows(yearly, 1, rng), quarter_rows(yearly, 2, rng)
    # Quarter III: the official typed the quarter's own count in one row, not the running total.
    q3 = quarter_rows(yearly, 3, rng)
    i = max(range(len(q2["Penerima"])), key=lambda n: int(q2["Penerima"][n]["terlayani"]))
    q3["Penerima"][i]["terlayani"] = 1
    q3["Penerima"][i]["harus_dilayani"] = int(yearly["Penerima"][i]["harus_dilayani"]) + 10
    q4 = quarter_rows(yearly, 4, rng)
    moved = max(q4["Penerima"], key=lambda r: int(r["terlayani"]))
    moved["terlayani"] = int(moved["terlayani"]) - 7  # the yearly file was corrected, e-SPM not
    _write(drive, "tw1.xlsx", "SPMTW", q1, {"triwulan": "I"}, datetime(2025, 4, 18, 9, tzinfo=WIB), catalog)
    _write(drive, "tw2.xlsx", "SPMTW", q2, {"triwulan": "II"}, datetime(2025, 7, 25, 9, tzinfo=WIB), catalog)
    _write(drive, "tw3.xlsx", "SPMTW", q3, {"triwulan": "III"}, datetime(2025, 10, 2, 9, tzinfo=WIB), catalog)
    _write(drive, "tw4.xlsx", "SPMTW", q4, {"triwulan": "IV"}, datetime(2026, 1, 9, 9, tzinfo=WIB), catalog)
    _write(drive, "tw-kosong.xlsx", "SPMTW", q1, {}, datetime(2025, 4, 19, 9, tzinfo=WIB), catalog)
    _write(drive, "tahunan.xlsx", "SPM", yearly, {}, datetime(2026, 1, 15, 9, tzinfo=WIB), catalog)
    out = {Path(o.path).name: o for o in make_run(sqlite_engine, drive, catalog, tmp_path).run()}

    assert [out[f"tw{q}.xlsx"].status for q in (1, 2, 3, 4)] == ["loaded"] * 4
    assert out["tw2.xlsx"].terlambat and not out["tw1.xlsx"].terlambat, "late against 20 July, not 26 January"
    kosong = out["tw-kosong.xlsx"]
    assert kosong.status == "rejected" and "Triwulan" in kosong.errors[0]["message"]
    w3 = {w["column"]: w for w in out["tw3.xlsx"].warnings if "triwulan II" in w["message"]}
    assert (
        "kumulatif" in w3["Terlayani s.d. Triwulan Ini"]["message"]
        and w3["Terlayani s.d. Triwulan Ini"]["row"] == i + 2
    )
    assert "Harus Dilayani (setahun)" in w3
    year_warnings = [w for w in out["tahunan.xlsx"].warnings if "triwulan IV" in w["message"]]
    assert len(year_warnings) == 1 and out["tahunan.xlsx"].status == "loaded"
    assert (
        f"{int(moved['terlayani']) + 7} di laporan SPM tahunan, "
        f"{moved['terlayani']} di laporan e-SPM triwulan IV" in year_warnings[0]["message"]
    )

    t = FACT_TABLES["fact_spmtw_penerima"]
    with sqlite_engine.connect() as conn:
        per_quarter = dict(conn.execute(select(t.c.triwulan, func.count()).group_by(t.c.triwulan)).all())
        current = (
            conn.execute(select(submission_current.c.triwulan).where(submission_current.c.laporan == "SPMTW"))
            .scalars()
            .all()
        )
        recorded = dict(conn.execute(select(submission.c.path, submission.c.triwulan)).all())
    assert per_quarter == dict.fromkeys((1, 2, 3, 4), len(yearly["Penerima"])), (
        "each quarter replaces only itself"
    )
    assert sorted(current) == [1, 2, 3, 4]
    assert recorded["2025/DINSOS/tw-kosong.xlsx"] is None and recorded["2025/DINSOS/tahunan.xlsx"] is None

    board = quarter_status(sqlite_engine, catalog, 2025, date(2026, 2, 1))
    assert [c.status for c in board[PD]] == [VALID, TERLAMBAT, VALID, VALID]
    assert [c.status for c in board["DINKES"]] == [BELUM_MASUK] * 4
    early = quarter_status(sqlite_engine, catalog, 2025, date(2025, 8, 1))
    assert [c.status for c in early["DINKES"]] == [BELUM_MASUK, BELUM_MASUK, BELUM_WAKTUNYA, BELUM_WAKTUNYA]
    page = status_page(sqlite_engine, catalog, 2025, date(2026, 2, 1))
    html = render_status_page(page)
    assert 'id="triwulan"' in html and html.count('data-triwulan="') == 4 * len(page.triwulan)
    assert f'data-pd="{PD}"' in html and 'data-status="terlambat"' in html
    assert DITOLAK not in [c.status for c in board[PD]]

    # The file with no readable quarter is in no quarter, but the PD's row says it came in.
    unplaced = unplaced_quarterly(sqlite_engine, 2025)
    assert set(unplaced) == {PD} and unplaced[PD].versions == 1
    assert unplaced[PD].feedback_file == "tw-kosong.xlsx" and unplaced[PD].feedback_path
    section = html.split('id="triwulan"', 1)[1]
    row = section.split(f'<tr data-pd="{PD}">', 1)[1].split("</tr>", 1)[0]
    assert f'data-status="{TAK_TERBACA}"' in row and "1 berkas ditolak" in row
    assert feedback_href(unplaced[PD].feedback_path) in row
    other = section.split('<tr data-pd="DINKES">', 1)[1].split("</tr>", 1)[0]
    assert TAK_TERBACA not in other
    assert any(
        f"{PD}" in line and "1 berkas ditolak, triwulan tak terbaca" in line
        for line in status_lines(sqlite_engine, catalog, 2025)
    )

    # The same in `kinerja status --json`, beside the keys it always had.
    assert main(["status", "--year", "2025", "--warehouse", str(sqlite_engine.url), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert {"tahun", "status", "spm", "spm_triwulan"} <= set(status)
    by_pd = {p["pd"]: p for p in status["spm_triwulan"]}
    assert set(by_pd) == set(board)
    mine = by_pd[PD]
    assert [q["status"] for q in mine["triwulan"]] == [VALID, TERLAMBAT, VALID, VALID]
    assert [q["batas"] for q in mine["triwulan"]] == ["2025-04-20", "2025-07-20", "2025-10-20", "2026-01-20"]
    assert [q["received"] for q in mine["triwulan"]] == [1, 1, 1, 1]
    assert mine["tanpa_triwulan"]["received"] == 1
    assert mine["tanpa_triwulan"]["feedback_path"] == unplaced[PD].feedback_path
    assert by_pd["DINKES"]["tanpa_triwulan"] is None
    assert [q["received"] for q in by_pd["DINKES"]["triwulan"]] == [0] * 4

    # `kinerja check` against the warehouse runs the checks between quarters and the year...
    yearly_file = drive / "2025" / PD / "tahunan.xlsx"
    args = ["check", str(yearly_file), "--json"]
    assert main([*args, "--warehouse", str(sqlite_engine.url)]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert checked["quarter_checks"] == "run" and checked["status"] == "accepted"
    assert [w["message"] for w in checked["warnings"] if "triwulan IV" in w["message"]] == [
        year_warnings[0]["message"]
    ]
    quarter3 = check_file(drive / "2025" / PD / "tw3.xlsx", catalog, engine=sqlite_engine)
    assert {w.column for w in quarter3.warnings if "triwulan II" in w.message} == set(w3)
    # ... and without one it says they run at collection.
    monkeypatch.setenv("KINERJA_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'none' / 'warehouse.db'}")
    monkeypatch.delenv("KINERJA_WAREHOUSE_READ_URL", raising=False)
    assert main(args) == 0
    alone = json.loads(capsys.readouterr().out)
    assert alone["quarter_checks"] == "at collection" and not (tmp_path / "none").exists()
    assert any("dijalankan saat pengumpulan" in n for n in alone["notes"])
    assert not [w for w in alone["warnings"] if "triwulan IV" in w["message"]]
    rejected = check_file(drive / "2025" / PD / "tw-kosong.xlsx", catalog, engine=sqlite_engine)
    assert rejected.status == "rejected" and rejected.quarter_checks is None

    # The yearly template prefilled from quarter IV carries quarter IV's figures, cell by cell...
    prefilled = tmp_path / "spm-dari-tw4.xlsx"
    template = ["template", "--report", "SPM", "--pd", PD, "--year", "2025", "--out", str(prefilled)]
    assert main([*template, "--dari-triwulan-iv", "--warehouse", str(sqlite_engine.url)]) == 0
    wb = load_workbook(prefilled)
    compared = 0
    for sheet_name in ("Penerima", "Penerapan"):
        columns = [c.name for c in TEMPLATES["SPM"].sheet(sheet_name).columns]
        ws = wb[sheet_name]
        for n, want in enumerate(q4[sheet_name]):
            got = {c: ws.cell(row=n + 2, column=k + 1).value for k, c in enumerate(columns)}
            for c in (
                "harus_dilayani",
                "terlayani",
                "alokasi_anggaran",
                "realisasi_anggaran",
                "permasalahan",
            ):
                if c in columns and want.get(c) not in (None, ""):
                    assert got[c] == want[c], (sheet_name, n, c)
                    compared += 1
    assert compared > 4 * len(q4["Penerapan"]), compared
    mutu = wb["Mutu"]
    assert mutu.cell(row=2, column=1).value and all(
        mutu.cell(row=2, column=k).value is None for k in (5, 6)
    ), "Mutu (target, realisasi) is left to fill"
    # ... so the yearly file filled from it (Mutu added) agrees with quarter IV: no warning.
    pd = catalog.pd(PD)
    assert pd is not None
    with sqlite_engine.connect() as conn:
        rows = yearly_rows_from_quarter_iv(conn, catalog, pd, 2025)
    assert rows is not None
    rows["Mutu"] = yearly["Mutu"]
    _write(drive, "tahunan.xlsx", "SPM", rows, {}, datetime(2026, 1, 16, 9, tzinfo=WIB), catalog)
    again = {Path(o.path).name: o for o in make_run(sqlite_engine, drive, catalog, tmp_path).run()}
    assert again["tahunan.xlsx"].status == "loaded"
    assert not [w for w in again["tahunan.xlsx"].warnings if "triwulan IV" in w["message"]]
    # Without a loaded quarter IV there is nothing to prefill: refused, nothing written.
    nothing = tmp_path / "dinkes.xlsx"
    dinkes = ["template", "--report", "SPM", "--pd", "DINKES", "--year", "2025", "--out", str(nothing)]
    assert main([*dinkes, "--dari-triwulan-iv", "--warehouse", str(sqlite_engine.url)]) == 2
    assert not nothing.exists() and "triwulan IV" in capsys.readouterr().err


def test_template_for_a_quarter_and_refusal(catalog: Catalog, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "tw.xlsx"
    args = ["template", "--report", "SPMTW", "--pd", "DINKES", "--year", "2025", "--triwulan", "II"]
    assert main([*args, "--out", str(out)]) == 0
    info = {r[0].value: r[1].value for r in load_workbook(out)["Info"].iter_rows()}
    assert info["Triwulan (I-IV)"] == "II" and info["Jenis Laporan"] == "SPMTW"
    refused = tmp_path / "bapenda.xlsx"
    code = main(["template", "--report", "SPMTW", "--pd", "BAPPEDA", "--year", "2025", "--out", str(refused)])
    assert code == 2 and not refused.exists() and "tidak wajib" in capsys.readouterr().err
