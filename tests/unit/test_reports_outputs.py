"""A full year's outputs, opened and read: the city workbook, the PDF, the HTML report and the
website bundles; agency text hostile to spreadsheets and browsers; the `kinerja report` command
on a year collected from real files."""

from __future__ import annotations

import csv
import io
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas
import pypdf
import pytest
from kinerja.build import build_outputs
from kinerja.catalog import Catalog
from kinerja.cells import format_id
from kinerja.cli import main
from kinerja.publish.bundle import write_pd_bundle
from kinerja.reports.render_html import page
from kinerja.reports.render_pdf import in_appendix, render_pdf
from kinerja.reports.tables import city_tables
from kinerja.reports.year import YearReport, build_year
from kinerja.sample import SampleShares, fill_rows, generate_year
from kinerja.schema.excel import prefilled_rows
from kinerja.schema.model import TEMPLATES
from kinerja.warehouse.db import engine_for, migrate
from kinerja.warehouse.load import SubmissionRecord, record_submission, sync_reference
from openpyxl import load_workbook
from sqlalchemy import Engine

from ..conftest import SMALL_SET, make_run

Rows = dict[str, list[dict[str, Any]]]
HOSTILE = {
    "permasalahan": '=HYPERLINK("http://contoh.example","klik")',
    "solusi": "<script>alert('solusi')</script>",
    "bukti": "@SUM(A1:A9)",
    "rekomendasi": "-2+3 <img src=x onerror=alert(1)>",
    "penjelasan": "+62 61 000",
}


def kategori_kemendagri(nilai: Decimal | None) -> str:
    """The SPM category of Kemendagri's bands, written out here independently of scoring.yaml."""
    assert nilai is not None
    for batas, nama in ((100, "Tuntas Paripurna"), (90, "Tuntas Utama"), (80, "Tuntas Madya")):
        if nilai >= batas:
            return nama
    return "Tuntas Pratama" if nilai >= 70 else "Tuntas Muda" if nilai >= 60 else "Belum Tuntas"


def _hostile(kode_pd: str, laporan: str, rows: Rows) -> None:
    """DINKES writes text a spreadsheet would run and a browser would execute."""
    if kode_pd != "DINKES":
        return
    if laporan == "LKPJ":
        rows["Kinerja"][0].update(permasalahan=HOSTILE["permasalahan"], solusi=HOSTILE["solusi"])
        rows["Tindak Lanjut"][0].update(bukti=HOSTILE["bukti"], rekomendasi=HOSTILE["rekomendasi"])
    if laporan == "LPPD":
        rows["IKK"][0].update(penjelasan=HOSTILE["penjelasan"])


def load_year(
    engine: Engine,
    catalog: Catalog,
    tahun: int,
    seed: int,
    edit: Callable[[str, str, Rows], None] | None = None,
) -> int:
    """Load a whole year straight into the warehouse (as a backfill would): every active PD,
    every report it owes, through the warehouse's own transactional load. Returns the count."""
    rng = random.Random(seed)
    n = 0
    for pd in catalog.pd_aktif(tahun):
        for laporan in catalog.laporan_wajib(pd):
            if rng.random() < 0.04:
                continue  # not handed in
            tpl = TEMPLATES[laporan]
            rows = fill_rows(tpl, prefilled_rows(tpl, catalog, pd), rng, tahun)
            if edit:
                edit(pd.kode_pd, laporan, rows)
            frames = {
                s.name: pandas.DataFrame(
                    rows.get(s.name, []), index=range(2, 2 + len(rows.get(s.name, [])))
                ).reindex(columns=[c.name for c in s.columns])
                for s in tpl.sheets
            }
            late = rng.random() < 0.1
            received = datetime(tahun + 1, 1, 27 if late else 20, 3, tzinfo=UTC)
            record = SubmissionRecord(
                drive="backfill",
                path=f"{tahun}/{pd.kode_pd}/{laporan}.xlsx",
                size=1,
                mtime=0.0,
                sha256="0" * 64,
                first_seen=received,
                received_at=received,
                tahun=tahun,
                kode_pd=pd.kode_pd,
                laporan=laporan,
                versi_template=tpl.version,
                terlambat=late,
                archive_key="backfill",
            )
            record_submission(engine, record, 1, [], tpl, frames, received)
            n += 1
    return n


