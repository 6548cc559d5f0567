"""No silent drops: whatever an agency puts in the drive gets feedback, and the board shows it."""

from __future__ import annotations

import os
from pathlib import Path

from kinerja.catalog import Catalog
from kinerja.status.summary import status_lines
from kinerja.web.status_html import render_status_page
from kinerja.web.status_page import TAK_DIKENALI, status_page
from sqlalchemy import Engine

from ..conftest import make_run
from .test_status_page import TODAY, cells_of


def _put(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (1_767_600_000, 1_767_600_000))


def test_files_that_are_no_template_show_as_received_with_their_feedback(
    catalog: Catalog, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    _put(drive, "2025/DINKES/DINKES_SPM_2025.xlsx", b"kode_jpd,terlayani\nkesehatan.1,12\n")  # a CSV
    _put(drive, "2025/BAPPEDA/laporan lkpj.docx", b"PK\x03\x04 a Word file")
    _put(drive, "2025/DINKS/DINKES_LPPD_2025.xlsx", b"%PDF-1.7 a mistyped folder")
    outcomes = {o.path: o for o in make_run(sqlite_engine, drive, catalog, tmp_path).run()}
    assert {p: o.status for p, o in outcomes.items()} == {
        "2025/DINKES/DINKES_SPM_2025.xlsx": "rejected",
        "2025/BAPPEDA/laporan lkpj.docx": "rejected",
        "2025/DINKS/DINKES_LPPD_2025.xlsx": "rejected",
    }
    for o in outcomes.values():  # feedback beside each, in the folder it was put in
        assert (drive / (o.feedback or "")).is_file(), o.path

    page = status_page(sqlite_engine, catalog, 2025, TODAY)
    cells = cells_of(page)
    for laporan in catalog.laporan_wajib(catalog.pd("DINKES")):  # type: ignore[arg-type]
        cell = cells[("DINKES", laporan)]
        assert (cell.status, cell.versions) == (TAK_DIKENALI, 1)
        assert cell.feedback_path == outcomes["2025/DINKES/DINKES_SPM_2025.xlsx"].feedback
    assert cells[("BAPPEDA", "LKPJ")].status == TAK_DIKENALI
    assert cells[("DISDIKBUD", "SPM")].status == "belum masuk"  # nothing came in there
    [stray] = page.strays
    assert stray.path == "2025/DINKS/DINKES_LPPD_2025.xlsx"
    assert "DINKS" in stray.reason and stray.feedback_path == outcomes[stray.path].feedback
    html = render_status_page(page)
    assert "Masuk, tak dikenali" in html and "bukan folder PD aktif (1)" in html
    assert "2025/DINKS/DINKES_LPPD_2025.xlsx" in html

    lines = "\n".join(status_lines(sqlite_engine, catalog, 2025))
    assert "masuk/" in lines and "diterima/" not in lines  # received is "masuk"; accepted is "diterima"
