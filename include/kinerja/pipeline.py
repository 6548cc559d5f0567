"""The collection and the reports as steps a scheduler can run in separate processes (the DAGs'
tasks).

Every entry point takes the `Runtime` its caller built once (a DAG task, a `kinerja` command);
`kinerja collect` runs the collection's steps in one process, both through `open_run`. What the
steps return for the next task is a hand-over of `kinerja.handover` (typed, with its JSON).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from functools import partial
from pathlib import Path

from kinerja.config import Settings
from kinerja.handover import (
    Answer,
    Batch,
    BuiltReports,
    Decision,
    FileResult,
    ReviewRequest,
    SatuDataSync,
)
from kinerja.heap import for_batch_work
from kinerja.intake.collect import CollectRun
from kinerja.reports.keputusan import DECISIONS, DISETUJUI, MENUNGGU
from kinerja.runtime import Runtime
from kinerja.sources.base import DriveFile
from kinerja.sources.connections import DriveSpec


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

    for_batch_work()  # a task process that did not inherit it from a preloaded parent
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
    from kinerja.status.summary import status_lines

    return status_lines(rt.engine, rt.catalog, tahun)


# --- the reports and their review -------------------------------------------------------------
def build_year_reports(rt: Runtime, tahun: int, run_id: str) -> BuiltReports:
    """Build every output of `tahun` from `rt`'s warehouse (the reader's) into a fresh staging
    folder; returns what the reviewer sees (headline figures, the staging folder)."""
    from kinerja.build import build_outputs
    from kinerja.publish.release import staging_dir

    settings = rt.settings
    stage = staging_dir(settings.reports_dir, tahun, run_id)
    summary = build_outputs(rt.engine, rt.catalog, tahun, stage, public_url=settings.public_url)
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

    chosen = answer.chosen_options[0] if answer.chosen_options else None
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
