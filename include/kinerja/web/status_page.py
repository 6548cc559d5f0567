"""The "Status Pengumpulan" page: who handed in what for a year, as data (`status_page`); its HTML
is `status_html.render_status_page`.

The Airflow UI plugin (`plugins/kinerja_status.py`) only wires these functions to routes. The page
is a PD × report matrix: the status of each report (belum masuk / ditolak / valid / terlambat), how
many versions came in, the newest feedback written for it (linked through the plugin's own route,
which serves only feedback paths recorded in the warehouse) and the days left until the deadline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Row, select

from kinerja.catalog.loader import Catalog
from kinerja.intake.refused import RefusedRow, refused_for_board
from kinerja.sources.base import UnsafePathError, safe_relative
from kinerja.status.collection import BELUM_MASUK, DITOLAK, TERLAMBAT, VALID, collection_status
from kinerja.status.quarters import (
    DIKEMBALIKAN,
    QuarterCell,
    Unplaced,
    quarter_status,
    returned_lppd,
    unplaced_quarterly,
)
from kinerja.warehouse.models import submission
from kinerja.web.chain import PipelineState, Step, chain_steps, latest_review

TAK_DIKENALI = "masuk, tak dikenali"
"""Shown instead of `belum masuk` when the agency's folder holds files that are no template at all
(a CSV or PDF named .xlsx, no Info sheet): something did come in, and it got feedback."""
STATUSES = (BELUM_MASUK, TAK_DIKENALI, DITOLAK, DIKEMBALIKAN, TERLAMBAT, VALID)
FEEDBACK_ROUTE = "umpan-balik"
"""The plugin's route serving a feedback file, relative to the page (`<prefix>/umpan-balik?path=`).
Links open in the same frame: the Airflow UI embeds the page in a sandboxed iframe without
`allow-popups`, and keeps the frame's location in its own URL, so Back returns to the matrix."""


@dataclass(frozen=True)
class Cell:
    """One report of one agency."""

    laporan: str
    status: str
    """belum masuk / ditolak / valid / terlambat."""
    versions: int
    """File versions received for this report (every version, valid or not)."""
    rejected: int
    last_received_at: datetime | None
    terlambat: bool
    """The newest version came in after the deadline day."""
    feedback_path: str | None
    """The newest feedback (.html) written for this report, relative to the drive root."""
    feedback_file: str | None
    """The name of the submitted file that feedback answers."""
    feedback_at: datetime | None
    """When that feedback was written (the version was processed)."""


@dataclass(frozen=True)
class Stray:
    """A file in a folder of the year that is no active agency's: recorded, rejected, shown."""

    path: str
    received_at: datetime
    reason: str
    feedback_path: str | None


@dataclass(frozen=True)
class PdRow:
    kode_pd: str
    nama_pd: str
    cells: Mapping[str, Cell]
    """Only the reports this agency must hand in."""
    mail_problems: tuple[str, ...] = ()
    """Feedback mails that did not reach an address (malformed, refused by the server)."""


