"""Faults around a collection: two runs at once, the warehouse's PostgreSQL restarted mid-run, the SMB
server stopped mid-scan, the SMTP server gone mid-send. Each time the run fails (or waits) cleanly,
nothing is marked done that was not, and the next run completes everything exactly once: the
warehouse then equals a clean run's (warehouse_state.py), every file recorded once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.sample import SampleShares, generate_year
from sqlalchemy import Engine

from ..conftest import make_run
from .driver_client import CollectDriver, collect_driver
from .warehouse_state import (
    PgDatabases,
    archive_problems,
    canonical_rows,
    copy_drive,
    differences,
    empty_warehouse,
    feedback_state,
    versions_problems,
)

pytestmark = pytest.mark.integration

AGENCIES = ("BAPPEDA", "DISDIKBUD")
SHARES = SampleShares(late=0.3, missing=0, defective=0.3, corrected=1)


@dataclass
class Clean:
    drive: Path
    paths: list[str]
    rows: dict[str, list[str]]
    feedback: dict[str, str]


@pytest.fixture(scope="module")
def databases(pg_admin: Engine, catalog: Catalog) -> Iterator[PgDatabases]:
    dbs = PgDatabases(pg_admin, catalog)
    try:
        yield dbs
    finally:
        dbs.drop_all()


@pytest.fixture(scope="module")
def clean(catalog: Catalog, databases: PgDatabases, tmp_path_factory: pytest.TempPathFactory) -> Clean:
    """A sample drive and what one uninterrupted run makes of it (in this process)."""
    from kinerja.warehouse.db import engine_for

    base = tmp_path_factory.mktemp("clean")
    files = generate_year(catalog, 2025, base / "pristine", seed=5, only=AGENCIES, shares=SHARES)
    copy_drive(base / "pristine", base / "drive")
    engine = engine_for(databases.fresh())
    try:
        make_run(engine, base / "drive", catalog, base).run()
        assert versions_problems(engine, [f.path for f in files]) == []
        rows = canonical_rows(engine)
    finally:
        engine.dispose()
    return Clean(base / "pristine", [f.path for f in files], rows, feedback_state(base / "drive"))


def assert_like_clean(engine: Engine, clean: Clean, drive: Path, archive: Path) -> None:
    assert differences(engine, clean.rows) == {}
    assert versions_problems(engine, clean.paths) == []
    assert feedback_state(drive) == clean.feedback
    assert archive_problems(archive, engine) == []


# --- two runs at once -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CollectDriver]:
    with collect_driver(tmp_path_factory.mktemp("driver-data")) as d:
        yield d


@pytest.mark.parametrize("attempt", range(3))
def test_two_runs_at_once_give_the_result_of_one(
    attempt: int, driver: CollectDriver, databases: PgDatabases, clean: Clean, tmp_path: Path
) -> None:
    """Two processes collect the same year into the same warehouse, started together: each file
    is handled by exactly one of them, and the warehouse is a clean run's."""
    from kinerja.warehouse.db import engine_for

    drive, archive = tmp_path / "drive", tmp_path / "archive"
    copy_drive(clean.drive, drive)
    url = databases.fresh() if attempt == 0 else databases.url(databases.made[-1])
    empty_warehouse(url)
    first, second = driver.collect(url, drive, archive, children=2)
    assert (first["exit"], second["exit"]) == (0, 0), first["error"] or second["error"]
    handled = Counter(o["path"] for o in first["outcomes"] + second["outcomes"] if o["status"] != "unchanged")
    assert handled == Counter(clean.paths), "each file handled by exactly one run"
    engine = engine_for(url)
    try:
        assert_like_clean(engine, clean, drive, archive)
    finally:
        engine.dispose()


def test_two_runs_at_once_on_sqlite_give_the_result_of_one(
    driver: CollectDriver, catalog: Catalog, clean: Clean, tmp_path: Path
) -> None:
    """The embedded warehouse: SQLite's write lock serialises the two runs file by file. (SQLite
    stores times unlike PostgreSQL, so the clean run to compare with is one on SQLite too.)"""
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference

    engines = {}
    for name in ("alone", "racing"):
        engine = engines[name] = engine_for(f"sqlite:///{tmp_path / name / 'warehouse.db'}")
        migrate(engine)
        sync_reference(engine, catalog)
        copy_drive(clean.drive, tmp_path / name / "drive")
    try:
        (alone,) = driver.collect(
            str(engines["alone"].url), tmp_path / "alone/drive", tmp_path / "alone/archive"
        )
        assert alone["exit"] == 0, alone["error"]
        drive, archive = tmp_path / "racing/drive", tmp_path / "racing/archive"
        first, second = driver.collect(str(engines["racing"].url), drive, archive, children=2)
        assert (first["exit"], second["exit"]) == (0, 0), first["error"] or second["error"]
        handled = Counter(
            o["path"] for o in first["outcomes"] + second["outcomes"] if o["status"] != "unchanged"
        )
        assert handled == Counter(clean.paths), "each file handled by exactly one run"
        like_alone = Clean(
            clean.drive,
            clean.paths,
            canonical_rows(engines["alone"]),
            feedback_state(tmp_path / "alone/drive"),
        )
        assert_like_clean(engines["racing"], like_alone, drive, archive)
    finally:
        for engine in engines.values():
            engine.dispose()
