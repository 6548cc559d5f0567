"""The collection and the reports as steps a scheduler can run in separate processes (the DAGs'
tasks), and what those steps hand each other.

Every entry point takes the `Runtime` its caller built once (a DAG task, a `kinerja` command);
`kinerja collect` runs the collection's steps in one process, both through `open_run`. What a
task hands the next one (through XCom) is one of the dataclasses below, written and read with
its own `to_json` / `from_json`: the payload stays plain JSON, and both ends agree on its shape.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinerja.config import Settings
from kinerja.intake.collect import CollectRun, FileOutcome
from kinerja.reports.keputusan import DECISIONS, DISETUJUI, MENUNGGU
from kinerja.runtime import Runtime
from kinerja.sources.base import DriveFile
from kinerja.sources.connections import DriveSpec

if TYPE_CHECKING:
    from kinerja.satudata.ckan import SyncResult


# --- hand-overs between tasks ---------------------------------------------------------------
@dataclass(frozen=True)
class Batch:
    """Files one mapped `process_batch` task handles (`plan_batches`), oldest first per agency."""

    files: tuple[DriveFile, ...]

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(f) for f in self.files]

    @classmethod
    def from_json(cls, data: Iterable[Mapping[str, Any]]) -> Batch:
        return cls(
            tuple(DriveFile(path=str(f["path"]), size=int(f["size"]), mtime=float(f["mtime"])) for f in data)
        )

    def label(self) -> str:
        """A readable label for a mapped task: the agencies it handles."""
        pds = sorted({f.kode_pd_folder for f in self.files})
        shown = ", ".join(pds[:4]) + (f" +{len(pds) - 4}" if len(pds) > 4 else "")
        return f"{len(self.files)} berkas: {shown}"


@dataclass(frozen=True)
class FileResult:
    """What a batch hands on about one file: counts, not every issue (those are in the warehouse)."""

    path: str
    pd: str
    report: str | None
    status: str
    version: int | None
    late: bool
    errors: int
    warnings: int

    @classmethod
    def of(cls, outcome: FileOutcome) -> FileResult:
        return cls(
            path=outcome.path,
            pd=outcome.kode_pd,
            report=outcome.laporan,
            status=outcome.status,
            version=outcome.version,
            late=outcome.terlambat,
            errors=len(outcome.errors),
            warnings=len(outcome.warnings),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileResult:
        return cls(
            path=str(data["path"]),
            pd=str(data["pd"]),
            report=data.get("report"),
            status=str(data["status"]),
            version=data.get("version"),
            late=bool(data.get("late")),
            errors=int(data.get("errors", 0)),
            warnings=int(data.get("warnings", 0)),
        )


@dataclass(frozen=True)
class Changes:
    """What a collection run changed in `tahun`: the agency/report pairs loaded and how many
    files were rejected; the `kinerja_submissions` event carries it as its `extra`."""

    tahun: int
    loaded: list[str] = field(default_factory=list)
    """`KODE_PD/LAPORAN` of every report loaded, sorted."""
    rejected: int = 0

    @classmethod
    def of(cls, tahun: int, results: Iterable[FileResult]) -> Changes:
        done = list(results)
        loaded = sorted({f"{r.pd}/{r.report}" for r in done if r.status == "loaded"})
        return cls(tahun, loaded, sum(1 for r in done if r.status == "rejected"))

    @property
    def any(self) -> bool:
        return bool(self.loaded or self.rejected)

    def to_json(self) -> dict[str, Any]:
        return {"tahun": self.tahun, "loaded": list(self.loaded), "rejected": self.rejected}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Changes:
        return cls(
            int(data["tahun"]), [str(x) for x in data.get("loaded") or []], int(data.get("rejected", 0))
        )


@dataclass(frozen=True)
class BuiltReports:
    """A build of the year's outputs in its staging folder, waiting for the tim ahli."""

    tahun: int
    staging: str
    summary: dict[str, Any]
    """`kinerja.reports.build.build_outputs`'s summary: headline figures, files."""

    def to_json(self) -> dict[str, Any]:
        return {"tahun": self.tahun, "staging": self.staging, "summary": self.summary}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BuiltReports:
        return cls(int(data["tahun"]), str(data["staging"]), dict(data.get("summary") or {}))


@dataclass(frozen=True)
class ReviewRequest:
    """A staged build recorded as waiting for review: its row, how many files, the figures."""

    id: int | None
    files: int
    ringkasan: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReviewRequest:
        return cls(data.get("id"), int(data["files"]), str(data.get("ringkasan") or ""))


