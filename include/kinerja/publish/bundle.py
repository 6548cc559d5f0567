"""Website bundle per PD: what each agency uploads to its own website after approval.

    <out>/pd/<KODE_PD>/index.html                the PD's LKPJ / LPPD / SPM tables and charts
    <out>/pd/<KODE_PD>/<KODE_PD>-<tahun>.xlsx    the same tables, one sheet each
    <out>/pd/<KODE_PD>/data/<tabel>.csv          the same tables, machine format (UTF-8, `,`, `.`)

Only the PD's own rows are in its bundle, and only aggregates (no personal data is in the
marts). CSV text cells that a spreadsheet would run as a formula (= + - @) are neutralised
with `safe_cell`, like the workbook (numbers stay numbers: -1.11 is no formula); the HTML
escapes every agency-supplied text. Every CSV starts with `tahun` and `kode_pd` so a harvester
(Satu Data) can stack the bundles of all PDs.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from kinerja.cells import csv_cell, safe_cell
from kinerja.reports.charts import pd_charts
from kinerja.reports.render_html import page
from kinerja.reports.render_xlsx import write_workbook
from kinerja.reports.table import Table
from kinerja.reports.tables import pd_tables
from kinerja.reports.year import YearReport

_SAFE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


def bundle_dir(out_dir: Path, kode_pd: str) -> Path:
    if not _SAFE_CODE.match(kode_pd):
        raise ValueError(f"kode PD tidak aman sebagai nama folder: {kode_pd!r}")
    return out_dir / "pd" / kode_pd


def csv_bytes(table: Table, tahun: int, kode_pd: str) -> bytes:
    """The table in machine format; text cells neutralised against formula injection."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    keys = [c.key for c in table.cols]
    lead = [k for k in ("tahun", "kode_pd") if k not in keys]
    writer.writerow([*lead, *keys])
    for row in table.rows:
        extra = {"tahun": str(tahun), "kode_pd": kode_pd}
        writer.writerow([safe_cell(extra[k]) for k in lead] + [csv_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def write_pd_bundle(report: YearReport, kode_pd: str, out_dir: Path, dibuat: str = "") -> list[Path]:
    """Write one PD's bundle; returns the files written."""
    folder = bundle_dir(out_dir, kode_pd)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    tables = pd_tables(report, kode_pd)
    nama = report.nama_pd(kode_pd)
    subtitle = f"{nama} ({kode_pd}) · {report.kota} · tahun pelaporan {report.tahun}"
    written = []
    downloads = []
    xlsx_name = f"{kode_pd}-{report.tahun}.xlsx"
    written.append(write_workbook(tables, subtitle, folder / xlsx_name))
    downloads.append((f"Semua tabel (Excel): {xlsx_name}", xlsx_name))
    for table in tables:
        path = folder / "data" / f"{table.slug}.csv"
        path.write_bytes(csv_bytes(table, report.tahun, kode_pd))
        written.append(path)
        downloads.append((f"{table.title} (CSV)", f"data/{path.name}"))
    html = page(
        title=f"Kinerja {nama} Tahun {report.tahun}",
        subtitle=subtitle,
        tables=tables,
        charts=pd_charts(report, kode_pd),
        downloads=downloads,
        footer=f"Data LKPJ, LPPD dan SPM {report.kota} {report.tahun}"
        + (f" · dibuat {dibuat}" if dibuat else ""),
    )
    index = folder / "index.html"
    index.write_text(html, encoding="utf-8")
    written.append(index)
    return written
