"""The sync_satu_data DAG publishes the approved export through the `satu_data_ckan` connection
to a real CKAN portal (tests/integration/ckan_server.py), and a second run writes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import ckanapi
import pytest
from kinerja.catalog import Catalog
from kinerja.reports.year import build_year
from kinerja.sample import SampleShares
from kinerja.satudata.package import DATAPACKAGE, export_year
from kinerja.satudata.spec import load_spec

from tests.conftest import collected_sample_year
from tests.integration.ckan_server import CkanServer

pytestmark = pytest.mark.integration


def test_sync_satu_data_dag_publishes_the_approved_year(
    dagbag,  # type: ignore[no-untyped-def]
    ckan_server: CkanServer,
    catalog: Catalog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, engine, _ = collected_sample_year(
        catalog, tmp_path, 41, SampleShares(late=0, missing=0, defective=0), only=("DINKES", "BAPPEDA")
    )
    published = tmp_path / "reports" / "published" / "2025" / "satu-data"
    export_year(
        build_year(engine, catalog, 2025), replace(catalog, nama="Kota Uji DAG"), load_spec(), published
    )
    monkeypatch.setenv("KINERJA_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv(
        "AIRFLOW_CONN_SATU_DATA_CKAN",
        json.dumps({"conn_type": "http", "host": ckan_server.url, "password": ckan_server.api_token}),
    )
    dag = dagbag.get_dag("sync_satu_data")

    assert dag.test(run_conf={"tahun": 2025, "dry_run": True}).state == "success"
    names = [r["name"] for r in json.loads((published / DATAPACKAGE).read_text())["resources"]]
    ckan = ckan_server.client()

    def on_portal(name: str) -> bool:
        try:
            return ckan.action.package_show(id=name)["state"] == "active"
        except ckanapi.NotFound:
            return False

    assert not any(on_portal(n) for n in names)  # the dry run wrote nothing
    assert dag.test(run_conf={"tahun": 2025, "dry_run": False}).state == "success"
    assert all(on_portal(n) for n in names)
    modified = ckan.action.package_show(id=names[0])["metadata_modified"]
    assert dag.test(run_conf={"tahun": 2025, "dry_run": False}).state == "success"
    assert ckan.action.package_show(id=names[0])["metadata_modified"] == modified


def test_missing_portal_connection_fails_once_naming_it(
    dagbag,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A configuration error is not retried like a network error: one try, failed, and the
    message names the connection and the command that creates it."""
    monkeypatch.delenv("AIRFLOW_CONN_SATU_DATA_CKAN", raising=False)
    monkeypatch.setenv("KINERJA_REPORTS_DIR", str(tmp_path / "reports"))
    dag = dagbag.get_dag("sync_satu_data")
    assert dag.get_task("publish_to_portal").retries == 3  # network errors are retried

    run = dag.test(run_conf={"tahun": 2025, "dry_run": False})

    assert run.state == "failed"
    (ti,) = run.get_task_instances()
    assert (ti.state, ti.try_number) == ("failed", 1)
    log = "".join(capfd.readouterr())  # the task's log (dag.test runs it in this process)
    assert "AirflowFailException: Kesalahan konfigurasi (tidak dicoba ulang)" in log
    assert "'satu_data_ckan' belum dibuat" in log
    assert "airflow connections add satu_data_ckan --conn-type http" in log
