"""Shared fixtures. Servers and databases are real; each fixture cleans up what it made.

The fixtures here need no server; those that do (PostgreSQL, the CKAN portal) live in
tests/support/fixtures.py and are imported below, defined once for the whole session.
tests/unit/conftest.py keeps the unit tier free of them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from kinerja.catalog import Catalog, load_catalog
from kinerja.intake.collect import CollectRun, FileOutcome
from kinerja.sample import SampleShares, generate_year
from kinerja.sources import LocalDrive
from kinerja.warehouse.db import engine_for, migrate
from kinerja.warehouse.load import SubmissionRecord, sync_reference
from kinerja.warehouse.models import metadata
from sqlalchemy import Engine, select

# Server fixtures, one definition for tests/integration, tests/dags and tests/rehearsal alike
# (one CKAN portal per session); they import what they start only when a test asks for them.
from tests.support.fixtures import ckan_fault_proxy, ckan_server, pg_admin, pg_engine

__all__ = ["ckan_fault_proxy", "ckan_server", "pg_admin", "pg_engine"]

# Tests never touch the project's data/ folder: defaults (archive, Data Docs) go to a temp dir.
os.environ["KINERJA_DATA_DIR"] = tempfile.mkdtemp(prefix="kinerja-test-data-")

# Agencies that together hand in all three reports, SPM included, for small, fast samples.
SMALL_SET = ("DINKES", "DISDIKBUD", "BAPPEDA", "KEC-MEDAN-KOTA")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog("medan")


@pytest.fixture
def sqlite_engine(tmp_path: Path, catalog: Catalog) -> Iterator[Engine]:
    engine = engine_for(f"sqlite:///{tmp_path / 'warehouse.db'}")
    migrate(engine)
    sync_reference(engine, catalog)
    yield engine
    engine.dispose()


def make_run(engine: Engine, drive: Path, catalog: Catalog, tmp_path: Path, tahun: int = 2025) -> CollectRun:
    return CollectRun(
        tahun=tahun,
        drive=LocalDrive(drive),
        engine=engine,
        catalog=catalog,
        archive_dir=tmp_path / "archive",
        settle_seconds=0,
    )


def table_checksums(engine: Engine) -> dict[str, str]:
    """Content checksum of every table, ignoring row order (for 'nothing changed')."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(table)))
            out[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def fileless_record(
    drive: str,
    tahun: int,
    kode_pd: str,
    laporan: str,
    versi_template: str,
    received: datetime,
    late: bool = False,
) -> SubmissionRecord:
    """The record of a submission loaded straight from frames, with no file behind it: the path
    `tahun/kode_pd/laporan.xlsx` on `drive`; its size, time, checksum and archive key placeholders."""
    return SubmissionRecord(
        drive=drive,
        path=f"{tahun}/{kode_pd}/{laporan}.xlsx",
        size=1,
        mtime=0.0,
        sha256="0" * 64,
        first_seen=received,
        received_at=received,
        tahun=tahun,
        kode_pd=kode_pd,
        laporan=laporan,
        versi_template=versi_template,
        terlambat=late,
        archive_key=drive,
    )


def collected_sample_year(
    catalog: Catalog,
    root: Path,
    seed: int,
    shares: SampleShares,
    only: tuple[str, ...] = SMALL_SET,
    tahun: int = 2025,
) -> tuple[str, Engine, list[FileOutcome]]:
    """A fresh SQLite warehouse under `root` holding a collected sample year:
    its URL, its engine and what the collection said about each file."""
    url = f"sqlite:///{root / 'warehouse.db'}"
    engine = engine_for(url)
    migrate(engine)
    sync_reference(engine, catalog)
    generate_year(catalog, tahun, root / "drive", seed=seed, only=only, shares=shares)
    return url, engine, make_run(engine, root / "drive", catalog, root, tahun).run()
