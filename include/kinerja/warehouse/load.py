"""Transactional writes: reference data, and a submission with its issues and facts.

Recording a submission, its issues, replacing the agency's facts for that report and moving
the "current" pointer happen in one transaction: a crash leaves either all or nothing, and
the manifest (the submission rows) never claims a file that was not fully handled.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Connection, Engine, Table, and_, delete, false, func, insert, select, text

from kinerja.catalog.loader import Catalog
from kinerja.schema.issues import Issue
from kinerja.schema.model import Column, Template
from kinerja.warehouse.models import (
    FACT_TABLES,
    ref_lkpj_nomenklatur,
    ref_lppd_ikk,
    ref_perangkat_daerah,
    ref_spm_jpd,
    ref_spm_mutu,
    ref_wilayah,
    submission,
    submission_current,
    submission_issue,
)


def sync_reference(engine: Engine, catalog: Catalog) -> None:
    """Replace the reference tables with the catalogue's content (one transaction)."""
    rows: list[tuple[Any, list[dict[str, Any]]]] = [
        (
            ref_perangkat_daerah,
            [
                {
                    "kode_pd": p.kode_pd,
                    "nama": p.nama,
                    "singkatan": p.singkatan,
                    "jenis": p.jenis,
                    "kode_wilayah": p.kode_wilayah,
                    "berlaku_dari": p.berlaku_dari,
                    "berlaku_sampai": p.berlaku_sampai,
                    "email": p.email,
                }
                for p in catalog.perangkat_daerah
            ],
        ),
        (ref_wilayah, [w.__dict__ for w in catalog.wilayah]),
        (
            ref_spm_jpd,
            [
                {
                    "kode_jpd": j.kode_jpd,
                    "bidang": b.kode,
                    "nama_bidang": b.nama,
                    "nama": j.nama,
                    "urutan": n,
                    "kode_pd": j.kode_pd,
                }
                for n, (b, j) in enumerate((b, j) for b in catalog.bidang for j in b.jpd)
            ],
        ),
        (
            ref_spm_mutu,
            [
                {
                    "kode": m.kode,
                    "kode_jpd": j.kode_jpd,
                    "nama": m.nama,
                    "jenis": m.jenis,
                    "satuan": m.satuan,
                }
                for j in catalog.jpd
                for m in j.mutu
            ],
        ),
        (
            ref_lppd_ikk,
            [
                {
                    "kode_ikk": i.kode_ikk,
                    "urusan": i.urusan,
                    "nama": i.nama,
                    "satuan": i.satuan,
                    "kode_pd": i.kode_pd,
                }
                for i in catalog.ikk
            ],
        ),
        (ref_lkpj_nomenklatur, [n.__dict__ for n in catalog.nomenklatur]),
    ]
    with engine.begin() as conn:
        for table, values in rows:
            conn.execute(delete(table))
            if values:
                conn.execute(insert(table), values)


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    version: int
    size: int
    mtime: float
    sha256: str


# What a run compares with the drive to tell a new version from a known one.
_KNOWN_VERSION = (
    submission.c.path,
    submission.c.version,
    submission.c.size,
    submission.c.mtime,
    submission.c.sha256,
)


def manifest(conn: Connection, drive: str, tahun: int) -> dict[str, ManifestEntry]:
    """The latest version seen of every file of `tahun` on `drive`."""
    latest = (
        select(submission.c.path, func.max(submission.c.version).label("version"))
        .where(submission.c.drive == drive, submission.c.tahun == tahun)
        .group_by(submission.c.path)
        .subquery()
    )
    rows = conn.execute(
        select(*_KNOWN_VERSION)
        .join(
            latest,
            and_(submission.c.path == latest.c.path, submission.c.version == latest.c.version),
        )
        .where(submission.c.drive == drive)
    )
    return {r.path: ManifestEntry(r.path, r.version, r.size, r.mtime, r.sha256) for r in rows}


@dataclass
class SubmissionRecord:
    drive: str
    path: str
    size: int
    mtime: float
    sha256: str
    first_seen: datetime
    received_at: datetime
    tahun: int
    kode_pd: str
    laporan: str | None
    versi_template: str | None
    terlambat: bool
    archive_key: str
    feedback_path: str | None = None
    triwulan: int | None = None
    """1-4 for a quarterly report's file; None for a yearly one."""


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for baris, row in zip(frame.index, frame[list(columns)].itertuples(index=False), strict=True):
        values = {
            c: (None if isinstance(v, float) and math.isnan(v) else v)
            for c, v in zip(columns, row, strict=True)
        }
        values["baris"] = int(baris)
        out.append(values)
    return out