@dataclass(frozen=True)
class Answer:
    """The reviewer's answer to an approval request (what Airflow's ApprovalOperator returns)."""

    chosen_options: list[str] = field(default_factory=list)
    params_input: dict[str, Any] = field(default_factory=dict)
    responded_by_user: Any = None
    """Airflow's `{"id": ..., "name": ...}` (or a bare name)."""
    responded_at: str | None = None
    """ISO 8601."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Answer:
        when = data.get("responded_at")
        return cls(
            chosen_options=list(data.get("chosen_options") or []),
            params_input=dict(data.get("params_input") or {}),
            responded_by_user=data.get("responded_by_user"),
            responded_at=when.isoformat() if isinstance(when, datetime) else when,
        )


@dataclass(frozen=True)
class Decision:
    """The tim ahli's decision on a staged build, as recorded beside its checksums."""

    tahun: int
    run_id: str
    decision: str
    staging: str
    reviewer: str | None
    reason: str | None
    decided_at: str | None
    """ISO 8601."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Decision:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class SatuDataSync:
    """A Satu Data sync of one year: what was (or would be) done, from which folder."""

    result: SyncResult
    folder: Path

    def to_json(self) -> dict[str, Any]:
        """`kinerja publish --json`."""
        return {**self.result.to_json(), "folder": str(self.folder)}

    def brief(self) -> dict[str, Any]:
        """What the DAG task hands on: the year and the counts."""
        return {"tahun": self.result.tahun, "jumlah": self.result.counts()}


# --- the collection ---------------------------------------------------------------------------
def open_run(
    rt: Runtime,
    tahun: int,
    drive: DriveSpec | None = None,
    *,
    prepare: bool = False,
    archive_dir: Path | None = None,
    settle_seconds: float | None = None,
) -> CollectRun:
    """A collection of `tahun` from `drive` (default: the settings' drive) into `rt`'s warehouse.

    With `prepare`, migrate the warehouse and refresh the reference tables first. `archive_dir`
    and `settle_seconds` override the settings (`kinerja collect --archive/--settle`).
    """
    from kinerja.intake.validation import shared_validator
    from kinerja.warehouse.db import migrate
    from kinerja.warehouse.load import sync_reference

    settings = rt.settings
    if prepare:
        migrate(rt.engine)
        sync_reference(rt.engine, rt.catalog)
    return CollectRun(
        tahun=tahun,
        drive=rt.drive(drive),
        engine=rt.engine,
        catalog=rt.catalog,
        archive_dir=archive_dir or settings.archive_dir,
        settle_seconds=settings.settle_seconds if settle_seconds is None else settle_seconds,
        validator=partial(shared_validator, settings.expectations_dir, settings.data_docs_dir),
    )


def check_archive_year(run: CollectRun, source: str) -> int:
    """Refuse a collection from an archive (a backfill) that cannot be what was meant: a year
    outside the catalogue's calendar, or a year the archive holds no workbook for (a typo in a
    path or a year would otherwise load nothing and look like success). `source` names the
    archive in the message. Returns how many workbooks the archive holds for the year."""
    from kinerja.config import SetupError

    known = sorted(run.catalog.kalender)
    if run.tahun not in run.catalog.kalender:
        raise SetupError(
            f"Tahun {run.tahun} di luar kalender katalog ({known[0]}–{known[-1]}): tidak ada batas "
            "pengumpulan untuk tahun itu. Periksa tahun yang diminta, atau tambahkan tahun itu ke "
            "calendar.yaml bila memang akan dimuat."
        )
    found = sum(1 for _ in run.drive.list_files(run.tahun))
    if not found:
        raise SetupError(
            f"Arsip {source} ({run.drive.name}) tidak memuat tahun {run.tahun}: tidak ada berkas "
            f"di {run.tahun}/<KODE_PD>/. Periksa tahun dan jalur arsip (connection {source})."
        )
    return found


def plan_batches(files: list[DriveFile], max_batches: int) -> list[Batch]:
    """Split files into at most `max_batches` groups, keeping each agency's files together
    (and in arrival order) so its newest version is always loaded last."""
    by_pd: dict[str, list[DriveFile]] = {}
    for f in files:
        by_pd.setdefault(f.kode_pd_folder, []).append(f)
    groups: list[list[DriveFile]] = [[] for _ in range(max(1, min(max_batches, len(by_pd))))]
    for pd_files in sorted(by_pd.values(), key=len, reverse=True):
        smallest = min(groups, key=len)
        smallest.extend(sorted(pd_files, key=lambda f: (f.mtime, f.path)))
    return [Batch(tuple(g)) for g in groups if g]


def process_batch(run: CollectRun, batch: Batch) -> list[FileResult]:
    """Every file of the batch (Great Expectations once per suite and chunk), then Data Docs."""
    preloaded = "great_expectations" in sys.modules  # inherited from a preloading parent?
    started = time.perf_counter()
    run.validator()
    print(
        f"Great Expectations siap dalam {time.perf_counter() - started:.2f} s "
        f"({'sudah dimuat induk proses' if preloaded else 'diimpor oleh tugas ini'})"
    )
    outcomes = run.process_files(list(batch.files))
    run.build_docs()
    return [FileResult.of(o) for o in outcomes]


def summary_lines(rt: Runtime, tahun: int) -> list[str]:
    """The year's collection status as text (for a task's log)."""
    from kinerja.reports.status import status_lines

    return status_lines(rt.engine, rt.catalog, tahun)


# --- the reports and their review -------------------------------------------------------------
def build_year_reports(rt: Runtime, tahun: int, run_id: str) -> BuiltReports:
    """Build every output of `tahun` from `rt`'s warehouse (the reader's) into a fresh staging
    folder; returns what the reviewer sees (headline figures, the staging folder)."""
    from kinerja.publish.release import staging_dir
    from kinerja.reports.build import build_outputs

    stage = staging_dir(rt.settings.reports_dir, tahun, run_id)
    summary = build_outputs(rt.engine, rt.catalog, tahun, stage)
    return BuiltReports(tahun, str(stage), summary)


def publish_year_reports(rt: Runtime, tahun: int, staging: str) -> str:
    """Move approved outputs to the published area (replacing the year whole), only if they are
    the files whose checksums the tim ahli's approval recorded."""
    from sqlalchemy import select

    from kinerja.lineage import record_sources
    from kinerja.publish.release import NotApprovedError, publish
    from kinerja.satudata.package import FOLDER
    from kinerja.warehouse.models import report_review

    with rt.engine.connect() as conn:
        row = conn.execute(
            select(report_review.c.decision, report_review.c.berkas, report_review.c.run_id).where(
                report_review.c.staging == staging, report_review.c.tahun == tahun
            )
        ).first()
    if row is None or row.decision != DISETUJUI:
        raise NotApprovedError(f"keluaran {staging} belum disetujui tim ahli; tidak diterbitkan")
    published = publish(Path(staging), rt.settings.reports_dir, tahun, row.berkas or {})
    # what is now published: its rows' facts and agency files, for `kinerja lineage`
    record_sources(rt.engine, published / FOLDER, row.run_id)
    return str(published)


