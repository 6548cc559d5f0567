"""Provenance and lineage from the warehouse alone: every fact row carries its submission version
(drive, path, version, checksum, received, PD); every published Satu Data row is traced, at build
time, to the facts it aggregates and recorded when published; `kinerja lineage` answers for every
published dataset of the sample year."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from kinerja.build import build_outputs
from kinerja.catalog import Catalog
from kinerja.cli import main
from kinerja.handover import Answer
from kinerja.lineage import SUMBER, lineage
from kinerja.lineage import datasets as lineage_datasets
from kinerja.pipeline import publish_year_reports, record_review, request_review
from kinerja.publish.release import NotApprovedError
from kinerja.reports.keputusan import SETUJUI
from kinerja.runtime import Runtime
from kinerja.sample import SampleShares, generate_year
from kinerja.satudata.package import FOLDER, read_package
from kinerja.warehouse.models import FACT_TABLES, satu_data_sumber, submission, submission_current
from sqlalchemy import Engine, and_, func, select

from tests.conftest import collected_sample_year, make_run


@pytest.fixture(scope="module")
def year(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Engine, Path, Path]:
    """A collected sample year (some files late, rejected, corrected), its reports built into a
    staging folder, approved by the tim ahli and published: (warehouse URL, engine, staging, drive)."""
    root = tmp_path_factory.mktemp("lineage")
    url, engine, _ = collected_sample_year(catalog, root, 16, SampleShares(late=0.2, defective=0.1))
    staging = root / "reports" / "staging" / "2025" / "run"
    build_outputs(engine, catalog, 2025, staging)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KINERJA_REPORTS_DIR", str(root / "reports"))
        rt = Runtime.open(warehouse_url=url)
        request_review(rt, 2025, str(staging), "manual__2026-01-30")
        with pytest.raises(NotApprovedError):  # not approved: nothing published, no lineage
            publish_year_reports(rt, 2025, str(staging))
        assert lineage_datasets(engine, 2025) == []
        record_review(rt, 2025, str(staging), Answer([SETUJUI]), "manual__2026-01-30")
        publish_year_reports(rt, 2025, str(staging))
    return url, engine, staging, root / "drive"


def test_every_fact_row_carries_its_complete_submission_version(year: tuple[str, Engine, Path, Path]) -> None:
    _, engine, _, _ = year
    s = submission
    with engine.connect() as conn:
        for name, fact in FACT_TABLES.items():
            assert not fact.c.submission_id.nullable and fact.c.submission_id.foreign_keys
            rows = conn.execute(
                select(fact.c.tahun, fact.c.kode_pd, s.c.tahun, s.c.kode_pd, s.c.status)
                .add_columns(s.c.drive, s.c.path, s.c.version, s.c.sha256, s.c.received_at, s.c.archive_key)
                .join(s, s.c.id == fact.c.submission_id, isouter=True)
            ).all()
            for r in rows:
                assert all(v is not None and v != "" for v in r), (name, r)
                assert (r[0], r[1]) == (r[2], r[3]) and r[4] == "loaded", (name, r)
            # facts only ever come from the version that is current
            stale = conn.scalar(
                select(func.count())
                .select_from(fact)
                .where(~fact.c.submission_id.in_(select(submission_current.c.submission_id)))
            )
            assert stale == 0, name
        assert sum(conn.scalar(select(func.count()).select_from(f)) or 0 for f in FACT_TABLES.values()) > 100


def test_every_published_row_is_traced_to_the_facts_it_aggregates(
    year: tuple[str, Engine, Path, Path],
) -> None:
    _, engine, staging, _ = year
    folder = staging / FOLDER
    package = read_package(folder)
    traced = json.loads((folder / SUMBER).read_text(encoding="utf-8"))
    published = 0
    with engine.connect() as conn:
        stored = {
            (r.dataset, r.kunci)
            for r in conn.execute(select(satu_data_sumber.c.dataset, satu_data_sumber.c.kunci).distinct())
        }
        for res in package["resources"]:
            rows = (folder / res["path"]).read_text(encoding="utf-8").splitlines()[1:]
            mine = [t for t in traced["baris"] if t["dataset"] == res["name"]]
            assert len(mine) == len(rows) > 0, res["name"]
            published += len(rows)
            for t in mine:
                assert (res["name"], json.dumps(t["kunci"], ensure_ascii=False, sort_keys=True)) in stored
        assert len(stored) == published
        # each link selects exactly the fact rows it counts, in the version it names
        links = conn.execute(select(satu_data_sumber).where(satu_data_sumber.c.tabel.like("fact_%"))).all()
        assert links
        for link in links[:: max(1, len(links) // 300)]:
            fact = FACT_TABLES[link.tabel]
            where = [fact.c.submission_id == link.submission_id, fact.c.tahun == 2025]
            where += [fact.c[k].in_(v) for k, v in json.loads(link.cocok).items()]
            assert conn.scalar(select(func.count()).select_from(fact).where(and_(*where))) == link.n_baris > 0


def test_lineage_answers_for_every_published_dataset(
    year: tuple[str, Engine, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, engine, staging, drive = year
    archive = drive.parent / "archive"
    names = [r["name"] for r in read_package(staging / FOLDER)["resources"]]
    for name in names:
        assert main(["lineage", "--dataset", name, "--year", "2025", "--warehouse", url, "--json"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["dataset"] == name and result["run_id"] == "manual__2026-01-30"
        assert result["berkas"], name
        for f in result["berkas"]:
            assert f["path"].startswith(f"2025/{f['kode_pd']}/") and f["received_at"] and f["version"] >= 1
            # the archived copy of that version is the file the figures came from
            assert hashlib.sha256((archive / f["archive_key"]).read_bytes()).hexdigest() == f["sha256"]
    # an SPM figure of the kota draws on the SPM workbooks of every PD that reported SPM
    bidang = lineage(engine, "kota-medan-spm-capaian-bidang", 2025)
    with engine.connect() as conn:
        spm_pd = set(
            conn.scalars(
                select(submission.c.kode_pd)
                .join(submission_current, submission_current.c.submission_id == submission.c.id)
                .where(submission_current.c.laporan == "SPM", submission_current.c.tahun == 2025)
            )
        )
    assert {f["kode_pd"] for f in bidang["berkas"]} == spm_pd and {
        f["laporan"] for f in bidang["berkas"]
    } == {"SPM"}
    assert main(["lineage", "--dataset", names[0], "--year", "2025", "--warehouse", url]) == 0
    assert "berkas sumber" in capsys.readouterr().out


def test_lineage_of_something_never_published_is_a_clear_error(
    year: tuple[str, Engine, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, _, _ = year
    assert main(["lineage", "--dataset", "kota-medan-tidak-ada", "--year", "2025", "--warehouse", url]) == 1
    err = capsys.readouterr().err
    assert "belum pernah diterbitkan" in err and "kota-medan-spm-capaian-bidang" in err
    assert (
        main(["lineage", "--dataset", "kota-medan-spm-capaian-bidang", "--year", "2019", "--warehouse", url])
        == 1
    )


def test_a_version_loaded_after_publication_leaves_the_published_lineage(
    year: tuple[str, Engine, Path, Path], catalog: Catalog
) -> None:
    """Runs last (it loads new versions): the warehouse still names the versions the published
    figures were computed from, while the facts now come from the new ones."""
    _, engine, _, drive = year
    dataset = "kota-medan-dinkes-spm-capaian-jpd"
    before = lineage(engine, dataset, 2025)

    def current() -> int | None:
        with engine.connect() as conn:
            return conn.scalar(
                select(submission_current.c.submission_id).where(
                    submission_current.c.kode_pd == "DINKES", submission_current.c.laporan == "SPM"
                )
            )

    published_id = current()
    assert published_id in {f["submission_id"] for f in before["berkas"]}
    generate_year(catalog, 2025, drive, seed=99, only=("DINKES",), shares=SampleShares(late=0, defective=0))
    outcomes = make_run(engine, drive, catalog, drive.parent, 2025).run()
    assert any(o.status == "loaded" for o in outcomes)
    assert current() != published_id
    assert lineage(engine, dataset, 2025) == before
