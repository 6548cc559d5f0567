"""Every output of a reporting year, written into one folder (what the tim ahli approves):

    <out>/city.xlsx                 every table of the kota's report, one sheet each
    <out>/laporan.html              the kota's report with charts (one self-contained file)
    <out>/laporan.pdf               the headline report for print (~20 pages, no detail tables)
    <out>/lampiran.xlsx             the detail tables the PDF leaves out (its appendix)
    <out>/draf-{lkpj,lppd,spm}.docx the three documents' editable drafts (reports/docx.py)
    <out>/pd/<KODE_PD>/...          one website bundle per PD (publish/bundle.py)
    <out>/satu-data/...             tidy tables, datapackage.json, catalog.jsonld (satudata/package.py)
                                    and sumber.json, each row's agency files (lineage.py)
    <out>/ringkasan.json            the headline figures returned here

`build_outputs` is the single code path of the `compile_reports` DAG and `kinerja report`; it
returns a JSON-able summary: headline figures (numbers as exact decimal strings), a text
`ringkasan` for the reviewer, the files written (relative to `out`) and the time it took.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from kinerja.catalog.loader import Catalog
from kinerja.lineage import trace_export
from kinerja.publish.bundle import write_pd_bundle
from kinerja.reports.charts import city_charts
from kinerja.reports.docx import write_drafts
from kinerja.reports.headline import cards, headline, ringkasan_lines
from kinerja.reports.render_html import page
from kinerja.reports.render_pdf import in_appendix, render_pdf
from kinerja.reports.render_xlsx import write_workbook
from kinerja.reports.tables import city_tables
from kinerja.reports.year import build_year
from kinerja.satudata.package import FOLDER as SATU_DATA_FOLDER
from kinerja.satudata.package import export_year
from kinerja.satudata.spec import load_spec
from kinerja.status.quarters import quarters_json

APPENDIX = "lampiran.xlsx"


def build_outputs(
    engine: Engine, catalog: Catalog, tahun: int, out_dir: Path, public_url: str = ""
) -> dict[str, Any]:
    """Compute the year's report and write every output into `out_dir`; returns the summary.
    `public_url`: where `published/` is served (Settings.public_url), for catalog.jsonld's
    download links (relative when empty)."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = build_year(engine, catalog, tahun)
    dibuat = datetime.now(catalog.tz).strftime("%d-%m-%Y %H:%M ") + catalog.tz_label
    tables = city_tables(report)
    charts = city_charts(report, catalog.scoring.kategori_spm)
    title = f"Laporan Kinerja {catalog.nama} Tahun {tahun}"
    subtitle = f"SPM, LPPD dan LKPJ · tahun pelaporan {tahun} · kode wilayah {catalog.kode_wilayah}"
    lines = ringkasan_lines(report)
    heading = f"{catalog.nama} · tahun pelaporan {tahun} · dibuat {dibuat}"
    written = [
        write_workbook(tables, heading, out_dir / "city.xlsx"),
        write_workbook([t for t in tables if in_appendix(t)], heading, out_dir / APPENDIX),
    ]
    html = page(
        title,
        subtitle,
        tables,
        charts,
        cards=cards(report),
        footer=f"{catalog.nama} · dibuat {dibuat} · angka sebelum persetujuan tim ahli bersifat sementara",
    )
    (out_dir / "laporan.html").write_text(html, encoding="utf-8")
    written.append(out_dir / "laporan.html")
    written.append(
        render_pdf(
            title,
            subtitle,
            tables,
            charts,
            out_dir / "laporan.pdf",
            cover_lines=[*lines, "", f"Dibuat {dibuat}."],
            footer=f"{title} · dibuat {dibuat}",
            appendix_file=APPENDIX,
        )
    )
    written += write_drafts(
        catalog.city,
        tables,
        charts,
        out_dir,
        tahun=tahun,
        kota=catalog.nama,
        cover_lines=lines,
        dibuat=dibuat,
        base=catalog.reference,
    )
    for pd in report.pd:
        written += write_pd_bundle(report, pd.kode_pd, out_dir, dibuat)
    public = public_url.rstrip("/")
    base_url = f"{public}/{tahun}" if public else ""
    spec = load_spec(catalog.city, catalog.reference)
    written += export_year(report, catalog, spec, out_dir / SATU_DATA_FOLDER, base_url)
    written.append(trace_export(engine, catalog, out_dir / SATU_DATA_FOLDER))  # row → agency files
    summary = headline(report)
    summary["ringkasan"] = "\n".join(lines)
    summary["spm_triwulan"] = quarters_json(engine, catalog, tahun, datetime.now(catalog.tz).date())
    summary["pd_bundles"] = len(report.pd)
    summary["files"] = sorted(p.relative_to(out_dir).as_posix() for p in written)
    summary["elapsed_s"] = round(time.perf_counter() - started, 2)
    (out_dir / "ringkasan.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    summary["files"].append("ringkasan.json")
    return summary