def request_review(rt: Runtime, tahun: int, staging: str, run_id: str) -> ReviewRequest:
    """Record a staged build as waiting for the tim ahli: the SHA-256 of every staged file
    (what the review page serves and what publishing checks) and the headline figures."""
    import json
    from datetime import UTC

    from sqlalchemy import insert, select, update

    from kinerja.publish.release import file_checksums
    from kinerja.warehouse.models import report_review

    folder = Path(staging)
    berkas = file_checksums(folder)
    summary_file = folder / "ringkasan.json"
    ringkasan = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else {}
    row = {
        "tahun": tahun,
        "decision": MENUNGGU,
        "staging": staging,
        "requested_at": datetime.now(UTC),
        "berkas": berkas,
        "ringkasan": ringkasan,
        "reviewer": None,
        "reason": None,
        "decided_at": None,
    }
    with rt.engine.begin() as conn:  # a retried request asks again for the same run
        found = conn.execute(select(report_review.c.id).where(report_review.c.run_id == run_id)).scalar()
        if found is None:
            key = conn.execute(insert(report_review).values(run_id=run_id, **row)).inserted_primary_key
            found = key[0] if key else None
        else:
            conn.execute(update(report_review).where(report_review.c.id == found).values(**row))
    return ReviewRequest(found, len(berkas), ringkasan.get("ringkasan", ""))


def record_review(rt: Runtime, tahun: int, staging: str, answer: Answer, run_id: str) -> Decision:
    """Store the reviewer's answer once per run, beside the checksums recorded when the review
    was asked for; returns it."""
    from sqlalchemy import insert, select, update

    from kinerja.warehouse.models import report_review

    chosen = (answer.chosen_options or [None])[0]
    who = answer.responded_by_user or {}
    decided_at = datetime.fromisoformat(answer.responded_at) if answer.responded_at else None
    decision = Decision(
        tahun=tahun,
        run_id=run_id,
        decision=DECISIONS.get(chosen or "", "tanpa_keputusan"),
        staging=staging,
        reviewer=who.get("name") if isinstance(who, dict) else str(who),
        reason=answer.params_input.get("alasan") or None,
        decided_at=decided_at.isoformat() if decided_at else None,
    )
    row = {**decision.to_json(), "decided_at": decided_at}
    with rt.engine.begin() as conn:  # idempotent: a retried task replaces its own decision
        found = conn.execute(select(report_review.c.id).where(report_review.c.run_id == run_id)).scalar()
        if found is None:
            conn.execute(insert(report_review).values(**row))
        else:
            conn.execute(update(report_review).where(report_review.c.id == found).values(**row))
    return decision


# --- Satu Data --------------------------------------------------------------------------------
def sync_satu_data(
    settings: Settings,
    tahun: int,
    portal_url: str | None,
    api_token: str | None,
    dry_run: bool = False,
    folder: str | None = None,
) -> SatuDataSync:
    """Publish the approved Satu Data export of `tahun` (published/<tahun>/satu-data, or `folder`)
    to the CKAN portal; with `dry_run` only the plan. Returns what was (or would be) done."""
    from kinerja.publish.release import published_dir
    from kinerja.satudata.ckan import portal_client, sync_year
    from kinerja.satudata.package import FOLDER, read_package

    source = Path(folder) if folder else published_dir(settings.reports_dir, tahun) / FOLDER
    found = int(read_package(source)["kinerja"]["tahun"])
    if found != tahun:  # checked before anything is sent
        raise ValueError(f"{source} berisi data tahun {found}, bukan {tahun}")
    ckan = portal_client(portal_url, api_token) if portal_url else None
    return SatuDataSync(sync_year(ckan, source, dry_run=dry_run), source)