def load_facts(
    conn: Connection,
    table: Table,
    frame: pd.DataFrame,
    columns: Sequence[Column],
    fixed: Mapping[str, Any],
    method: Literal["auto", "copy", "insert"] = "auto",
) -> int:
    """Append `frame` (indexed by Excel row) to `table` on `conn`, inside its transaction.

    On PostgreSQL (psycopg 3) the rows go through `COPY ... FROM STDIN` on the connection's
    own cursor, so they commit or roll back with the rest of the submission; elsewhere (SQLite)
    through an executemany INSERT. `fixed` gives the columns equal on every row. Both paths
    store the same values: NULL for missing cells, whole numbers in integer columns.
    """
    if method == "auto":
        method = (
            "copy" if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg" else "insert"
        )
    names = [c.name for c in columns]
    if method == "insert":
        conn.execute(insert(table), [{**fixed, **r} for r in _records(frame, names)])
        return len(frame)
    values = [_column_values(frame[c.name], c.kind) for c in columns]
    targets = [*fixed, "baris", *names]
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in targets)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            write = copy.write_row
            head = tuple(fixed.values())
            for row in zip(frame.index.tolist(), *values, strict=True):
                write(head + row)
    finally:
        cursor.close()
    return len(frame)


def _column_values(series: pd.Series, kind: str) -> list[Any]:
    """A frame column as Python values for COPY: NaN/NA as None, integers as int."""
    values = series.tolist()
    if kind == "integer":
        return [None if v is None or v != v else int(v) for v in values]
    if kind == "number":
        return [None if v is None or v != v else float(v) for v in values]
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]


def lock_file(conn: Connection, drive: str, path: str) -> ManifestEntry | None:
    """Hold the file `path` of `drive` until `conn`'s transaction ends; its latest version, read
    once the file is ours.

    Two runs on the same year at once (overlapping DAG runs, a retry beside a late task) would
    otherwise both find a file new and record it twice. The second now waits here, then finds the
    first's version. PostgreSQL: an advisory lock on (drive, path). SQLite: the database's write
    lock (one writer at a time), taken now instead of at the first insert.
    """
    if conn.dialect.name == "postgresql":
        digest = hashlib.blake2b(f"{drive}\0{path}".encode(), digest_size=8).digest()
        key = int.from_bytes(digest, "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    elif conn.dialect.name == "sqlite":
        conn.execute(delete(submission).where(false()))
    row = conn.execute(
        select(*_KNOWN_VERSION)
        .where(submission.c.drive == drive, submission.c.path == path)
        .order_by(submission.c.version.desc())
        .limit(1)
    ).first()
    return ManifestEntry(row.path, row.version, row.size, row.mtime, row.sha256) if row else None


def next_version(engine: Engine, drive: str, path: str) -> int:
    with engine.connect() as conn:
        latest = conn.execute(
            select(func.max(submission.c.version)).where(
                submission.c.drive == drive, submission.c.path == path
            )
        ).scalar()
    return (latest or 0) + 1


def record_submission(
    engine: Engine | Connection,
    record: SubmissionRecord,
    version: int,
    issues: Sequence[Issue],
    tpl: Template | None,
    frames: Mapping[str, pd.DataFrame] | None,
    processed_at: datetime,
) -> int:
    """Store version `version` of a file; load its facts when `frames` is given. Returns its id.

    Runs hold the file with `lock_file` in the same transaction, so two runs never record one
    file twice; the unique (drive, path, version) constraint stays as the last guard.

    Loading replaces every fact row of (tahun, kode_pd) for the template's sheets, so a new
    version fully supersedes the previous one and another agency's rows are never touched; for a
    quarterly report, of (tahun, triwulan, kode_pd): each quarter's file replaces only its quarter.

    Given a connection, it writes in that connection's transaction (the caller commits).
    """
    n_errors = sum(1 for i in issues if i.severity == "error")
    loaded = frames is not None and tpl is not None and n_errors == 0
    n_rows = sum(len(f) for f in frames.values()) if frames else 0
    with engine.begin() if isinstance(engine, Engine) else nullcontext(engine) as conn:
        sub_id = conn.execute(
            insert(submission)
            .values(
                **record.__dict__,
                version=version,
                processed_at=processed_at,
                status="loaded" if loaded else "rejected",
                n_errors=n_errors,
                n_warnings=len(issues) - n_errors,
                n_rows=n_rows if loaded else 0,
            )
            .returning(submission.c.id)
        ).scalar_one()
        if issues:
            conn.execute(insert(submission_issue), [{"submission_id": sub_id, **i.to_dict()} for i in issues])
        if loaded:
            assert tpl is not None and frames is not None
            period = {"triwulan": record.triwulan} if tpl.periode == "triwulan" else {}
            if tpl.periode == "triwulan" and record.triwulan not in (1, 2, 3, 4):
                raise ValueError(f"{record.path}: laporan triwulanan tanpa triwulan 1-4")
            fixed = {"submission_id": sub_id, "tahun": record.tahun, **period, "kode_pd": record.kode_pd}
            for sheet in tpl.sheets:
                table = FACT_TABLES[sheet.table]
                same = [table.c[k] == v for k, v in fixed.items() if k != "submission_id"]
                conn.execute(delete(table).where(*same))
                frame = frames.get(sheet.name)
                if frame is None or frame.empty:
                    continue
                load_facts(conn, table, frame, sheet.stored_columns, fixed)
            key = {
                "tahun": record.tahun,
                "kode_pd": record.kode_pd,
                "laporan": tpl.code,
                "triwulan": record.triwulan or 0,
            }
            conn.execute(
                delete(submission_current).where(*(submission_current.c[k] == v for k, v in key.items()))
            )
            conn.execute(insert(submission_current).values(**key, submission_id=sub_id))
    return int(sub_id)
