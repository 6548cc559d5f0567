"""Collect one reporting year from a shared drive: the code path of the DAG and of the CLI.

For every file of `<tahun>/<KODE_PD>/` on the drive: skip it when unchanged since the last run
or still being copied; otherwise archive its bytes, check it is the right template for that
agency and year, validate it, and record it (loading its facts when valid) in one transaction.
One bad file never stops the others.

Files are handled in chunks: each file is read and checked, then Great Expectations validates
the chunk's sheets in one call per suite (`validate_judgements`), then each file is recorded in
its own transaction with its own feedback, exactly as if it had been validated alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine

from kinerja.catalog.loader import Catalog, PerangkatDaerah
from kinerja.intake.container import DEFAULT_LIMITS, Limits
from kinerja.intake.feedback import FeedbackContext, write_feedback
from kinerja.intake.reader import INFO_ROWS, open_workbook, read_info, read_sheets
from kinerja.intake.refused import record_refused
from kinerja.intake.suggest import with_suggestions
from kinerja.intake.triwulan import deadline, label, quarter_findings
from kinerja.intake.validation import SuiteDriftError, ToValidate, Validator, shared_validator
from kinerja.schema.codes import code_labels, code_sets
from kinerja.schema.issues import Issue, error, shown
from kinerja.schema.model import TEMPLATES, TRIWULAN, TRIWULAN_FIELD, Sheet, Template, triwulan_number
from kinerja.schema.suites import suite_name
from kinerja.sources.base import Drive, DriveFile, RefusedFile
from kinerja.warehouse.load import SubmissionRecord, lock_file, manifest, record_submission

log = logging.getLogger(__name__)

CHUNK_FILES = 256
CHUNK_BYTES = 64 * 1024 * 1024
"""A chunk of files validated together: enough to amortise Great Expectations' fixed cost per
call, few enough bytes to hold at once (each file's bytes wait for its archive and load)."""

Status = Literal["loaded", "rejected", "unchanged", "pending"]


@dataclass
class FileOutcome:
    path: str
    kode_pd: str
    status: Status
    laporan: str | None = None
    version: int | None = None
    terlambat: bool = False
    received_at: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    feedback: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The `kinerja collect --json` shape: issues as {sheet, row, column, value, message}."""

        def slim(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: i[k] for k in ("sheet", "row", "column", "value", "message", "fix")} for i in items]

        return {
            "path": self.path,
            "pd": self.kode_pd,
            "report": self.laporan,
            "status": self.status,
            "version": self.version,
            "late": self.terlambat,
            "received_at": self.received_at,
            "feedback": self.feedback,
            "errors": slim(self.errors),
            "warnings": slim(self.warnings),
        }


@dataclass
class Judgement:
    """What the checks found in one file."""

    laporan: str | None
    versi_template: str | None
    issues: list[Issue]
    template: Template | None = None
    frames: dict[str, pd.DataFrame] | None = None
    to_validate: dict[str, ToValidate] = field(default_factory=dict)
    """Sheet name -> what Great Expectations has yet to judge (emptied by `validate_judgements`)."""
    suggest: Callable[[list[Issue]], list[Issue]] | None = None
    """Adds suggestions to the fixes once every finding is in (holds the open workbook till then)."""
    triwulan: int | None = None
    """The quarter (1-4) a quarterly report's file is for, from its Info sheet."""
    opened: bool = False
    """The bytes passed the container checks and opened as a workbook (the marked-up copy
    need not check them again)."""


def is_late(received_at: datetime, deadline_day: date, tz: ZoneInfo) -> bool:
    """Received after the end of the deadline day, in the kota's time zone."""
    end_of_day = datetime.combine(deadline_day + timedelta(days=1), time(0), tzinfo=tz)
    return received_at >= end_of_day


def archive(archive_dir: Path, data: bytes, sha256: str, suffix: str) -> str:
    """Keep the raw bytes of every version, content-addressed; idempotent."""
    safe_suffix = suffix.lower() if suffix.lower() in (".xlsx", ".xlsm", ".csv", ".xls") else ".bin"
    key = f"{sha256[:2]}/{sha256}{safe_suffix}"
    target = archive_dir / key
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return key


def judge(
    data: bytes,
    owner: PerangkatDaerah | None,
    folder_pd: str,
    tahun: int,
    catalog: Catalog,
    validator: Callable[[], Validator],
    limits: Limits = DEFAULT_LIMITS,
    label: str | None = None,
) -> Judgement:
    """Every check on one file, from its bytes to validated frames. Never raises on bad input."""
    judgement = inspect(data, owner, folder_pd, tahun, catalog, limits, label)
    validate_judgements([judgement], validator())
    return judgement


def inspect(
    data: bytes,
    owner: PerangkatDaerah | None,
    folder_pd: str,
    tahun: int,
    catalog: Catalog,
    limits: Limits = DEFAULT_LIMITS,
    label: str | None = None,
) -> Judgement:
    """Every check on one file short of Great Expectations, whose work is left in `to_validate`."""
    if owner is None:
        return Judgement(
            None,
            None,
            [
                error(
                    f"Folder '{folder_pd}' bukan kode Perangkat Daerah yang dikenal.",
                    "Letakkan berkas di folder PD Anda sendiri; hubungi operator bila folder salah.",
                )
            ],
        )
    wb = open_workbook(data, limits)
    if isinstance(wb, Issue):
        return Judgement(None, None, [wb])
    info = read_info(wb)
    if isinstance(info, Issue):
        return Judgement(None, None, [info], opened=True)
    issues = check_template(info, owner, tahun, catalog)
    laporan, versi = info.get("laporan"), info.get("versi_template")
    laporan = str(laporan).upper() if laporan else None
    triwulan = triwulan_number(info.get("triwulan"))
    if issues or laporan not in TEMPLATES:
        return Judgement(laporan, shown(versi), issues, triwulan=triwulan, opened=True)
    tpl = TEMPLATES[laporan]
    parsed = read_sheets(wb, tpl, limits)
    issues = list(parsed.issues)
    typing_errors = {(i.row, i.column) for i in issues if i.row is not None and i.column}
    parameters = code_sets(catalog, owner)
    to_validate = {
        sheet.name: ToValidate(frame, parameters, typing_errors, label and f"{label}_{sheet.name}")
        for sheet in tpl.sheets
        if (frame := parsed.sheets.get(sheet.name)) is not None
    }
    labels = partial(code_labels, catalog, owner)
    suggest = partial(_with_suggestions, workbook=wb, tpl=tpl, codes=parameters, labels=labels)
    return Judgement(
        laporan, str(versi), issues, tpl, parsed.sheets, to_validate, suggest, triwulan, opened=True
    )


def _with_suggestions(
    issues: list[Issue],
    workbook: Any,
    tpl: Template,
    codes: dict[str, list[str]],
    labels: Callable[[], dict[str, dict[str, str]]],
) -> list[Issue]:
    return with_suggestions(issues, workbook, tpl, codes, labels())


def validate_judgements(judgements: Sequence[Judgement], validator: Validator, alone: bool = False) -> None:
    """Great Expectations on every sheet still to validate: one batch per suite for all the
    judgements (`alone`: one call per file and sheet, the reference the batch must equal).
    Each judgement gets its findings in template sheet order, as one file validated alone."""
    work: dict[str, tuple[Sheet, list[tuple[int, ToValidate]]]] = {}
    for n, j in enumerate(judgements):
        if j.template is None:
            continue
        for sheet in j.template.sheets:
            if sheet.name in j.to_validate:
                entry = (n, j.to_validate[sheet.name])
                work.setdefault(suite_name(j.template, sheet), (sheet, []))[1].append(entry)
    found: dict[tuple[int, str], list[Issue]] = {}
    for suite, (sheet, entries) in work.items():
        items = [item for _, item in entries]
        if alone:
            results = [
                validator.validate(suite, sheet, i.frame, i.parameters, i.skip_cells, i.label) for i in items
            ]
        else:
            results = validator.validate_batch(suite, sheet, items)
        for (n, _), issues in zip(entries, results, strict=True):
            found[(n, sheet.name)] = issues
    for n, j in enumerate(judgements):
        for sheet in j.template.sheets if j.template else ():
            j.issues.extend(found.get((n, sheet.name), []))
        if j.suggest and j.issues:  # shown, never applied
            j.issues = j.suggest(j.issues)
        j.to_validate, j.suggest = {}, None


def _validated(judgement: Judgement, validator: Validator) -> Judgement:
    validate_judgements([judgement], validator)
    return judgement


def check_template(info: dict[str, Any], owner: PerangkatDaerah, tahun: int, catalog: Catalog) -> list[Issue]:
    """Is this the right template, version, year and agency? Each miss named exactly."""
    rows = info.get(INFO_ROWS, {})

    def where(field: str, label: str, value: Any) -> dict[str, Any]:
        return {"sheet": "Info", "row": rows.get(field), "column": label, "value": value}

    laporan = str(info.get("laporan") or "").upper()
    if laporan not in TEMPLATES:
        return [
            error(
                f"Jenis laporan '{shown(info.get('laporan'))}' tidak dikenal "
                f"(harus salah satu dari {', '.join(TEMPLATES)}).",
                "Gunakan template resmi; jangan ubah isian Jenis Laporan.",
                **where("laporan", "Jenis Laporan", shown(info.get("laporan"))),
            )
        ]
    tpl = TEMPLATES[laporan]
    issues = []
    versi = shown(info.get("versi_template"))
    if versi != tpl.version:
        issues.append(
            error(
                f"Versi template '{versi}' sudah tidak berlaku; versi yang berlaku {tpl.version}.",
                "Unduh template terbaru, salin data Anda ke dalamnya, lalu kirim ulang.",
                **where("versi_template", "Versi Template", versi),
            )
        )
    if shown(info.get("tahun")) != str(tahun):
        issues.append(
            error(
                f"Tahun pelaporan di berkas ({shown(info.get('tahun'))}) bukan {tahun}.",
                f"Gunakan template tahun {tahun} atau letakkan berkas di folder tahun yang benar.",
                **where("tahun", "Tahun Pelaporan", shown(info.get("tahun"))),
            )
        )
    kode = shown(info.get("kode_pd"))
    if kode != owner.kode_pd:
        issues.append(
            error(
                f"Berkas berisi data PD '{kode}', padahal diletakkan di folder {owner.kode_pd}.",
                "Setiap PD hanya mengirim datanya sendiri, di foldernya sendiri.",
                **where("kode_pd", "Kode Perangkat Daerah", kode),
            )
        )
    elif not owner.aktif_pada_tahun(tahun):
        issues.append(
            error(
                f"{owner.nama} tidak aktif pada tahun {tahun}.",
                "Hubungi operator: PD ini sudah digabung atau berganti nama.",
                **where("kode_pd", "Kode Perangkat Daerah", kode),
            )
        )
    elif (tpl.induk or laporan) not in catalog.laporan_wajib(owner):
        issues.append(
            error(
                f"{owner.nama} tidak memiliki indikator {tpl.induk or laporan} di katalog.",
                "Hubungi operator bila katalog belum memuat indikator PD Anda.",
                **where("laporan", "Jenis Laporan", laporan),
            )
        )
    if tpl.periode == "triwulan" and triwulan_number(info.get("triwulan")) is None:
        issues.append(
            error(
                f"Triwulan '{shown(info.get('triwulan')) or ''}' tidak dikenal: laporan {laporan} "
                "dikirim per triwulan.",
                f"Isi {TRIWULAN_FIELD.label} pada lembar Info dengan {', '.join(TRIWULAN)}.",
                **where("triwulan", TRIWULAN_FIELD.label, shown(info.get("triwulan"))),
            )
        )
    return issues


@dataclass
class CollectRun:
    """Everything one collection of one year needs; `run()` does it."""

    tahun: int
    drive: Drive
    engine: Engine
    catalog: Catalog
    archive_dir: Path
    settle_seconds: float = 30.0
    limits: Limits = field(default_factory=Limits)
    validator: Callable[[], Validator] = shared_validator
    write_feedback: bool = True
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def scan(self) -> tuple[list[DriveFile], list[FileOutcome]]:
        """Files to process (oldest first), and the outcomes of those skipped."""
        with self.engine.connect() as conn:
            seen = manifest(conn, self.drive.name, self.tahun)
        todo, skipped, refused = [], [], []
        folders: set[str] = set()
        now = self.now().timestamp()
        for f in self.drive.survey(self.tahun):
            if isinstance(f, RefusedFile):
                refused.append(f)
                continue
            folders.add(f.kode_pd_folder)
            last = seen.get(f.path)
            if last and last.size == f.size and last.mtime == f.mtime:
                skipped.append(FileOutcome(f.path, f.kode_pd_folder, "unchanged", version=last.version))
            elif 0 <= now - f.mtime < self.settle_seconds:
                skipped.append(FileOutcome(f.path, f.kode_pd_folder, "pending"))
            else:
                todo.append(f)
        # Not taken (bad name, wrong place, sub-folder): recorded once, answered where safe.
        # A complete listing: what is no longer there is marked gone.
        record_refused(
            self.engine,
            self.drive,
            self.catalog,
            self.tahun,
            refused,
            self.now(),
            self.write_feedback,
            folders,
        )
        return sorted(todo, key=lambda f: (f.mtime, f.path)), skipped

    def process(self, f: DriveFile) -> FileOutcome:
        return self.process_files([f])[0]

    def process_files(
        self, files: Sequence[DriveFile], on_file: Callable[[FileOutcome], None] | None = None
    ) -> list[FileOutcome]:
        """Each file checked, validated and recorded (in its own transaction), in order; Great
        Expectations runs once per suite for each chunk of files."""
        outcomes: list[FileOutcome] = []
        chunk: list[tuple[DriveFile, bytes, str]] = []
        size = 0
        for n, f in enumerate(files):
            data = self.drive.read_bytes(f.path, self.limits.max_file_bytes)
            chunk.append((f, data, hashlib.sha256(data).hexdigest()))
            size += len(data)
            if len(chunk) >= CHUNK_FILES or size >= CHUNK_BYTES or n == len(files) - 1:
                for outcome in self._process_chunk(chunk):
                    if on_file:
                        on_file(outcome)
                    outcomes.append(outcome)
                chunk, size = [], 0
        return outcomes

    def _process_chunk(self, chunk: list[tuple[DriveFile, bytes, str]]) -> Iterable[FileOutcome]:
        with self.engine.connect() as conn:
            seen = manifest(conn, self.drive.name, self.tahun)
        judgements: dict[str, Judgement] = {}
        for f, data, sha in chunk:
            last = seen.get(f.path)
            if not (last and last.sha256 == sha):
                label = f"{f.path}_{sha[:10]}"
                owner = self.catalog.pd(f.kode_pd_folder)
                judgements[f.path] = self._guarded(
                    f,
                    partial(
                        inspect, data, owner, f.kode_pd_folder, self.tahun, self.catalog, self.limits, label
                    ),
                )
        try:
            validate_judgements(list(judgements.values()), self.validator())
        except (SuiteDriftError, MemoryError):
            raise
        except Exception:  # one file broke the batch: validate each alone, rejecting only it
            log.exception("batch validation failed; validating each file alone")
            for f, _, _ in chunk:
                if f.path in judgements:
                    one = partial(_validated, judgements[f.path], self.validator())
                    judgements[f.path] = self._guarded(f, one)
        for f, data, sha in chunk:
            last = seen.get(f.path)
            if f.path in judgements:
                yield self._record(f, data, sha, judgements[f.path])
            elif last:
                yield FileOutcome(f.path, f.kode_pd_folder, "unchanged", version=last.version)

    def _guarded(self, f: DriveFile, check: Callable[[], Judgement]) -> Judgement:
        try:
            return check()
        except (SuiteDriftError, MemoryError):
            raise  # our fault or the machine's: fail the task, never blame the agency
        except Exception:
            # A file that trips an unforeseen path is rejected, never crashes the run.
            log.exception("unexpected error while checking %s", f.path)
            return Judgement(
                None,
                None,
                [
                    error(
                        "Berkas tidak dapat diperiksa karena bentuknya tidak terduga.",
                        "Salin data ke template resmi yang baru, lalu kirim ulang; bila masih gagal, "
                        "hubungi operator.",
                    )
                ],
            )

    def _record(self, f: DriveFile, data: bytes, sha: str, judgement: Judgement) -> FileOutcome:
        """The file's feedback and its record (facts loaded when valid), in one transaction."""
        owner = self.catalog.pd(f.kode_pd_folder)
        received = datetime.fromtimestamp(f.mtime, UTC)
        tpl, triwulan = judgement.template, judgement.triwulan
        quarterly = tpl is not None and tpl.periode == "triwulan"
        batas = deadline(self.catalog, self.tahun, judgement.laporan, triwulan if quarterly else None)
        late = is_late(received, batas, self.catalog.tz)
        with self.engine.begin() as conn:
            # Another run may be on this very file: wait for it, then look again.
            last = lock_file(conn, self.drive.name, f.path)
            if last and last.sha256 == sha:
                return FileOutcome(f.path, f.kode_pd_folder, "unchanged", version=last.version)
            version = last.version + 1 if last else 1
            if not any(i.severity == "error" for i in judgement.issues):  # the year builds on the quarters
                judgement.issues += quarter_findings(
                    conn, tpl, judgement.frames, self.tahun, f.kode_pd_folder, triwulan
                )
            feedback = None
            if self.write_feedback:
                ctx = FeedbackContext(
                    path=f.path,
                    nama_pd=owner.nama if owner else f.kode_pd_folder,
                    kode_pd=f.kode_pd_folder,
                    tahun=self.tahun,
                    laporan=f"{judgement.laporan} ({label(triwulan)})"
                    if quarterly and triwulan
                    else judgement.laporan,
                    version=version,
                    received_at=received,
                    terlambat=late,
                    batas=batas.strftime("%d-%m-%Y"),
                    zona=self.catalog.tz,
                    zona_label=self.catalog.tz_label,
                )
                # Feedback first: if writing it fails, nothing is recorded and the retry redoes it.
                feedback = write_feedback(self.drive, ctx, data, judgement.issues, judgement.opened).html
            record = SubmissionRecord(
                drive=self.drive.name,
                path=f.path,
                size=f.size,
                mtime=f.mtime,
                sha256=sha,
                first_seen=self.now(),
                received_at=received,
                tahun=self.tahun,
                kode_pd=f.kode_pd_folder,
                laporan=judgement.laporan,
                versi_template=judgement.versi_template,
                terlambat=late,
                archive_key=archive(self.archive_dir, data, sha, Path(f.path).suffix),
                feedback_path=feedback,
                triwulan=triwulan if quarterly else None,
            )
            record_submission(
                conn, record, version, judgement.issues, judgement.template, judgement.frames, self.now()
            )
        has_errors = any(i.severity == "error" for i in judgement.issues)
        return FileOutcome(
            f.path,
            f.kode_pd_folder,
            "rejected" if has_errors else "loaded",
            laporan=judgement.laporan,
            version=version,
            terlambat=late,
            received_at=received.isoformat(),
            feedback=feedback,
            errors=[i.to_dict() for i in judgement.issues if i.severity == "error"],
            warnings=[i.to_dict() for i in judgement.issues if i.severity == "warning"],
        )

    def run(self, on_file: Callable[[FileOutcome], None] | None = None) -> list[FileOutcome]:
        todo, outcomes = self.scan()
        outcomes.extend(self.process_files(todo, on_file))
        if todo:
            self.build_docs()
        return outcomes

    def build_docs(self) -> Path | None:
        """Refresh the operators' Data Docs with what this process validated."""
        return self.validator().build_docs()


def summarise(outcomes: Iterable[FileOutcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return counts
