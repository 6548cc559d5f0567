"""What the warehouse says about a year: collection status per agency and report, and SPM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, func, select

from kinerja.catalog.loader import Catalog
from kinerja.intake.board import quarter_status
from kinerja.reports.numbers import format_id
from kinerja.reports.spm import JpdInput, Mutu, Penerima, SpmResult, compute_spm
from kinerja.schema.model import LAPORAN
from kinerja.warehouse.models import FACT_TABLES, ref_spm_mutu, submission, submission_current

BELUM_MASUK, DITOLAK, VALID, TERLAMBAT = "belum masuk", "ditolak", "valid", "terlambat"


@dataclass(frozen=True)
class ReportStatus:
    kode_pd: str
    nama_pd: str
    laporan: str
    status: str
    """belum masuk / ditolak / valid / terlambat (valid but received after the deadline)."""
    received: int
    """File versions received."""
    rejected: int
    loaded: int
    last_received_at: datetime | None


def collection_status(engine: Engine, catalog: Catalog, tahun: int) -> list[ReportStatus]:
    """One row per active agency and report it must hand in."""
    with engine.connect() as conn:
        counts = {
            (r.kode_pd, r.laporan): r
            for r in conn.execute(
                select(
                    submission.c.kode_pd,
                    submission.c.laporan,
                    func.count().label("received"),
                    func.sum(case((submission.c.status == "rejected", 1), else_=0)).label("rejected"),
                    func.sum(case((submission.c.status == "loaded", 1), else_=0)).label("loaded"),
                    func.max(submission.c.received_at).label("last"),
                )
                .where(submission.c.tahun == tahun)
                .group_by(submission.c.kode_pd, submission.c.laporan)
            )
        }
        current = {
            (r.kode_pd, r.laporan): r.terlambat
            for r in conn.execute(
                select(
                    submission_current.c.kode_pd,
                    submission_current.c.laporan,
                    submission.c.terlambat,
                )
                .join(submission, submission.c.id == submission_current.c.submission_id)
                .where(submission_current.c.tahun == tahun)
            )
        }
    rows = []
    for pd in catalog.pd_aktif(tahun):
        for laporan in catalog.laporan_wajib(pd):
            c = counts.get((pd.kode_pd, laporan))
            received = c.received if c else 0
            rejected = (c.rejected or 0) if c else 0
            if (pd.kode_pd, laporan) in current:
                status = TERLAMBAT if current[(pd.kode_pd, laporan)] else VALID
            elif received:
                status = DITOLAK
            else:
                status = BELUM_MASUK
            rows.append(
                ReportStatus(
                    pd.kode_pd,
                    pd.nama,
                    laporan,
                    status,
                    received,
                    rejected,
                    (c.loaded or 0) if c else 0,
                    c.last if c else None,
                )
            )
    return rows


def unrecognised_files(engine: Engine, tahun: int) -> dict[str, int]:
    """Per agency folder: files that could not be read as any template (wrong format...)."""
    with engine.connect() as conn:
        return {
            r.kode_pd: r.n
            for r in conn.execute(
                select(submission.c.kode_pd, func.count().label("n"))
                .where(submission.c.tahun == tahun, submission.c.laporan.is_(None))
                .group_by(submission.c.kode_pd)
            )
        }


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


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A plain-text table, for terminals and task logs."""
    widths = [max([len(str(h))] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    lines = [
        "  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return lines


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
    if any(c.versions for cells in quarters.values() for c in cells):
        lines += ["", "SPM triwulanan (e-SPM, tidak wajib di sini):"]
        lines += [
            f"  {kode:14} " + "  ".join(f"TW{c.triwulan} {c.status}" for c in cells)
            for kode, cells in quarters.items()
        ]
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
    }
