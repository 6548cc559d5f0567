"""Files the drive does not take (a bad name, directly under the year, in a sub-folder) are
recorded once, answered in the agency's feedback folder when that is safe, and on the board."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kinerja.catalog import Catalog
from kinerja.intake.refused import PAGE_NAME
from kinerja.notify import plan_file_mails
from kinerja.sources import DriveFile, LocalDrive, RefusedFile
from kinerja.sources.base import MAX_DEPTH
from kinerja.warehouse.models import drive_refused
from kinerja.web.status_html import render_status_page
from kinerja.web.status_page import TAK_DIKENALI, recorded_feedback, status_page
from sqlalchemy import Engine, func, select

from ..conftest import make_run
from .test_status_page import TODAY, cells_of

T0 = 1_767_600_000


def _put(root: Path, rel: str, data: bytes = b"x", mtime: float = T0) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_the_survey_says_what_is_not_taken_and_why(tmp_path: Path) -> None:
    _put(tmp_path, "2025/DINKES/DINKES_SPM_2025.xlsx", b"spm")
    _put(tmp_path, "2025/DINKES/arsip/lama.xlsx", b"old")
    _put(tmp_path, "2025/DINKES/arsip/2024/lebih lama.xlsx")
    _put(tmp_path, "2025/DINKES/spm\\..\\..\\BAPPEDA\\x.xlsx")  # the server would read ..\..
    _put(tmp_path, "2025/lepas.xlsx", b"loose")
    deep = "2025/DINKES/" + "/".join(f"d{i}" for i in range(MAX_DEPTH + 1)) + "/dalam.xlsx"
    _put(tmp_path, deep)
    for ignored in (
        "2025/DINKES/umpan-balik/DINKES_SPM_2025.umpan-balik.html",  # ours
        "2025/DINKES/~$DINKES_SPM_2025.xlsx",
        "2025/DINKES/arsip/.tersembunyi.xlsx",
        "2025/.rahasia/x.xlsx",
        "2024/lepas.xlsx",
    ):
        _put(tmp_path, ignored)
    (tmp_path / "2025/DINKES/arsip/tautan.xlsx").symlink_to("../DINKES_SPM_2025.xlsx")
    (
        tmp_path / bytes("2025/DINKES/bukan-utf8-\xff.xlsx", "latin-1").decode("utf-8", "surrogateescape")
    ).write_bytes(b"?")

    drive = LocalDrive(tmp_path)
    found = list(drive.survey(2025))
    taken = [f for f in found if isinstance(f, DriveFile)]
    refused = {f.path: f for f in found if isinstance(f, RefusedFile)}

    assert [f.path for f in taken] == ["2025/DINKES/DINKES_SPM_2025.xlsx"]
    assert [f.path for f in drive.list_files(2025)] == ["2025/DINKES/DINKES_SPM_2025.xlsx"]
    assert {p: (f.reason, f.kode_pd_folder) for p, f in refused.items()} == {
        "2025/DINKES/arsip/2024/lebih lama.xlsx": ("subfolder", "DINKES"),
        "2025/DINKES/arsip/lama.xlsx": ("subfolder", "DINKES"),
        "2025/DINKES/bukan-utf8-\ufffd.xlsx": ("nama", "DINKES"),
        "2025/DINKES/spm\\..\\..\\BAPPEDA\\x.xlsx": ("nama", "DINKES"),
        "2025/lepas.xlsx": ("tempat", None),
    }
    assert refused["2025/DINKES/arsip/lama.xlsx"].size == 3
    assert refused["2025/DINKES/arsip/lama.xlsx"].mtime == T0
    assert refused["2025/DINKES/bukan-utf8-\ufffd.xlsx"].raw == b"2025/DINKES/bukan-utf8-\xff.xlsx"
    assert deep not in refused  # deeper than MAX_DEPTH: only logged


def test_refused_files_are_recorded_once_answered_where_safe_and_shown(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    _put(drive, "2025/DINKES/arsip/DINKES_SPM_2025.xlsx")
    _put(drive, "2025/DINKES/spm\\..\\x.xlsx")
    _put(drive, "2025/BAPPEDA_LKPJ_2025.xlsx")  # directly under the year: no agency's
    _put(drive, "2025/DINKS/sub/DINKES_LPPD_2025.xlsx")  # a folder that is no agency: nothing written
    before = _files(drive)

    assert make_run(sqlite_engine, drive, catalog, tmp_path).run() == []
    page = f"2025/DINKES/umpan-balik/{PAGE_NAME}"
    assert _files(drive) - before == {page}  # only the page, only in the agency's feedback folder
    text = (drive / page).read_text()
    assert "arsip/DINKES_SPM_2025.xlsx" in text and "spm\\..\\x.xlsx" in text
    assert "Pindahkan berkas langsung ke folder DINKES" in text
    assert "BAPPEDA" not in text and "DINKS" not in text  # only its own folder's files
    with sqlite_engine.connect() as conn:
        rows = {r.path: r for r in conn.execute(select(drive_refused))}
    assert {p: (r.reason, r.kode_pd, r.feedback_path) for p, r in rows.items()} == {
        "2025/DINKES/arsip/DINKES_SPM_2025.xlsx": ("subfolder", "DINKES", page),
        "2025/DINKES/spm\\..\\x.xlsx": ("nama", "DINKES", page),
        "2025/BAPPEDA_LKPJ_2025.xlsx": ("tempat", None, None),
        "2025/DINKS/sub/DINKES_LPPD_2025.xlsx": ("subfolder", "DINKS", None),
    }

    # Again: nothing new, nothing rewritten.
    written = (drive / page).stat().st_mtime_ns
    os.utime(drive / page, ns=(written - 10**9, written - 10**9))
    assert make_run(sqlite_engine, drive, catalog, tmp_path).run() == []
    assert (drive / page).stat().st_mtime_ns == written - 10**9
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(drive_refused)).scalar() == 4

    # The same path changed: recorded again, the page rewritten.
    _put(drive, "2025/DINKES/arsip/DINKES_SPM_2025.xlsx", b"newer", mtime=T0 + 60)
    make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert (drive / page).stat().st_mtime_ns != written - 10**9
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(drive_refused)).scalar() == 5

    board = status_page(sqlite_engine, catalog, 2025, TODAY)
    assert sorted(r.path for r in board.refused) == sorted(rows)  # newest state of each path
    loose = next(r for r in board.refused if r.path == "2025/BAPPEDA_LKPJ_2025.xlsx")
    assert loose.kode_pd is None and loose.feedback_path is None and "folder tahun" in loose.reason
    cells = cells_of(board)
    for laporan in catalog.laporan_wajib(catalog.pd("DINKES")):  # type: ignore[arg-type]
        assert cells[("DINKES", laporan)].status == TAK_DIKENALI  # something came in: not "belum masuk"
        assert cells[("DINKES", laporan)].feedback_path == page
    assert cells[("BAPPEDA", "LKPJ")].status == "belum masuk"  # its file is under no agency's folder
    html = render_status_page(board)
    assert "Berkas yang tidak diproses (4)" in html
    assert "2025/BAPPEDA_LKPJ_2025.xlsx" in html and "hanya di halaman ini" in html
    assert recorded_feedback(sqlite_engine, page) == page  # the board's link is served


def test_the_board_shows_what_is_on_the_drive_now(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    _put(drive, "2025/DINKES/arsip/DINKES_SPM_2025.xlsx")
    _put(drive, "2025/DINKES/arsip/lama.xlsx")
    _put(drive, "2025/BAPPEDA_LKPJ_2025.xlsx")
    _put(drive, "2025/BAPPEDA/lama/BAPPEDA_LKPJ_2025.xlsx")
    page = drive / f"2025/DINKES/umpan-balik/{PAGE_NAME}"

    def run() -> None:
        make_run(sqlite_engine, drive, catalog, tmp_path).run()

    def board() -> tuple[list[str], dict[tuple[str, str], str]]:
        shown = status_page(sqlite_engine, catalog, 2025, TODAY)
        return sorted(r.path for r in shown.refused), {k: c.status for k, c in cells_of(shown).items()}

    def gone() -> dict[str, bool]:
        with sqlite_engine.connect() as conn:
            rows = conn.execute(select(drive_refused.c.path, drive_refused.c.gone_at))
            return {r.path: r.gone_at is not None for r in rows}

    run()
    assert board()[0] == [
        "2025/BAPPEDA/lama/BAPPEDA_LKPJ_2025.xlsx",
        "2025/BAPPEDA_LKPJ_2025.xlsx",
        "2025/DINKES/arsip/DINKES_SPM_2025.xlsx",
        "2025/DINKES/arsip/lama.xlsx",
    ]
    assert board()[1][("DINKES", "SPM")] == TAK_DIKENALI
    assert board()[1][("BAPPEDA", "LKPJ")] == TAK_DIKENALI

    # One moved away: off the board, the page lists only what is left.
    (drive / "2025/DINKES/arsip/lama.xlsx").unlink()
    (drive / "2025/BAPPEDA_LKPJ_2025.xlsx").unlink()
    shutil.rmtree(drive / "2025/BAPPEDA/lama")
    run()
    assert board()[0] == ["2025/DINKES/arsip/DINKES_SPM_2025.xlsx"]
    assert gone() == {
        "2025/DINKES/arsip/DINKES_SPM_2025.xlsx": False,
        "2025/DINKES/arsip/lama.xlsx": True,
        "2025/BAPPEDA_LKPJ_2025.xlsx": True,
        "2025/BAPPEDA/lama/BAPPEDA_LKPJ_2025.xlsx": True,
    }
    text = page.read_text()
    assert "arsip/DINKES_SPM_2025.xlsx" in text and "lama.xlsx" not in text
    assert board()[1][("DINKES", "SPM")] == TAK_DIKENALI  # one still waits in the sub-folder
    assert board()[1][("BAPPEDA", "LKPJ")] == "belum masuk"  # nothing of it on the drive now
    before = gone()
    run()  # nothing changed: nothing rewritten, nothing re-marked
    assert gone() == before and page.read_text() == text

    # The last one moved where it belongs: the board shows the real file, the page says so.
    (drive / "2025/DINKES/arsip/DINKES_SPM_2025.xlsx").rename(drive / "2025/DINKES/DINKES_SPM_2025.xlsx")
    run()
    shown = status_page(sqlite_engine, catalog, 2025, TODAY)
    assert shown.refused == [] and all(gone().values())
    cell = cells_of(shown)[("DINKES", "SPM")]
    assert cell.feedback_path and cell.feedback_path.endswith(".html")
    assert PAGE_NAME not in cell.feedback_path  # the processed file's own feedback, not the page
    assert "Tidak ada lagi berkas" in page.read_text()
    assert "Berkas yang tidak diproses" not in render_status_page(
        status_page(sqlite_engine, catalog, 2025, TODAY)
    )

    # Back again (the same file, same size and time): on the board again, not recorded twice.
    (drive / "2025/DINKES/DINKES_SPM_2025.xlsx").rename(drive / "2025/DINKES/arsip/DINKES_SPM_2025.xlsx")
    run()
    assert board()[0] == ["2025/DINKES/arsip/DINKES_SPM_2025.xlsx"]
    assert len(gone()) == 4
    assert "arsip/DINKES_SPM_2025.xlsx" in page.read_text()


def test_a_year_folder_gone_from_the_drive_writes_nothing(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    _put(drive, "2025/DINKES/arsip/x.xlsx")
    make_run(sqlite_engine, drive, catalog, tmp_path).run()
    shutil.rmtree(drive / "2025")
    make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert not (drive / "2025").exists()  # no page recreates a folder the agency removed
    assert status_page(sqlite_engine, catalog, 2025, TODAY).refused == []


def test_a_collection_that_writes_no_feedback_records_no_page(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    _put(drive, "2025/DINKES/arsip/x.xlsx")
    run = make_run(sqlite_engine, drive, catalog, tmp_path)
    run.write_feedback = False
    run.run()
    assert _files(drive) == {"2025/DINKES/arsip/x.xlsx"}
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(drive_refused.c.feedback_path)).scalars().all() == [None]


def test_a_refused_file_is_planned_for_mail_while_on_the_drive_and_recent(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    _put(drive, "2025/DINKES/arsip/a.xlsx")
    _put(drive, "2025/DINKES/arsip/b.xlsx")
    _put(drive, "2025/BAPPEDA_LKPJ_2025.xlsx")  # nobody's: no mail
    make_run(sqlite_engine, drive, catalog, tmp_path).run()

    def planned(now: datetime | None = None) -> list[str]:
        mails = plan_file_mails(sqlite_engine, catalog, 2025, tmp_path / "archive", now)
        return sorted(m.text.split("Berkas: ", 1)[1].split("\n", 1)[0] for m in mails)

    assert planned() == ["arsip/a.xlsx", "arsip/b.xlsx"]
    assert planned(datetime.now(UTC) + timedelta(days=4)) == []  # seen too long ago: not mailed late
    (drive / "2025/DINKES/arsip/b.xlsx").unlink()
    make_run(sqlite_engine, drive, catalog, tmp_path).run()
    assert planned() == ["arsip/a.xlsx"]  # moved away before the mail went: none about it
