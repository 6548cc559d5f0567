"""compile_reports through the tim ahli's approval and rejection, answered over the real API."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.publish.release import file_checksums
from kinerja.sample import SampleShares
from kinerja.warehouse.db import engine_for
from kinerja.warehouse.models import report_review
from sqlalchemy import select

from tests.support.airflow_api import answer_when_asked

from ..conftest import collected_sample_year


def _answer_when_asked(base: str, answers: list[tuple[str, str]], answered: list[dict]) -> None:  # type: ignore[type-arg]
    """Act as the reviewer: wait for the Required Action, then answer it; again for each answer."""
    for option, reason in answers:
        _answer_once(base, option, reason, answered)


def _answer_once(base: str, option: str, reason: str, answered: list[dict]) -> None:  # type: ignore[type-arg]
    answer = answer_when_asked(base, "compile_reports", option, {"alasan": reason})
    if answer:
        answered.append({"asked": answer[0], **answer[1]})


@pytest.fixture
def year_in_warehouse(catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url, _, _ = collected_sample_year(
        catalog, tmp_path, seed=3, shares=SampleShares(late=0.2, missing=0, defective=0)
    )
    monkeypatch.setenv("KINERJA_WAREHOUSE_URL", url)
    monkeypatch.setenv("KINERJA_REPORTS_DIR", str(tmp_path / "reports"))
    return url


def _run(dagbag, api_server: str, *answers: tuple[str, str]) -> tuple[object, list[dict]]:  # type: ignore[no-untyped-def, type-arg]
    answered: list[dict] = []  # type: ignore[type-arg]
    reviewer = threading.Thread(target=_answer_when_asked, args=(api_server, list(answers), answered))
    reviewer.start()
    run = dagbag.get_dag("compile_reports").test(run_conf={"tahun": 2025})
    reviewer.join()
    return run, answered


def test_approved_reports_are_published(
    dagbag,
    api_server: str,
    year_in_warehouse: str,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    run, answered = _run(dagbag, api_server, ("Setujui", ""))
    assert answered and run.state == "success"
    # The request links to the review page and lists the figures one per line.
    asked = answered[0]["asked"]
    assert asked["options"] == ["Setujui", "Tolak"]
    lines = asked["body"].splitlines()
    assert lines[0].startswith("**[Buka halaman tinjauan laporan](/kinerja/tinjauan?run=")
    assert any(line.startswith("- Capaian SPM Kota Medan 2025: ") for line in lines)
    published = tmp_path / "reports" / "published" / "2025"
    assert (published / "laporan.html").is_file() and (published / "draf-lkpj.docx").is_file()
    assert any((published / "pd").iterdir())
    with engine_for(year_in_warehouse).connect() as conn:
        rows = conn.execute(
            select(report_review.c.decision, report_review.c.reason, report_review.c.berkas)
        ).all()
    assert [(d, r) for d, r, _ in rows] == [("disetujui", None)], "no reason needed to approve"
    # What was published is what was approved, file by file.
    assert rows[0].berkas == file_checksums(published)


def test_rejection_keeps_what_was_published_and_records_the_reason(  # type: ignore[no-untyped-def]
    dagbag, api_server: str, year_in_warehouse: str, tmp_path: Path
) -> None:
    published = tmp_path / "reports" / "published" / "2025"
    published.mkdir(parents=True)
    (published / "laporan.html").write_text("versi lama yang disetujui")
    # Rejecting without a reason asks again; the second answer carries one.
    run, answered = _run(
        dagbag, api_server, ("Tolak", ""), ("Tolak", "Data Dinkes belum konsisten dengan DPA")
    )
    assert len(answered) == 2 and run.state == "success"
    assert (published / "laporan.html").read_text() == "versi lama yang disetujui"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["publish_reports"] == "skipped"
    with engine_for(year_in_warehouse).connect() as conn:
        rows = conn.execute(select(report_review.c.decision, report_review.c.reason)).all()
    assert rows == [("ditolak", "Data Dinkes belum konsisten dengan DPA")]
