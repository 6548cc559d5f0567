"""The year's collection status and SPM achievement as text (terminals, task logs) and as JSON
(`kinerja status --json`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from kinerja.catalog.loader import Catalog
from kinerja.cells import format_id, format_table
from kinerja.schema.model import LAPORAN
from kinerja.status.collection import ReportStatus, collection_status, unrecognised_files
from kinerja.status.quarters import quarter_status, quarters_json, unplaced_quarterly
from kinerja.status.spm import spm_for_year


def status_lines(engine: Engine, catalog: Catalog, tahun: int) -> list[str]:
    """The year's collection status per agency and report, and the SPM achievement."""
    rows = collection_status(engine, catalog, tahun)
    by_pd: dict[str, dict[str, ReportStatus]] = {}
    for r in rows:
        by_pd.setdefault(r.kode_pd, {})[r.laporan] = r
    other = unrecognised_files(engine, tahun)
    body = []
    for kode, reports in by_pd.items():
        cells = [kode]
        for laporan in LAPORAN:
            st = reports.get(laporan)
            cells.append(
                "-"
                if st is None
                else f"{st.status} ({st.received} masuk/{st.rejected} ditolak/{st.loaded} dimuat)"
            )
        cells.append(str(other.get(kode, "")))
        body.append(cells)
    lines = [f"Status pengumpulan {catalog.nama}, tahun pelaporan {tahun}", ""]
    lines += format_table(["PD", *LAPORAN, "tak dikenali"], body)
    tally: dict[str, int] = {}
    for r in rows:
        tally[r.status] = tally.get(r.status, 0) + 1
    lines += [
        "",
        f"Ringkasan {len(rows)} laporan wajib: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())),
    ]
    quarters = quarter_status(engine, catalog, tahun, datetime.now(catalog.tz).date())
    unplaced = unplaced_quarterly(engine, tahun)
    if unplaced or any(c.versions for cells in quarters.values() for c in cells):
        lines += ["", "SPM triwulanan (e-SPM, tidak wajib di sini):"]
        for kode, quarter_cells in quarters.items():
            line = f"  {kode:14} " + "  ".join(f"TW{c.triwulan} {c.status}" for c in quarter_cells)
            if kode in unplaced:
                line += f"  + {unplaced[kode].versions} berkas ditolak, triwulan tak terbaca"
            lines.append(line)
    spm = spm_for_year(engine, catalog, tahun)
    if spm.daerah is None:
        lines.append("Capaian SPM: belum ada data SPM yang valid.")
    else:
        lines.append(f"Capaian SPM {catalog.nama} {tahun}: {format_id(spm.daerah)} % ({spm.kategori})")
        names = {b.kode: b.nama for b in catalog.bidang}
        lines += [f"  {names.get(b, b):28} {format_id(v):>6} %" for b, v in spm.bidang.items()]
    return lines


def status_json(engine: Engine, catalog: Catalog, tahun: int) -> dict[str, Any]:
    spm = spm_for_year(engine, catalog, tahun)
    return {
        "tahun": tahun,
        "status": [
            {
                "pd": r.kode_pd,
                "report": r.laporan,
                "status": r.status,
                "received": r.received,
                "rejected": r.rejected,
                "loaded": r.loaded,
            }
            for r in collection_status(engine, catalog, tahun)
        ],
        "spm": {
            "daerah": str(spm.daerah) if spm.daerah is not None else None,
            "kategori": spm.kategori,
            "bidang": {k: str(v) for k, v in spm.bidang.items()},
        },
        "spm_triwulan": quarters_json(engine, catalog, tahun, datetime.now(catalog.tz).date()),
    }