@pytest.fixture(scope="module")
def full_year(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Iterator[tuple[Engine, Path]]:
    """2024 (backfilled) and 2025 for every PD of Medan in SQLite."""
    root = tmp_path_factory.mktemp("reports")
    engine = engine_for(f"sqlite:///{root / 'warehouse.db'}")
    migrate(engine)
    sync_reference(engine, catalog)
    load_year(engine, catalog, 2024, seed=24)
    load_year(engine, catalog, 2025, seed=25, edit=_hostile)
    yield engine, root
    engine.dispose()


PUBLIC_URL = "https://laporan.kota.example/"
"""Where `published/` is served (Settings.public_url): catalog.jsonld's links resolve against it."""


@pytest.fixture(scope="module")
def built(full_year: tuple[Engine, Path], catalog: Catalog) -> tuple[dict[str, Any], Path, YearReport]:
    engine, root = full_year
    out = root / "out"
    started = time.perf_counter()
    summary = build_outputs(engine, catalog, 2025, out, public_url=PUBLIC_URL)
    elapsed = time.perf_counter() - started
    print(  # the figure asked for; not asserted (machines differ)
        f"\nfull year of reports ({summary['pd_bundles']} PD bundles, {len(summary['files'])} files): "
        f"{elapsed:.1f} s"
    )
    return summary, out, build_year(engine, catalog, 2025)


def test_summary_is_json_and_matches_the_marts(built: tuple[dict[str, Any], Path, YearReport]) -> None:
    summary, out, report = built
    assert json.loads(json.dumps(summary)) == summary
    assert json.loads((out / "ringkasan.json").read_text())["spm"] == summary["spm"]
    assert summary["tahun_sebelumnya"] == 2024, "the backfilled year is beside the reporting year"
    assert summary["spm"]["daerah"] == str(report.spm.daerah)
    assert (
        summary["lppd"]["skor"] == str(report.lppd.skor) and summary["lppd"]["status"] == report.lppd.status
    )
    assert summary["lkpj"]["serapan"] == str(report.lkpj.kota.serapan)
    assert f"Capaian SPM Kota Medan 2025: {format_id(report.spm.daerah)} %" in summary["ringkasan"]
    # The word beside the headline figure follows Kemendagri's bands (100/90/80/70/60), not a guess.
    kategori = kategori_kemendagri(report.spm.daerah)
    assert report.spm.kategori == kategori and summary["spm"]["kategori"] == kategori
    headline = f"Capaian SPM Kota Medan 2025: {format_id(report.spm.daerah)} % ({kategori})"
    assert headline in summary["ringkasan"]
    for b in report.spm.bidang:
        assert b.kategori == kategori_kemendagri(b.nilai), b.kode
    spm = next(p for p in summary["perubahan"] if p["indikator"] == "Capaian SPM daerah")
    assert "poin persentase" in spm["kalimat"] or spm["kalimat"].startswith("tidak berubah")
    for name in (
        "city.xlsx",
        "laporan.html",
        "laporan.pdf",
        "pd/DINKES/index.html",
        "pd/DINKES/DINKES-2025.xlsx",
    ):
        assert name in summary["files"] and (out / name).stat().st_size > 0


def test_catalog_links_resolve_against_the_public_url(built: tuple[dict[str, Any], Path, YearReport]) -> None:
    _, out, _ = built
    catalog = json.loads((out / "satu-data" / "catalog.jsonld").read_text(encoding="utf-8"))
    assert catalog["@context"]["@base"] == "https://laporan.kota.example/2025/satu-data/catalog.jsonld"


def test_city_workbook_has_a_sheet_per_table_formatted_for_print(
    built: tuple[dict[str, Any], Path, YearReport],
) -> None:
    _, out, report = built
    wb = load_workbook(out / "city.xlsx")
    assert wb.sheetnames == [t.name for t in city_tables(report)]
    for name in (
        "Ringkasan",
        "SPM Bidang",
        "SPM JPD",
        "LPPD IKK",
        "LKPJ Program Outcome",
        "Tindak Lanjut DPRD",
    ):
        assert name in wb.sheetnames
    ws = wb["Ringkasan"]
    assert ws["A5"].value == "Capaian SPM daerah"
    assert Decimal(str(ws["B5"].value)) == report.spm.daerah
    assert ws["D5"].value == report.spm.kategori
    assert (ws.page_setup.orientation, ws.print_title_rows) == ("landscape", "$4:$4")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    bidang = wb["SPM Bidang"]
    header = [c.value for c in bidang[4]]
    assert header[:4] == ["Kode", "Bidang", "Jumlah JPD", "Capaian 2025"] and "Capaian 2024" in header
    daerah = next(r for r in bidang.iter_rows(min_row=5, values_only=True) if r[0] == "DAERAH")
    assert Decimal(str(daerah[3])) == report.spm.daerah and daerah[4] == report.spm.kategori
    notes = [str(c) for row in bidang.iter_rows(values_only=True) for c in row if c]
    assert any("Tuntas Utama ≥ 90; Tuntas Madya ≥ 80" in n and "Belum Tuntas < 60" in n for n in notes)
    assert bidang["D5"].number_format == '#,##0.00 "%"'
    yoy = wb["Perbandingan Tahunan"]
    assert any("poin persentase" in str(r[-1]) for r in yoy.iter_rows(min_row=5, values_only=True))
    # agency text that looks like a formula is text, never a formula
    detail = wb["LKPJ Program Outcome"]
    cells = [c for row in detail.iter_rows(min_row=5) for c in row if isinstance(c.value, str)]
    hyper = [c for c in cells if "HYPERLINK" in c.value]
    assert hyper and all(c.value.startswith("'=") and c.data_type == "s" for c in hyper)
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)


