"""What came in for a year: the collection status of every agency and report it must hand in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, case, func, select

from kinerja.catalog.loader import Catalog
from kinerja.warehouse.models import submission, submission_current

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
