"""What the status board shows beyond the yearly PD × report matrix: each PD's quarterly e-SPM
files (SPMTW, triwulan I-IV) and the LPPD data the Inspektorat returned.

Both are read from the warehouse only, below the board's own modules, so the text status, the
JSON and the HTML page all take them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from kinerja.catalog.loader import Catalog
from kinerja.intake.triwulan import QUARTERLY, YEARLY
from kinerja.warehouse.models import reviu_inspektorat, submission, submission_current

VALID, TERLAMBAT, DITOLAK, BELUM_MASUK = "valid", "terlambat", "ditolak", "belum masuk"
BELUM_WAKTUNYA = "belum waktunya"
"""The quarter has not ended yet: nothing is expected."""
TAK_TERBACA = "masuk, triwulan tak terbaca"
"""A quarterly file came in whose quarter could not be read: rejected, in no quarter."""
DIKEMBALIKAN = "dikembalikan"
"""The Inspektorat returned the PD's LPPD data and no new LPPD file came in since."""
QUARTER_END = ((3, 31), (6, 30), (9, 30), (12, 31))


@dataclass(frozen=True)
class QuarterCell:
    triwulan: int
    status: str
    batas: date
    """The quarter's e-SPM closing day."""
    versions: int
    """Files received for this quarter (valid or not)."""
    last_received_at: datetime | None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # SQLite drops the zone


def quarter_status(engine: Engine, catalog: Catalog, tahun: int, today: date) -> dict[str, list[QuarterCell]]:
    """Per active PD that owes the SPM: the state of each quarter's e-SPM file on `today`."""
    with engine.connect() as conn:
        received = {
            (r.kode_pd, r.triwulan): (r.n, _utc(r.last))
            for r in conn.execute(
                select(
                    submission.c.kode_pd,
                    submission.c.triwulan,
                    func.count().label("n"),
                    func.max(submission.c.received_at).label("last"),
                )
                .where(submission.c.tahun == tahun, submission.c.laporan == QUARTERLY)
                .group_by(submission.c.kode_pd, submission.c.triwulan)
            )
        }
        current = {
            (r.kode_pd, r.triwulan): bool(r.terlambat)
            for r in conn.execute(
                select(submission_current.c.kode_pd, submission_current.c.triwulan, submission.c.terlambat)
                .join(submission, submission.c.id == submission_current.c.submission_id)
                .where(submission_current.c.tahun == tahun, submission_current.c.laporan == QUARTERLY)
            )
        }
    kalender = catalog.kalender_tahun(tahun)
    out: dict[str, list[QuarterCell]] = {}
    for pd in catalog.pd_aktif(tahun):
        if YEARLY not in catalog.laporan_wajib(pd):
            continue
        cells = []
        for q in range(1, 5):
            n, last = received.get((pd.kode_pd, q), (0, None))
            if (pd.kode_pd, q) in current:
                status = TERLAMBAT if current[(pd.kode_pd, q)] else VALID
            elif n:
                status = DITOLAK
            elif today <= date(tahun, *QUARTER_END[q - 1]):
                status = BELUM_WAKTUNYA
            else:
                status = BELUM_MASUK
            cells.append(QuarterCell(q, status, kalender.batas_e_spm(q), n, last))
        out[pd.kode_pd] = cells
    return out


@dataclass(frozen=True)
class Unplaced:
    """A PD's quarterly files whose quarter could not be read (Triwulan empty or not I-IV): they
    were rejected and belong to no quarter, but the PD did hand something in."""

    kode_pd: str
    versions: int
    last_received_at: datetime
    feedback_path: str | None
    """The newest feedback written for one of them, relative to the drive root."""
    feedback_file: str | None
    """The name of the file that feedback answers."""


def unplaced_quarterly(engine: Engine, tahun: int) -> dict[str, Unplaced]:
    """Per PD: its quarterly (SPMTW) files of `tahun` recorded with no quarter, and the newest."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                submission.c.kode_pd, submission.c.path, submission.c.received_at, submission.c.feedback_path
            )
            .where(
                submission.c.tahun == tahun,
                submission.c.laporan == QUARTERLY,
                submission.c.triwulan.is_(None),
            )
            .order_by(submission.c.received_at, submission.c.id)
        ).all()
    out: dict[str, Unplaced] = {}
    for r in rows:
        before = out.get(r.kode_pd)
        received = _utc(r.received_at)
        assert received is not None
        fb_path, fb_file = (r.feedback_path, r.path.rsplit("/", 1)[-1]) if r.feedback_path else (None, None)
        if fb_path is None and before is not None:
            fb_path, fb_file = before.feedback_path, before.feedback_file
        n = (before.versions if before else 0) + 1
        out[r.kode_pd] = Unplaced(r.kode_pd, n, received, fb_path, fb_file)
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def quarters_json(engine: Engine, catalog: Catalog, tahun: int, today: date) -> list[dict[str, Any]]:
    """The quarterly e-SPM files as JSON (`spm_triwulan` in `kinerja status --json` and in the
    report's summary): one object per PD owing the SPM, its four quarters, and the files whose
    quarter could not be read (`tanpa_triwulan`, null when none)."""
    unplaced = unplaced_quarterly(engine, tahun)
    out = []
    for kode, cells in quarter_status(engine, catalog, tahun, today).items():
        u = unplaced.get(kode)
        out.append(
            {
                "pd": kode,
                "triwulan": [
                    {
                        "triwulan": c.triwulan,
                        "status": c.status,
                        "batas": c.batas.isoformat(),
                        "received": c.versions,
                        "last_received_at": _iso(c.last_received_at),
                    }
                    for c in cells
                ],
                "tanpa_triwulan": None
                if u is None
                else {
                    "received": u.versions,
                    "last_received_at": _iso(u.last_received_at),
                    "feedback_path": u.feedback_path,
                    "feedback_file": u.feedback_file,
                },
            }
        )
    return out


@dataclass(frozen=True)
class Returned:
    """The Inspektorat's latest reviu returned this PD's LPPD data."""

    kode_pd: str
    catatan: str
    feedback_path: str | None
    diputuskan_pada: datetime


def returned_lppd(engine: Engine, tahun: int) -> dict[str, Returned]:
    """PDs whose LPPD data the Inspektorat's latest decision returned, and that have handed in no
    LPPD file since (a new file is checked as usual and takes the PD out of this list)."""
    r = reviu_inspektorat
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.c.kode_pd, r.c.keputusan, r.c.catatan, r.c.feedback_path, r.c.diputuskan_pada)
            .where(r.c.tahun == tahun)
            .order_by(r.c.diputuskan_pada, r.c.id)
        ).all()
        latest_lppd = {
            row.kode_pd: _utc(row.last)
            for row in conn.execute(
                select(submission.c.kode_pd, func.max(submission.c.received_at).label("last"))
                .where(submission.c.tahun == tahun, submission.c.laporan == "LPPD")
                .group_by(submission.c.kode_pd)
            )
        }
    decided = {row.kode_pd: row for row in rows}  # the newest decision per PD wins
    out = {}
    for kode, row in decided.items():
        when = _utc(row.diputuskan_pada)
        assert when is not None
        newer = latest_lppd.get(kode)
        if row.keputusan == DIKEMBALIKAN and (newer is None or newer <= when):
            out[kode] = Returned(kode, row.catatan or "", row.feedback_path, when)
    return out