def test_pdf_reads_as_the_report(built: tuple[dict[str, Any], Path, YearReport], tmp_path: Path) -> None:
    _, out, report = built
    reader = pypdf.PdfReader(out / "laporan.pdf")
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Laporan Kinerja Kota Medan Tahun 2025" in text
    assert f"Capaian SPM Kota Medan 2025: {format_id(report.spm.daerah)} %" in text
    assert f"{format_id(report.lppd.skor, 4)}" in text and (report.lppd.status or "") in text
    assert "Standar Pelayanan Minimal (SPM)" in text and "Lampiran" in text
    # The headline report, not 100 pages of detail: those are sheets of the appendix workbook.
    assert len(reader.pages) <= 25, len(reader.pages)
    detail = [t for t in city_tables(report) if in_appendix(t)]
    assert detail and all(f"{t.name}: {t.title}" in text.replace("\n", " ") for t in detail)
    assert load_workbook(out / "lampiran.xlsx", read_only=True).sheetnames == [t.name for t in detail]
    assert "poin persentase" in text
    assert "Rekomendasi DPRD" in text
    # Agency markup is printed as text (the table carrying it is in the appendix: print it alone).
    hostile = next(t for t in city_tables(report) if t.name == "LKPJ Program Outcome")
    alone = render_pdf("Uji", "", [replace(hostile, name="Uji")], [], tmp_path / "uji.pdf")
    alone_text = "".join(p.extract_text() for p in pypdf.PdfReader(alone).pages).replace("\n", "")
    assert "<script>alert(" in alone_text
    images = sum(len(p.images) for p in reader.pages)
    assert images == 5, "SPM per bidang, lowest/highest JPD and IKK, year over year, timeliness per PD"
    titles = [o["/Title"] for o in reader.outline if isinstance(o, dict)]
    assert titles[:2] == ["Ringkasan", "Standar Pelayanan Minimal (SPM)"]


def test_html_report_has_charts_figures_and_escapes(built: tuple[dict[str, Any], Path, YearReport]) -> None:
    _, out, report = built
    html = (out / "laporan.html").read_text()
    assert html.count('src="data:image/png;base64,') == 5
    assert f"{format_id(report.spm.daerah)} %" in html
    assert "naik" in html or "turun" in html
    assert "poin persentase" in html
    assert "<script" not in html and "&lt;script&gt;alert(&#x27;solusi&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "script-src" not in html and "default-src 'none'" in html


