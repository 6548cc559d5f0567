"""Agencies stay in their lane: a file in PD A's folder never changes PD B's data, A's feedback
lands only in A's folder, and odd file names cannot escape the archive or feedback folders."""

from __future__ import annotations

import hashlib
import os
import random
import time
import unicodedata
from pathlib import Path, PurePosixPath

import pytest
from kinerja.catalog import Catalog
from kinerja.intake.feedback import feedback_paths, markup_path
from kinerja.sample import SampleShares, fill_rows, generate_year
from kinerja.schema import TEMPLATES
from kinerja.schema.excel import build_workbook, prefilled_rows
from kinerja.sources import UnsafePathError
from kinerja.sources.base import FEEDBACK_FOLDER, safe_relative
from kinerja.warehouse.models import FACT_TABLES, submission, submission_current
from sqlalchemy import Engine, select

from ..conftest import make_run

A, B = "DINKES", "DISDIKBUD"


def _rows_of(engine: Engine, kode_pd: str) -> str:
    """Checksum of everything the warehouse holds for one agency."""
    rows = []
    with engine.connect() as conn:
        for table in (*FACT_TABLES.values(), submission, submission_current):
            rows += sorted(
                repr(tuple(r)) for r in conn.execute(select(table).where(table.c.kode_pd == kode_pd))
            )
    assert rows
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _drive_files(drive: Path) -> set[str]:
    return {p.relative_to(drive).as_posix() for p in drive.rglob("*") if p.is_file()}


@pytest.fixture
def collected(catalog: Catalog, sqlite_engine: Engine, tmp_path: Path) -> Path:
    drive = tmp_path / "drive"
    generate_year(catalog, 2025, drive, seed=11, only=(A, B), shares=SampleShares(0, 0, 0))
    make_run(sqlite_engine, drive, catalog, tmp_path).run()
    return drive


def _drop(drive: Path, name: str, wb_rows_pd: str, info_pd: str, catalog: Catalog) -> Path:
    """A's folder gets an SPM workbook whose Info says `info_pd` and whose rows are `wb_rows_pd`'s."""
    tpl = TEMPLATES["SPM"]
    rows_pd, claimed = catalog.pd(wb_rows_pd), catalog.pd(info_pd)
    assert rows_pd and claimed
    rows = fill_rows(tpl, prefilled_rows(tpl, catalog, rows_pd), random.Random(5), 2025)
    target = drive / "2025" / A / name
    build_workbook(tpl, catalog, claimed, 2025, rows).save(target)
    os.utime(target, (time.time() - 60, time.time() - 60))
    return target


@pytest.mark.parametrize(
    ("info_pd", "rows_pd", "expected"),
    [
        (B, B, f"Berkas berisi data PD '{B}', padahal diletakkan di folder {A}."),
        (A, B, "bukan milik PD ini"),
    ],
    ids=["info claims B", "rows use B's codes"],
)
def test_a_file_in_as_folder_never_changes_bs_data(
    info_pd: str,
    rows_pd: str,
    expected: str,
    catalog: Catalog,
    sqlite_engine: Engine,
    collected: Path,
    tmp_path: Path,
) -> None:
    before_b, before_a = _rows_of(sqlite_engine, B), _rows_of(sqlite_engine, A)
    files_before = _drive_files(collected)
    _drop(collected, "spm_titipan.xlsx", rows_pd, info_pd, catalog)
    outcomes = [
        o for o in make_run(sqlite_engine, collected, catalog, tmp_path).run() if o.status != "unchanged"
    ]
    assert [(o.path, o.kode_pd, o.status) for o in outcomes] == [
        (f"2025/{A}/spm_titipan.xlsx", A, "rejected")
    ]
    assert any(expected in e["message"] for e in outcomes[0].errors), outcomes[0].errors[:3]
    assert _rows_of(sqlite_engine, B) == before_b
    with (
        sqlite_engine.connect() as conn
    ):  # A's loaded data is untouched too: only a rejected version was added
        current_a = conn.execute(select(submission_current).where(submission_current.c.kode_pd == A)).all()
    assert len(current_a) == 3 and _rows_of(sqlite_engine, A) != before_a
    # Feedback only in A's folder, nothing new anywhere else on the drive.
    new = _drive_files(collected) - files_before
    assert new == {
        f"2025/{A}/spm_titipan.xlsx",
        f"2025/{A}/{FEEDBACK_FOLDER}/spm_titipan.umpan-balik.xlsx",
        f"2025/{A}/{FEEDBACK_FOLDER}/spm_titipan.umpan-balik.html",
        f"2025/{A}/{FEEDBACK_FOLDER}/spm_titipan.ditandai.xlsx",
    }


