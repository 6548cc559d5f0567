"""Crash consistency: a collection into PostgreSQL killed (SIGKILL) at many points, then run again,
leaves exactly what a clean run leaves: the same warehouse table by table, every file recorded
once, the same feedback on the drive, a complete archive.

The collection runs in a child process of crash_driver.py, which dies by SIGKILL on the k-th time
it reaches a named step: reading a file, parsing its sheets, Great Expectations, writing feedback,
a temporary file written but not yet renamed, archiving, every statement of the load transaction,
its COMMIT, just after the commit, the end of the run. Each kill point starts from an empty
warehouse (every submission table truncated) and an untouched copy of the same sample drive, and is
compared with one clean run (see warehouse_state.py for the columns left out, and why).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kinerja.catalog import Catalog
from kinerja.sample import SampleShares, generate_year

from tests.support.driver_client import CollectDriver
from tests.support.warehouse_state import (
    CleanRun,
    PgDatabases,
    canonical_rows,
    copy_drive,
    empty_warehouse,
    feedback_state,
    leftover_tmp,
    recorded_paths,
    versions_problems,
)

pytestmark = pytest.mark.integration

# One agency, 5 files: all three reports, two rejected versions and their corrections, a late file.
AGENCIES = ("DISDIKBUD",)
SHARES = SampleShares(late=0.3, missing=0, defective=0.3, corrected=1)

# (step, which call of it dies). The sample's run makes 5 reads, one chunk validated in one batch
# per suite (5 suites), 10 feedback writes, 15 renames, 5 load transactions (3 of them loading
# facts): first, middle and last files.
KILL_POINTS = [
    ("sql_manifest_read", 1),  # the scan
    ("read_bytes", 1),
    ("read_bytes", 4),
    ("read_sheets", 2),
    ("validate", 1),
    ("validate", 5),  # the chunk's last suite
    ("sql_manifest_read", 2),  # the chunk's "already seen?" check
    ("write_feedback", 1),
    ("write_feedback", 2),
    ("rename", 1),  # feedback .xlsx written aside, not yet in place
    ("rename", 3),  # archive copy written aside
    ("rename", 14),
    ("archive", 3),
    ("sql_insert_submission", 1),
    ("sql_insert_issue", 1),
    ("sql_delete_facts", 2),
    ("load_facts", 1),  # while loading: the facts transaction half done
    ("load_facts", 4),
    ("facts_loaded", 2),
    ("sql_current", 1),  # facts loaded, the "current" pointer not yet moved
    ("commit", 2),  # everything written, COMMIT not yet sent
    ("commit", 5),  # the last file's
    ("recorded", 2),  # committed, the run killed before it reports the outcome
    ("recorded", 5),
    ("build_docs", 1),  # every file done, the run not finished
]


@dataclass
class Baseline(CleanRun):
    outcomes: list[dict[str, Any]]


@pytest.fixture(scope="module")
def case_db(pg_databases: PgDatabases) -> str:
    """One warehouse for every kill point, emptied before each."""
    return pg_databases.fresh()


@pytest.fixture(scope="module")
def baseline(
    catalog: Catalog,
    collector: CollectDriver,
    pg_databases: PgDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Baseline:
    from kinerja.warehouse.db import engine_for

    base = tmp_path_factory.mktemp("clean")
    files = generate_year(catalog, 2025, base / "pristine", seed=20, only=AGENCIES, shares=SHARES)
    kinds = {f.kind.split(":")[0] for f in files}
    assert {"late", "defect", "corrected"} <= kinds, kinds
    copy_drive(base / "pristine", base / "drive")
    url = pg_databases.fresh()
    (clean,) = collector.collect(url, base / "drive", base / "archive")
    assert clean["exit"] == 0, clean["error"]
    engine = engine_for(url)
    try:
        assert versions_problems(engine, [f.path for f in files]) == []
        rows = canonical_rows(engine)
    finally:
        engine.dispose()
    return Baseline(
        base / "pristine", [f.path for f in files], rows, feedback_state(base / "drive"), clean["outcomes"]
    )


def test_the_clean_run_loads_and_rejects_as_the_sample_says(baseline: Baseline) -> None:
    statuses = {o["status"] for o in baseline.outcomes}
    assert statuses == {"loaded", "rejected"}
    assert len(baseline.outcomes) == len(baseline.paths) == 5


@pytest.mark.parametrize(("point", "k"), KILL_POINTS, ids=[f"{p}-{k}" for p, k in KILL_POINTS])
def test_killed_then_rerun_equals_a_clean_run(
    point: str, k: int, collector: CollectDriver, case_db: str, baseline: Baseline, tmp_path: Path
) -> None:
    from kinerja.warehouse.db import engine_for

    started = time.perf_counter()
    drive, archive = tmp_path / "drive", tmp_path / "archive"
    copy_drive(baseline.drive, drive)
    url = case_db
    empty_warehouse(url)
    (killed,) = collector.collect(url, drive, archive, kill=(point, k))
    assert killed["signal"] == 9, f"{point} #{k} was never reached: {killed}"
    engine = engine_for(url)
    try:
        # Right after the crash: whatever was recorded is whole, and nothing twice.
        half = canonical_rows(engine)
        assert not any("dangling" in r for rows in half.values() for r in rows)
        assert versions_problems(engine, []) == []
        done_before = recorded_paths(engine)
        (again,) = collector.collect(url, drive, archive)
        assert again["exit"] == 0, again["error"]
        redone = {o["path"] for o in again["outcomes"] if o["status"] != "unchanged"}
        assert redone == set(baseline.paths) - done_before, "every file handled exactly once"
        baseline.assert_matched(engine, drive, archive)
        assert leftover_tmp(drive) == [], "a half-written feedback file stayed on the agency's drive"
        (third,) = collector.collect(url, drive, archive)
        assert {o["status"] for o in third["outcomes"]} == {"unchanged"}
    finally:
        engine.dispose()
    print(
        f"{point} #{k}: killed, {len(redone)} files redone, equal to the clean run "
        f"({time.perf_counter() - started:.1f} s)"
    )