def test_every_pd_gets_a_bundle_with_the_same_data_as_csv_and_xlsx(
    built: tuple[dict[str, Any], Path, YearReport],
) -> None:
    summary, out, report = built
    assert summary["pd_bundles"] == len(report.pd) and len(report.pd) > 40
    for pd in report.pd:
        folder = out / "pd" / pd.kode_pd
        assert (folder / "index.html").exists() and (folder / f"{pd.kode_pd}-2025.xlsx").exists()
    folder = out / "pd" / "DINKES"
    html = (folder / "index.html").read_text()
    assert "Dinas Kesehatan" in html and "data/spm_jpd.csv" in html and "DINKES-2025.xlsx" in html
    assert html.count("data:image/png;base64,") == 3  # SPM per JPD, IKK, programmes
    with (folder / "data" / "spm_jpd.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    mine = [j for j in report.spm.jpd if j.kode_pd == "DINKES"]
    assert [r["kode_jpd"] for r in rows] == [j.kode_jpd for j in mine]
    assert [Decimal(r["nilai"]) for r in rows] == [j.nilai for j in mine], "machine format: 95.89"
    assert all(r["tahun"] == "2025" for r in rows)
    others = {r.kode_pd for r in report.lkpj.rows} - {"DINKES"}
    program = (folder / "data" / "lkpj_program_outcome.csv").read_text()
    assert not any(f"\n2025,{k}," in program for k in others), "only the PD's own rows"
    # hostile agency text, neutralised in CSV and XLSX, escaped in HTML
    assert "'=HYPERLINK(" in program
    tl = list(csv.DictReader(io.StringIO((folder / "data" / "tindak_lanjut_dprd.csv").read_text())))
    assert tl[0]["bukti"] == "'" + HOSTILE["bukti"] and tl[0]["rekomendasi"] == "'" + HOSTILE["rekomendasi"]
    ikk = list(csv.DictReader(io.StringIO((folder / "data" / "lppd_ikk.csv").read_text())))
    assert ikk[0]["penjelasan"] == "'" + HOSTILE["penjelasan"]
    wb = load_workbook(folder / "DINKES-2025.xlsx")
    assert "SPM JPD" in wb.sheetnames and "LKPJ Program Outcome" in wb.sheetnames
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)
    assert "<script>" not in html and "<img src=x" not in html


def test_a_pd_name_with_markup_renders_as_text(
    full_year: tuple[Engine, Path], catalog: Catalog, tmp_path: Path
) -> None:
    engine, _ = full_year
    evil = "Dinas <script>alert('pd')</script> Kesehatan"
    hostile_catalog = replace(
        catalog,
        perangkat_daerah=tuple(
            replace(p, nama=evil) if p.kode_pd == "DINKES" else p for p in catalog.perangkat_daerah
        ),
        _pd_index={},
    )
    report = build_year(engine, hostile_catalog, 2025)
    city = page("Laporan", "uji", city_tables(report), [])
    write_pd_bundle(report, "DINKES", tmp_path)
    bundle = (tmp_path / "pd" / "DINKES" / "index.html").read_text()
    for html in (city, bundle):
        assert "<script>" not in html
        assert "Dinas &lt;script&gt;alert(&#x27;pd&#x27;)&lt;/script&gt; Kesehatan" in html


def test_report_command_on_a_collected_year(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drive = tmp_path / "drive"
    shares = SampleShares(missing=0, defective=0)
    generate_year(catalog, 2025, drive, seed=7, only=SMALL_SET, shares=shares, triwulan=True)
    make_run(sqlite_engine, drive, catalog, tmp_path).run()
    url = str(sqlite_engine.url)
    out = tmp_path / "out"
    assert main(["report", "--year", "2025", "--warehouse", url, "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    # The quarterly e-SPM files (SPMTW) beside the yearly figures, also in ringkasan.json.
    quarters = {p["pd"]: p for p in summary["spm_triwulan"]}
    assert quarters == {p["pd"]: p for p in json.loads((out / "ringkasan.json").read_text())["spm_triwulan"]}
    assert {"DINKES", "DISDIKBUD"} <= set(quarters) and "BAPPEDA" not in quarters, "only PDs owing the SPM"
    dinkes = quarters["DINKES"]["triwulan"]
    assert [q["triwulan"] for q in dinkes] == [1, 2, 3, 4] and all(q["received"] == 1 for q in dinkes)
    assert {q["status"] for q in dinkes} <= {"valid", "terlambat"} and quarters["DINKES"][
        "tanpa_triwulan"
    ] is None
    assert summary["tahun"] == 2025 and summary["tahun_sebelumnya"] is None
    assert summary["spm"]["daerah"] is not None and summary["lppd"]["skor"] is not None
    assert {"city.xlsx", "laporan.html", "laporan.pdf", "pd/DINKES/index.html"} <= set(summary["files"])
    assert {"lampiran.xlsx", "draf-lkpj.docx", "draf-lppd.docx", "draf-spm.docx"} <= set(summary["files"])
    assert main(["report", "--year", "2025", "--warehouse", url, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Capaian SPM Kota Medan 2025:" in text and "LKPJ: capaian output" in text and "LPPD: skor" in text
