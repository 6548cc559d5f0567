"""A collection run on real files into a real SQLite warehouse (the embedded default)."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

from kinerja.catalog import Catalog
from kinerja.intake.collect import is_late
from kinerja.sample import SampleShares, generate_year
from kinerja.status.collection import collection_status
from kinerja.status.spm import spm_for_year
from kinerja.warehouse.models import FACT_TABLES, metadata, submission, submission_current
from sqlalchemy import Engine, func, select, text

from ..conftest import SMALL_SET, make_run


def table_checksums(engine: Engine) -> dict[str, str]:
    """Content checksum of every table, ignoring row order (for 'nothing changed')."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(table)))
            out[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def test_sample_year_is_collected_as_the_sample_says(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    files = generate_year(
        catalog,
        2025,
        drive,
        seed=5,
        only=SMALL_SET,
        shares=SampleShares(late=0.3, missing=0, defective=0.3, corrected=1),
    )
    outcomes = {o.path: o for o in make_run(sqlite_engine, drive, catalog, tmp_path).run()}
    assert set(outcomes) == {f.path for f in files}
    for f in files:
        o = outcomes[f.path]
        expected = "rejected" if f.kind.startswith("defect:") else "loaded"
        assert o.status == expected, (f, o.errors[:2])
        if f.kind == "late":
            assert o.terlambat
    assert any(f.kind.startswith("defect:") for f in files)
    statuses = {
        (r.kode_pd, r.laporan): r.status
        for r in collection_status(sqlite_engine, catalog, 2025)
        if r.kode_pd in SMALL_SET
    }
    assert set(statuses.values()) <= {"valid", "terlambat"}, "every defect was corrected"
    assert spm_for_year(sqlite_engine, catalog, 2025).daerah is not None


def test_rerunning_changes_nothing(catalog: Catalog, sqlite_engine: Engine, tmp_path: Path) -> None:
    drive = tmp_path / "drive"
    generate_year(catalog, 2025, drive, seed=2, only=SMALL_SET[:2])
    make_run(sqlite_engine, drive, catalog, tmp_path).run()
    before = table_checksums(sqlite_engine)
    again = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert {o.status for o in again} == {"unchanged"}
    # Touched but identical content: still unchanged, and still nothing written.
    for path in drive.rglob("*.xlsx"):
        os.utime(path)
    again = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert {o.status for o in again} == {"unchanged"}
    assert table_checksums(sqlite_engine) == before


def test_a_new_version_replaces_only_that_agency_and_report(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    generate_year(
        catalog,
        2025,
        drive,
        seed=3,
        only=SMALL_SET,
        shares=SampleShares(late=0, missing=0, defective=0),
    )
    make_run(sqlite_engine, drive, catalog, tmp_path).run()
    penerima = FACT_TABLES["fact_spm_penerima"]
    with sqlite_engine.connect() as conn:
        others_before = conn.execute(
            select(func.count()).select_from(penerima).where(penerima.c.kode_pd != "DINKES")
        ).scalar()
    # DINKES hands in its SPM again with different numbers (another seed).
    other = tmp_path / "other"
    generate_year(
        catalog,
        2025,
        other,
        seed=99,
        only=("DINKES",),
        shares=SampleShares(late=0, missing=0, defective=0),
    )
    target = drive / "2025/DINKES/DINKES_SPM_2025.xlsx"
    shutil.copy(other / "2025/DINKES/DINKES_SPM_2025.xlsx", target)
    os.utime(target, (time.time() - 60, time.time() - 60))
    outcomes = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    changed = [o for o in outcomes if o.status != "unchanged"]
    assert [(o.path, o.status, o.version) for o in changed] == [
        ("2025/DINKES/DINKES_SPM_2025.xlsx", "loaded", 2)
    ]
    with sqlite_engine.connect() as conn:
        sub_ids = set(
            conn.execute(select(penerima.c.submission_id).where(penerima.c.kode_pd == "DINKES")).scalars()
        )
        current = conn.execute(
            select(submission_current.c.submission_id).where(
                submission_current.c.kode_pd == "DINKES", submission_current.c.laporan == "SPM"
            )
        ).scalar()
        others_after = conn.execute(
            select(func.count()).select_from(penerima).where(penerima.c.kode_pd != "DINKES")
        ).scalar()
        versions = conn.execute(
            select(func.count())
            .select_from(submission)
            .where(submission.c.path == "2025/DINKES/DINKES_SPM_2025.xlsx")
        ).scalar()
    assert sub_ids == {current}, "only the new version's rows remain"
    assert others_after == others_before
    assert versions == 2


def test_a_rejected_version_keeps_the_previous_valid_data(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    generate_year(
        catalog,
        2025,
        drive,
        seed=4,
        only=("DINKES",),
        shares=SampleShares(late=0, missing=0, defective=0),
    )
    make_run(sqlite_engine, drive, catalog, tmp_path).run()
    before = table_checksums(sqlite_engine)
    target = drive / "2025/DINKES/DINKES_SPM_2025.xlsx"
    target.write_bytes(b"not a workbook at all")
    os.utime(target, (time.time() - 60, time.time() - 60))
    [outcome] = [
        o for o in make_run(sqlite_engine, drive, catalog, tmp_path).run() if o.status != "unchanged"
    ]
    assert outcome.status == "rejected"
    after = table_checksums(sqlite_engine)
    for name in FACT_TABLES:
        assert after[name] == before[name]
    assert after["submission_current"] == before["submission_current"]


def test_a_file_still_being_copied_waits(catalog: Catalog, sqlite_engine: Engine, tmp_path: Path) -> None:
    drive = tmp_path / "drive"
    generate_year(
        catalog,
        2025,
        drive,
        seed=4,
        only=("BAPPEDA",),
        shares=SampleShares(late=0, missing=0, defective=0),
    )
    fresh = drive / "2025/BAPPEDA/BAPPEDA_LPPD_2025.xlsx"
    os.utime(fresh)  # just landed
    run = make_run(sqlite_engine, drive, catalog, tmp_path)
    run.settle_seconds = 300
    outcomes = {o.path: o.status for o in run.run()}
    assert outcomes["2025/BAPPEDA/BAPPEDA_LPPD_2025.xlsx"] == "pending"
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("select count(*) from submission where path like '%LPPD%'")).scalar() == 0


def test_archive_keeps_every_version_and_the_drive_is_untouched(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    generate_year(catalog, 2025, drive, seed=6, only=("BAPPEDA",))

    def submitted() -> dict[Path, tuple[float, bytes]]:
        return {
            p: (p.stat().st_mtime, p.read_bytes())
            for p in drive.rglob("*")
            if p.is_file() and "umpan-balik" not in p.parts
        }

    before = submitted()
    outcomes = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert submitted() == before
    for o in outcomes:
        assert o.feedback and (drive / o.feedback).is_file()
        assert Path(o.feedback).parent == Path(o.path).parent / "umpan-balik"
    archived = {p.name.split(".")[0] for p in (tmp_path / "archive").rglob("*.xlsx")}
    assert archived == {hashlib.sha256(b).hexdigest() for _, b in before.values()}


def test_late_means_after_the_deadline_day_in_wib() -> None:
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    deadline, wib = date(2026, 1, 26), ZoneInfo("Asia/Jakarta")
    assert not is_late(datetime(2026, 1, 26, 16, 59, tzinfo=UTC), deadline, wib)  # 23:59 WIB
    assert is_late(datetime(2026, 1, 26, 17, 0, tzinfo=UTC), deadline, wib)  # 00:00 WIB, 27th
    assert is_late(datetime(2026, 1, 26, 16, 0, tzinfo=UTC), deadline, ZoneInfo("Asia/Jayapura"))


def test_operators_get_data_docs(catalog: Catalog, sqlite_engine: Engine, tmp_path: Path) -> None:
    """A collection opened as the DAG and `kinerja collect` open it keeps its results where the
    settings say (KINERJA_DATA_DOCS_DIR)."""
    from dataclasses import replace

    from kinerja.config import Settings
    from kinerja.pipeline import open_run
    from kinerja.runtime import Runtime

    drive = tmp_path / "drive"
    generate_year(catalog, 2025, drive, seed=9, only=("BAPPEDA",))
    settings = replace(
        Settings.from_env(),
        drive_dir=drive,
        archive_dir=tmp_path / "archive",
        settle_seconds=0,
        data_docs_dir=tmp_path / "gx",
    )
    run = open_run(Runtime(settings, catalog, sqlite_engine), 2025)
    run.run()
    index = run.build_docs()
    assert index is not None and index.is_file()
    assert index.is_relative_to(tmp_path / "gx")
    pages = list(index.parent.glob("validations/lppd_ikk/*BAPPEDA*/*/*.html"))
    assert pages, "a validation page for the agency's file"
