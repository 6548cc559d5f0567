"""The collection as steps a scheduler can run in separate processes (the DAG's tasks).

`kinerja collect` runs the same steps in one process; both go through `CollectRun`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from typing import Any

from kinerja.catalog import load_catalog
from kinerja.config import Settings
from kinerja.intake.collect import CollectRun, FileOutcome
from kinerja.reports.keputusan import DECISIONS, DISETUJUI, MENUNGGU
from kinerja.sources.base import DriveFile
from kinerja.sources.connections import DriveSpec
from kinerja.sources.url import PASSWORD_ENV, drive_from_url


def open_run(
    tahun: int,
    drive: DriveSpec | None = None,
    warehouse_url: str | None = None,
    city: str | None = None,
    prepare: bool = False,
) -> CollectRun:
    """A collection of `tahun` from `drive` (default: the local sample drive).

    With `prepare`, migrate the warehouse and refresh the reference tables first.
    """
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference

    settings = Settings.from_env()
    catalog = load_catalog(city or settings.city)
    engine = engine_for(warehouse_url or settings.warehouse_url)
    if prepare:
        migrate(engine)
        sync_reference(engine, catalog)
    secret = {PASSWORD_ENV: drive.password} if drive and drive.password else None
    return CollectRun(
        tahun=tahun,
        drive=drive_from_url((drive and drive.url) or str(settings.drive_dir), env=secret),
        engine=engine,
        catalog=catalog,
        archive_dir=settings.archive_dir,
        settle_seconds=settings.settle_seconds,
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


def plan_batches(files: list[DriveFile], max_batches: int) -> list[list[dict[str, Any]]]:
    """Split files into at most `max_batches` groups, keeping each agency's files together
    (and in arrival order) so its newest version is always loaded last."""
    by_pd: dict[str, list[DriveFile]] = {}
    for f in files:
        by_pd.setdefault(f.kode_pd_folder, []).append(f)
    groups: list[list[dict[str, Any]]] = [[] for _ in range(max(1, min(max_batches, len(by_pd))))]
    for pd_files in sorted(by_pd.values(), key=len, reverse=True):
        smallest = min(groups, key=len)
        smallest.extend(asdict(f) for f in sorted(pd_files, key=lambda f: (f.mtime, f.path)))
    return [g for g in groups if g]


def batch_label(batch: list[dict[str, Any]]) -> str:
    """A readable label for a mapped task: the agencies it handles."""
    pds = sorted({DriveFile(**f).kode_pd_folder for f in batch})
    shown = ", ".join(pds[:4]) + (f" +{len(pds) - 4}" if len(pds) > 4 else "")
    return f"{len(batch)} berkas: {shown}"


def process_batch(run: CollectRun, batch: list[dict[str, Any]]) -> list[FileOutcome]:
    """Every file of the batch (Great Expectations once per suite and chunk), then Data Docs."""
    preloaded = "great_expectations" in sys.modules  # inherited from a preloading parent?
    started = time.perf_counter()
    run.validator()
    print(
        f"Great Expectations siap dalam {time.perf_counter() - started:.2f} s "
        f"({'sudah dimuat induk proses' if preloaded else 'diimpor oleh tugas ini'})"
    )
    outcomes = run.process_files([DriveFile(**f) for f in batch])
    run.build_docs()
    return outcomes


def compact(outcome: FileOutcome) -> dict[str, Any]:
    """What a task hands on through XCom: counts, not every issue (those are in the warehouse)."""
    return {
        "path": outcome.path,
        "pd": outcome.kode_pd,
        "report": outcome.laporan,
        "status": outcome.status,
        "version": outcome.version,
        "late": outcome.terlambat,
        "errors": len(outcome.errors),
        "warnings": len(outcome.warnings),
    }


def summary_lines(tahun: int, warehouse_url: str | None = None, city: str | None = None) -> list[str]:
    from kinerja.status.summary import status_lines
    from kinerja.warehouse.db import engine_for

    settings = Settings.from_env()
    engine = engine_for(warehouse_url or settings.warehouse_read_url)  # reads only
    return status_lines(engine, load_catalog(city or settings.city), tahun)


def build_year_reports(
    tahun: int, run_id: str, warehouse_url: str | None = None, city: str | None = None
) -> dict[str, Any]:
    """Build every output of `tahun` into a fresh staging folder; returns what the reviewer
    sees (headline figures, the staging folder) as a JSON-able dict."""
    from kinerja.build import build_outputs
    from kinerja.publish.release import staging_dir
    from kinerja.warehouse.db import engine_for

    settings = Settings.from_env()
    engine = engine_for(warehouse_url or settings.warehouse_read_url)  # reads only
    stage = staging_dir(settings.reports_dir, tahun, run_id)
    summary = build_outputs(
        engine, load_catalog(city or settings.city), tahun, stage, public_url=settings.public_url
    )
    return {"tahun": tahun, "staging": str(stage), "summary": summary}


def publish_year_reports(tahun: int, staging: str, warehouse_url: str | None = None) -> str:
    """Move approved outputs to the published area (replacing the year whole), only if they are
    the files whose checksums the tim ahli's approval recorded."""
    from pathlib import Path

    from sqlalchemy import select

    from kinerja.lineage import record_sources
    from kinerja.publish.release import NotApprovedError, publish
    from kinerja.satudata.package import FOLDER
    from kinerja.warehouse.db import engine_for
    from kinerja.warehouse.models import report_review

    engine = engine_for(warehouse_url or Settings.from_env().warehouse_url)
    with engine.connect() as conn:
        row = conn.execute(
            select(report_review.c.decision, report_review.c.berkas, report_review.c.run_id).where(
                report_review.c.staging == staging, report_review.c.tahun == tahun
            )
        ).first()
    if row is None or row.decision != DISETUJUI:
        raise NotApprovedError(f"keluaran {staging} belum disetujui tim ahli; tidak diterbitkan")
    published = publish(Path(staging), Settings.from_env().reports_dir, tahun, row.berkas or {})
    # what is now published: its rows' facts and agency files, for `kinerja lineage`
    record_sources(engine, published / FOLDER, row.run_id)
    return str(published)


