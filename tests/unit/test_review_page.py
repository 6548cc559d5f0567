"""The review page's data and HTML over a real collected year in SQLite: builds recorded with
their files' checksums, what moved since the last approval, PDs whose data changed, reports the
figures lack, and the approval request's body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.handover import Answer
from kinerja.lineage import SUMBER
from kinerja.pipeline import publish_year_reports, record_review, request_review
from kinerja.publish.release import NotApprovedError, sha256_file
from kinerja.reports.keputusan import SETUJUI, TOLAK
from kinerja.runtime import Runtime
from kinerja.sample import SampleShares
from kinerja.satudata.package import FOLDER
from kinerja.status.collection import BELUM_MASUK, DITOLAK, collection_status
from kinerja.web.review import (
    answer_link,
    find_review,
    render_review_page,
    request_body,
    review_link,
    review_page,
    staged_file,
)

from ..conftest import collected_sample_year


def _stage(root: Path, name: str, spm: str, ringkasan: str) -> Path:
    stage = root / "staging" / "2025" / name
    (stage / "pd" / "DINKES").mkdir(parents=True)
    (stage / "laporan.pdf").write_bytes(b"%PDF-1.4 " + name.encode())
    (stage / "draf-lkpj.docx").write_bytes(b"PK docx " + name.encode())
    (stage / "pd" / "DINKES" / "index.html").write_text("<h1>DINKES</h1>")
    summary = {
        "tahun": 2025,
        "spm": {"daerah": spm, "bidang": {"KES": spm}},
        "lppd": {"skor": "2.8094"},
        "ringkasan": ringkasan,
        "perubahan": [{"indikator": "Capaian SPM daerah", "kalimat": "naik 1,00 poin persentase"}],
    }
    (stage / "ringkasan.json").write_text(json.dumps(summary))
    # The Satu Data lineage an approval records (none here: no table rows in this stand-in build).
    (stage / FOLDER).mkdir()
    (stage / FOLDER / SUMBER).write_text(json.dumps({"tahun": 2025, "baris": []}))
    return stage


def test_review_page_of_a_staged_build(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine, _ = collected_sample_year(
        catalog, tmp_path, seed=4, shares=SampleShares(late=0.2, missing=0.2, defective=0.3)
    )
    monkeypatch.setenv("KINERJA_REPORTS_DIR", str(tmp_path / "reports"))
    rt = Runtime.open(warehouse_url=url)
    approve = Answer(chosen_options=[SETUJUI])
    first = _stage(tmp_path / "reports", "run_a", "80.10", "Capaian SPM: 80,10 %\nLPPD: skor 2,8094")
    asked = request_review(rt, 2025, str(first), "run_a")
    assert asked.files == 5 and asked.ringkasan.startswith("Capaian SPM")
    # Not approved yet: nothing is published.
    with pytest.raises(NotApprovedError, match="belum disetujui"):
        publish_year_reports(rt, 2025, str(first))
    record_review(rt, 2025, str(first), approve, "run_a")
    published = Path(publish_year_reports(rt, 2025, str(first)))
    assert (published / "laporan.pdf").read_bytes() == (first / "laporan.pdf").read_bytes()

    second = _stage(tmp_path / "reports", "run_b", "82.35", "Capaian SPM: 82,35 %\n<b>LPPD</b>")
    request_review(rt, 2025, str(second), "run_b")
    review = find_review(engine, run_id="run_b")
    assert review is not None and review.decision == "menunggu"
    assert review.berkas["laporan.pdf"] == sha256_file(second / "laporan.pdf")

    page = review_page(engine, catalog, review)
    assert page.approved_before is not None and page.approved_before.run_id == "run_a"
    moved = {m.figure: m for m in page.moved}
    assert set(moved) == {"Capaian SPM daerah", "SPM bidang KES"}
    assert (moved["Capaian SPM daerah"].before, moved["Capaian SPM daerah"].after) == ("80,10 %", "82,35 %")
    assert moved["Capaian SPM daerah"].change == "naik 2,25 poin persentase"
    assert page.year_on_year == ["Capaian SPM daerah: naik 1,00 poin persentase"]
    assert page.files == [("laporan.pdf", "Laporan (PDF, ringkas)"), ("draf-lkpj.docx", "Draf LKPJ (docx)")]
    assert page.bundles == ["DINKES"]
    # Every report the figures lack, as the collection status has it.
    lacking = {
        (s.kode_pd, s.laporan)
        for s in collection_status(engine, catalog, 2025)
        if s.status in (DITOLAK, BELUM_MASUK)
    }
    assert lacking and {(k, lap) for k, _, lap, _ in page.lacking} == lacking
    # Nothing was collected after run_a was asked for: no PD's data changed since.
    assert page.changed == []

    # Only recorded paths resolve, to the recorded key.
    assert staged_file(review, "pd/DINKES/index.html") == (
        "pd/DINKES/index.html",
        review.berkas["pd/DINKES/index.html"],
    )
    for path in ("../run_a/laporan.pdf", "/etc/passwd", "pd/DINKES", "ringkasan.json/../laporan.pdf"):
        assert staged_file(review, path) is None, path

    html = render_review_page(page, catalog, "/")
    assert "<b>LPPD</b>" not in html and "&lt;b&gt;LPPD&lt;/b&gt;" in html
    assert f'href="tinjauan/{review.id}/berkas/laporan.pdf"' in html
    assert (
        'href="/dags/compile_reports/runs/run_b/tasks/review_reports/required_actions?_options=Setujui'
        in html
    )

    # A changed staged file: publishing the approved-then-altered folder refuses.
    record_review(rt, 2025, str(second), approve, "run_b")
    (second / "laporan.pdf").write_bytes(b"%PDF-1.4 diubah")
    with pytest.raises(NotApprovedError, match=r"berubah: laporan\.pdf"):
        publish_year_reports(rt, 2025, str(second))
    assert (published / "laporan.pdf").read_bytes() == b"%PDF-1.4 run_a"
    engine.dispose()


def test_the_approval_request_links_the_page_and_lists_figures_one_per_line() -> None:
    link = review_link("/", "manual__2026-02-01T00:00:00+00:00")
    assert link == "/kinerja/tinjauan?run=manual__2026-02-01T00%3A00%3A00%2B00%3A00"
    body = request_body(link, "Capaian SPM: 80,10 %\nLPPD: skor 2,8094\n", "Setujui atau tolak.")
    assert body.splitlines() == [
        f"**[Buka halaman tinjauan laporan]({link})**",
        "",
        "- Capaian SPM: 80,10 %",
        "- LPPD: skor 2,8094",
        "",
        "Setujui atau tolak.",
    ]
    assert answer_link("/airflow/", "r+1", TOLAK) == (
        "/airflow/dags/compile_reports/runs/r%2B1/tasks/review_reports/required_actions?_options=Tolak&map_index=-1"
    )
