"""Shared fixtures. Servers and databases are real; each fixture cleans up what it made."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kinerja.catalog import Catalog, load_catalog
from kinerja.intake.collect import CollectRun, FileOutcome
from kinerja.sample import SampleShares, generate_year
from kinerja.sources import LocalDrive
from kinerja.warehouse.db import engine_for, migrate
from kinerja.warehouse.load import sync_reference
from sqlalchemy import Engine

# One real CKAN portal per session, for tests/integration and tests/dags alike.
from tests.integration.ckan_server import ckan_fault_proxy, ckan_server

__all__ = ["ckan_fault_proxy", "ckan_server"]

# Tests never touch the project's data/ folder: defaults (archive, Data Docs) go to a temp dir.
os.environ["KINERJA_DATA_DIR"] = tempfile.mkdtemp(prefix="kinerja-test-data-")

PG_ADMIN_URL = os.environ.get("KINERJA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
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


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    engine = engine_for(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except Exception as exc:  # pragma: no cover - CI starts the cluster (.ci/run)
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_admin: Engine, catalog: Catalog) -> Iterator[Engine]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import text

    name = f"kinerja_test_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = engine_for(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        migrate(engine)
        sync_reference(engine, catalog)
        yield engine
    finally:
        engine.dispose()
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def make_run(engine: Engine, drive: Path, catalog: Catalog, tmp_path: Path, tahun: int = 2025) -> CollectRun:
    return CollectRun(
        tahun=tahun,
        drive=LocalDrive(drive),
        engine=engine,
        catalog=catalog,
        archive_dir=tmp_path / "archive",
        settle_seconds=0,
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