ODD_NAMES = {
    "dot-dot inside": "spm..final..xlsx",
    "backslash traversal": "..\\..\\DISDIKBUD\\spm.xlsx",
    "rtl override": "spm\u202excl.xlsx",
    "combining marks": "spm\u0301\u0301\u0301.xlsx",
    "fullwidth slash": "..\uff0f..\uff0fDISDIKBUD\uff0fspm.xlsx",
    "nfd": unicodedata.normalize("NFD", "laporan_évaluasi.xlsx"),
    "very long": "s" * 240 + ".xlsx",
    "leading dash and spaces": "-  spm .xlsx",
}


@pytest.mark.parametrize("name", list(ODD_NAMES.values()), ids=list(ODD_NAMES))
def test_odd_file_names_stay_in_the_agencys_folders(
    name: str, catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    generate_year(catalog, 2025, drive, seed=12, only=(A,), shares=SampleShares(0, 0, 0))
    src = drive / "2025" / A / f"{A}_SPM_2025.xlsx"
    (drive / "2025" / A / name).write_bytes(src.read_bytes())
    src.unlink()
    outside = tmp_path / "outside"
    outside.mkdir()
    outcomes = make_run(sqlite_engine, drive, catalog, tmp_path).run()
    mine = [o for o in outcomes if o.path == f"2025/{A}/{name}"]
    try:
        safe_relative(f"2025/{A}/{name}")
    except UnsafePathError:  # the drive refuses to list it: never read, nothing written for it
        assert mine == []
    else:
        assert len(mine) == 1 and mine[0].status == "loaded", mine
    for o in outcomes:
        if o.status == "rejected":
            assert o.errors and all(e["message"] for e in o.errors)
    # Everything written is in A's folder (feedback) or under the archive, nowhere else.
    for path in _drive_files(drive):
        assert path.startswith(f"2025/{A}/"), path
        if f"/{FEEDBACK_FOLDER}/" in path:
            assert PurePosixPath(path).parent == PurePosixPath(f"2025/{A}/{FEEDBACK_FOLDER}"), path
    assert not any(outside.iterdir())
    archived = [p for p in (tmp_path / "archive").rglob("*") if p.is_file()]
    assert archived and all(p.name.split(".")[0].isalnum() for p in archived)


@pytest.mark.parametrize(
    "path",
    [
        "2025/DINKES/../DISDIKBUD/x.xlsx",
        "/etc/passwd",
        "2025/DINKES/x\x00.xlsx",
        "2025\\..\\..\\x.xlsx",
        "2025/DINKES/\uff0e\uff0e/DISDIKBUD/x.xlsx",
        "2025/DINKES/../../x.xlsx",
        "",
        ".",
    ],
)
def test_paths_that_leave_the_root_are_refused(path: str) -> None:
    with pytest.raises(UnsafePathError):
        safe_relative(path)
    with pytest.raises(UnsafePathError):
        feedback_paths(path)


@pytest.mark.parametrize("name", list(ODD_NAMES.values()), ids=list(ODD_NAMES))
def test_feedback_names_are_one_short_component_in_the_agencys_feedback_folder(name: str) -> None:
    submitted = f"2025/{A}/{name}"
    try:
        safe_relative(submitted)
    except UnsafePathError:
        with pytest.raises(UnsafePathError):
            feedback_paths(submitted)
        return
    for path in (*feedback_paths(submitted), markup_path(submitted)):
        pure = PurePosixPath(path)
        assert pure.parent == PurePosixPath(f"2025/{A}/{FEEDBACK_FOLDER}"), path
        assert len(pure.name.encode()) <= 255, len(pure.name.encode())
        assert "\u202e" not in pure.name