def request_review(tahun: int, staging: str, run_id: str, warehouse_url: str | None = None) -> dict[str, Any]:
    """Record a staged build as waiting for the tim ahli: the SHA-256 of every staged file
    (what the review page serves and what publishing checks) and the headline figures. Returns
    the row's id, the figures and the number of files."""
    import json
    from datetime import UTC, datetime
    from pathlib import Path

    from sqlalchemy import insert, select, update

    from kinerja.publish.release import file_checksums
    from kinerja.warehouse.db import engine_for
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
    engine = engine_for(warehouse_url or Settings.from_env().warehouse_url)
    with engine.begin() as conn:  # a retried request asks again for the same run
        found = conn.execute(select(report_review.c.id).where(report_review.c.run_id == run_id)).scalar()
        if found is None:
            key = conn.execute(insert(report_review).values(run_id=run_id, **row)).inserted_primary_key
            found = key[0] if key else None
        else:
            conn.execute(update(report_review).where(report_review.c.id == found).values(**row))
    return {"id": found, "files": len(berkas), "ringkasan": ringkasan.get("ringkasan", "")}


def record_review(
    tahun: int, staging: str, response: dict[str, Any], run_id: str, warehouse_url: str | None = None
) -> dict[str, Any]:
    """Store the reviewer's answer (an ApprovalOperator result) once per run, beside the
    checksums recorded when the review was asked for; returns it."""
    from datetime import datetime

    from sqlalchemy import insert, select, update

    from kinerja.warehouse.db import engine_for
    from kinerja.warehouse.models import report_review

    chosen = (response.get("chosen_options") or [None])[0]
    decision = DECISIONS.get(chosen or "", "tanpa_keputusan")
    who = response.get("responded_by_user") or {}
    when = response.get("responded_at")
    row = {
        "tahun": tahun,
        "run_id": run_id,
        "decision": decision,
        "staging": staging,
        "reviewer": who.get("name") if isinstance(who, dict) else str(who),
        "reason": (response.get("params_input") or {}).get("alasan") or None,
        "decided_at": datetime.fromisoformat(when) if isinstance(when, str) else when,
    }
    engine = engine_for(warehouse_url or Settings.from_env().warehouse_url)
    with engine.begin() as conn:  # idempotent: a retried task replaces its own decision
        found = conn.execute(select(report_review.c.id).where(report_review.c.run_id == run_id)).scalar()
        if found is None:
            conn.execute(insert(report_review).values(**row))
        else:
            conn.execute(update(report_review).where(report_review.c.id == found).values(**row))
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def sync_satu_data(
    tahun: int,
    portal_url: str | None,
    api_token: str | None,
    dry_run: bool = False,
    folder: str | None = None,
) -> dict[str, Any]:
    """Publish the approved Satu Data export of `tahun` (published/<tahun>/satu-data, or `folder`)
    to the CKAN portal; with `dry_run` only the plan. Returns what was (or would be) done."""
    from pathlib import Path

    from kinerja.publish.release import published_dir
    from kinerja.satudata.ckan import portal_client, sync_year
    from kinerja.satudata.package import FOLDER, read_package

    source = Path(folder) if folder else published_dir(Settings.from_env().reports_dir, tahun) / FOLDER
    found = int(read_package(source)["kinerja"]["tahun"])
    if found != tahun:  # checked before anything is sent
        raise ValueError(f"{source} berisi data tahun {found}, bukan {tahun}")
    ckan = portal_client(portal_url, api_token) if portal_url else None
    result = sync_year(ckan, source, dry_run=dry_run)
    return {**result.to_json(), "folder": str(source)}