@dataclass(frozen=True)
class StatusPage:
    tahun: int
    nama_kota: str
    batas: date
    """The deadline day for agencies (end of day, in the kota's time zone)."""
    hari_ini: date
    days_left: int
    """Days until the deadline day: 0 on the day itself, negative after it."""
    tz: ZoneInfo
    tz_label: str
    rows: list[PdRow]
    years: list[int] = field(default_factory=list)
    """Years the selector offers, newest first."""
    strays: list[Stray] = field(default_factory=list)
    """Files in folders that are no active agency's (a mistyped folder name, a merged PD)."""
    refused: list[RefusedRow] = field(default_factory=list)
    """Files the collection does not take (bad name, directly under the year, in a sub-folder)."""
    chain: list[Step] = field(default_factory=list)
    """Where the year stands: collected → built → review → published → synced (`reports.chain`)."""
    triwulan: Mapping[str, list[QuarterCell]] = field(default_factory=dict)
    """Per PD owing the SPM: its optional quarterly e-SPM files (`status.quarters`)."""
    triwulan_tak_terbaca: Mapping[str, Unplaced] = field(default_factory=dict)
    """Per PD: quarterly files rejected with no readable quarter (they belong to no quarter)."""

    @property
    def ringkasan(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            for cell in row.cells.values():
                counts[cell.status] = counts.get(cell.status, 0) + 1
        return counts


@dataclass(frozen=True)
class _Latest:
    received_at: datetime
    terlambat: bool
    feedback_path: str | None
    feedback_file: str | None
    feedback_at: datetime | None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # SQLite drops the zone


def days_left(batas: date, today: date) -> int:
    """Whole days from `today` to the deadline day: 0 on the day, negative once it has passed."""
    return (batas - today).days


def today_in(tz: ZoneInfo, now: datetime | None = None) -> date:
    """Today's date in the kota's time zone (the deadline is a local day)."""
    return (now or datetime.now(UTC)).astimezone(tz).date()


def default_year(today: date) -> int:
    """The year being collected: January 2026 collects the data of 2025."""
    return today.year - 1


def _versions(engine: Engine, tahun: int, *, recognised: bool) -> Sequence[Row[Any]]:
    """The year's file versions, oldest first: those read as a template, or the others."""
    laporan = submission.c.laporan
    with engine.connect() as conn:
        return conn.execute(
            select(
                submission.c.kode_pd,
                laporan,
                submission.c.path,
                submission.c.received_at,
                submission.c.processed_at,
                submission.c.terlambat,
                submission.c.feedback_path,
            )
            .where(submission.c.tahun == tahun, laporan.is_not(None) if recognised else laporan.is_(None))
            .order_by(submission.c.received_at, submission.c.id)
        ).all()


def _latest_versions(engine: Engine, tahun: int) -> dict[tuple[str, str], _Latest]:
    """Per agency and report: the newest version received, and the newest feedback written."""
    rows = _versions(engine, tahun, recognised=True)
    out: dict[tuple[str, str], _Latest] = {}
    for r in rows:
        key = (r.kode_pd, r.laporan)
        before = out.get(key)
        received = r.received_at.replace(tzinfo=UTC) if r.received_at.tzinfo is None else r.received_at
        if r.feedback_path:
            fb_path, fb_file, fb_at = r.feedback_path, r.path.rsplit("/", 1)[-1], _utc(r.processed_at)
        elif before is not None:
            fb_path, fb_file, fb_at = before.feedback_path, before.feedback_file, before.feedback_at
        else:
            fb_path, fb_file, fb_at = None, None, None
        out[key] = _Latest(received, bool(r.terlambat), fb_path, fb_file, fb_at)
    return out


def _unrecognised(engine: Engine, tahun: int) -> dict[str, tuple[int, _Latest]]:
    """Per agency folder: how many versions were no template at all, and the newest of them."""
    rows = _versions(engine, tahun, recognised=False)
    out: dict[str, tuple[int, _Latest]] = {}
    for r in rows:
        n = out[r.kode_pd][0] + 1 if r.kode_pd in out else 1
        name = r.path.rsplit("/", 1)[-1]
        received = _utc(r.received_at)
        assert received is not None
        out[r.kode_pd] = (
            n,
            _Latest(received, bool(r.terlambat), r.feedback_path, name, _utc(r.processed_at)),
        )
    return out


def _with_refused(
    unknown: dict[str, tuple[int, _Latest]], refused: list[RefusedRow]
) -> dict[str, tuple[int, _Latest]]:
    """A file refused in an agency's folder (sub-folder, bad name) also means something came in:
    that agency's reports are never "belum masuk" while it waits there."""
    out = dict(unknown)
    for r in refused:
        if r.kode_pd and r.kode_pd not in unknown:
            n = out[r.kode_pd][0] + 1 if r.kode_pd in out else 1
            name = r.path.rsplit("/", 1)[-1]
            out[r.kode_pd] = (n, _Latest(r.received_at, False, r.feedback_path, name, r.first_seen))
    return out


def _strays(engine: Engine, catalog: Catalog, tahun: int) -> list[Stray]:
    from kinerja.warehouse.models import submission_issue

    active = {pd.kode_pd for pd in catalog.pd_aktif(tahun)}
    with engine.connect() as conn:
        rows = conn.execute(
            select(submission.c.id, submission.c.path, submission.c.received_at, submission.c.feedback_path)
            .where(submission.c.tahun == tahun, submission.c.kode_pd.not_in(active))
            .order_by(submission.c.received_at, submission.c.id)
        ).all()
        reasons: dict[int, str] = {}
        if rows:
            for r in conn.execute(
                select(submission_issue.c.submission_id, submission_issue.c.message)
                .where(submission_issue.c.submission_id.in_([r.id for r in rows]))
                .order_by(submission_issue.c.id)
            ):
                reasons.setdefault(r.submission_id, r.message)
    return [
        Stray(r.path, _utc(r.received_at) or datetime.now(UTC), reasons.get(r.id, ""), r.feedback_path)
        for r in rows
    ]


def _mail_problems(engine: Engine, tahun: int) -> dict[str, list[str]]:
    """Per agency: the feedback mails that did not reach someone, newest first, with the file."""
    from kinerja.notify.ledger import KIND, key_for, refused_key
    from kinerja.warehouse.models import drive_refused
    from kinerja.warehouse.models import notification_sent as n

    with engine.connect() as conn:
        rows = conn.execute(
            select(n.c.kode_pd, n.c.key, n.c.problem, n.c.sent_at)
            .where(n.c.tahun == tahun, n.c.kind == KIND, n.c.problem.is_not(None))
            .order_by(n.c.sent_at.desc(), n.c.id.desc())
        ).all()
        versions = select(submission.c.id, submission.c.path).where(submission.c.tahun == tahun)
        paths = {key_for(r.id): r.path for r in conn.execute(versions)}
        refused = select(drive_refused.c.id, drive_refused.c.path).where(drive_refused.c.tahun == tahun)
        paths |= {refused_key(r.id): r.path for r in conn.execute(refused)}
    out: dict[str, list[str]] = {}
    for r in rows:
        name = paths.get(r.key, r.key).rsplit("/", 1)[-1]
        out.setdefault(r.kode_pd, []).append(f"{name}: {r.problem}")
    return out


def _years(engine: Engine, catalog: Catalog, tahun: int) -> list[int]:
    with engine.connect() as conn:
        seen = set(conn.execute(select(submission.c.tahun).distinct()).scalars())
    return sorted(seen | set(catalog.kalender) | {tahun}, reverse=True)


def status_page(
    engine: Engine,
    catalog: Catalog,
    tahun: int,
    today: date | None = None,
    pipeline: PipelineState | None = None,
) -> StatusPage:
    """Everything the page shows for `tahun`, as of `today` (default: today in the kota); with
    `pipeline` (Airflow's side, read by the plugin) also where the year stands in the chain."""
    today = today or today_in(catalog.tz)
    batas = catalog.kalender_tahun(tahun).batas_pengumpulan
    latest = _latest_versions(engine, tahun)
    refused = refused_for_board(engine, tahun)
    unknown = _with_refused(_unrecognised(engine, tahun), refused)
    problems = _mail_problems(engine, tahun)
    names: dict[str, str] = {}
    cells: dict[str, dict[str, Cell]] = {}
    for st in collection_status(engine, catalog, tahun):
        names[st.kode_pd] = st.nama_pd
        last = latest.get((st.kode_pd, st.laporan))
        if st.status == BELUM_MASUK and st.kode_pd in unknown:
            count, newest = unknown[st.kode_pd]  # something came in: never "belum masuk"
            cells.setdefault(st.kode_pd, {})[st.laporan] = Cell(
                laporan=st.laporan,
                status=TAK_DIKENALI,
                versions=count,
                rejected=count,
                last_received_at=newest.received_at,
                terlambat=newest.terlambat,
                feedback_path=newest.feedback_path,
                feedback_file=newest.feedback_file,
                feedback_at=newest.feedback_at,
            )
            continue
        cells.setdefault(st.kode_pd, {})[st.laporan] = Cell(
            laporan=st.laporan,
            status=st.status,
            versions=st.received,
            rejected=st.rejected,
            last_received_at=_utc(st.last_received_at),
            terlambat=last.terlambat if last else False,
            feedback_path=last.feedback_path if last else None,
            feedback_file=last.feedback_file if last else None,
            feedback_at=last.feedback_at if last else None,
        )
    for kode, back in returned_lppd(engine, tahun).items():
        if "LPPD" in cells.get(kode, {}):  # the Inspektorat returned it: like a rejected file
            cells[kode]["LPPD"] = replace(
                cells[kode]["LPPD"],
                status=DIKEMBALIKAN,
                feedback_path=back.feedback_path,
                feedback_file=f"Catatan Inspektorat: {back.catatan}"[:200],
                feedback_at=back.diputuskan_pada,
            )
    chain: list[Step] = []
    if pipeline is not None:
        statuses = [c.status for by_laporan in cells.values() for c in by_laporan.values()]
        collected = sum(1 for st in statuses if st in (VALID, TERLAMBAT))
        chain = chain_steps(tahun, collected, len(statuses), pipeline, latest_review(engine, tahun))
    return StatusPage(
        tahun=tahun,
        nama_kota=catalog.nama,
        batas=batas,
        hari_ini=today,
        days_left=days_left(batas, today),
        tz=catalog.tz,
        tz_label=catalog.tz_label,
        rows=[
            PdRow(kode, names[kode], by_laporan, tuple(problems.get(kode, ())))
            for kode, by_laporan in cells.items()
        ],
        years=_years(engine, catalog, tahun),
        strays=_strays(engine, catalog, tahun),
        refused=refused,
        chain=chain,
        triwulan=quarter_status(engine, catalog, tahun, today),
        triwulan_tak_terbaca=unplaced_quarterly(engine, tahun),
    )


def recorded_feedback(engine: Engine, path: str) -> str | None:
    """`path` if the warehouse recorded it as a feedback file, else None.

    The plugin serves only what this returns: a path nobody recorded (another file on the
    drive, `../` tricks, an agency's workbook) is never read.
    """
    try:
        clean = safe_relative(path)
    except UnsafePathError:
        return None
    if clean != path or not clean.lower().endswith(".html"):
        return None
    from kinerja.warehouse.models import drive_refused
    from kinerja.warehouse.models import reviu_inspektorat as reviu

    with engine.connect() as conn:
        found = (
            conn.execute(
                select(submission.c.feedback_path).where(submission.c.feedback_path == clean).limit(1)
            ).scalar()
            or conn.execute(
                select(drive_refused.c.feedback_path).where(drive_refused.c.feedback_path == clean).limit(1)
            ).scalar()
            or conn.execute(  # the Inspektorat's note to a returned PD
                select(reviu.c.feedback_path).where(reviu.c.feedback_path == clean).limit(1)
            ).scalar()
        )
    return clean if found else None
