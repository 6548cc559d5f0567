"""OpenLineage events of the three DAGs (the provider's file transport, tests/dags/conftest.py),
run for real: collection from a drive, reports approved by the tim ahli over the API, the Satu
Data sync to a real CKAN portal. The events' graph leads from one agency file, through the
warehouse table and the published file, to the CKAN dataset that holds its rows."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.lineage import lineage
from kinerja.reports.keputusan import SETUJUI
from kinerja.sample import SampleShares, generate_year
from kinerja.warehouse.db import engine_for

from tests.dags.conftest import OPENLINEAGE_EVENTS
from tests.dags.test_compile_reports import _run as run_compile_reports
from tests.support.ckan_server import CkanServer

pytestmark = pytest.mark.integration

Node = tuple[str, str]


def _events_since(offset: int) -> list[dict]:  # type: ignore[type-arg]
    with OPENLINEAGE_EVENTS.open(encoding="utf-8") as f:
        f.seek(offset)
        return [json.loads(line) for line in f if line.strip()]


def _path(events: list[dict], start: Node, goal: Node) -> list[str] | None:  # type: ignore[type-arg]
    """The jobs on a shortest path start → goal through the events' inputs → job → outputs."""
    edges: dict[Node, list[tuple[str, Node]]] = {}
    for e in events:
        if e["eventType"] != "COMPLETE":
            continue
        for i in e.get("inputs", []):
            for o in e.get("outputs", []):
                edges.setdefault((i["namespace"], i["name"]), []).append(
                    (e["job"]["name"], (o["namespace"], o["name"]))
                )
    seen, todo = {start}, deque([(start, [])])
    while todo:
        node, jobs = todo.popleft()
        if node == goal:
            return jobs
        for job, nxt in edges.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append((nxt, [*jobs, job]))
    return None


def test_openlineage_graph_from_an_agency_file_to_its_ckan_dataset(
    dagbag,  # type: ignore[no-untyped-def]
    api_server: str,
    ckan_server: CkanServer,
    catalog: Catalog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offset = OPENLINEAGE_EVENTS.stat().st_size if OPENLINEAGE_EVENTS.exists() else 0
    drive, url = tmp_path / "drive", f"sqlite:///{tmp_path / 'warehouse.db'}"
    generate_year(catalog, 2025, drive, seed=5, only=("DINKES", "BAPPEDA"), shares=SampleShares(late=0.2))
    for key, value in {
        "KINERJA_WAREHOUSE_URL": url,
        "KINERJA_DRIVE_DIR": str(drive),
        "KINERJA_ARCHIVE_DIR": str(tmp_path / "archive"),
        "KINERJA_SETTLE_SECONDS": "0",
        "KINERJA_REPORTS_DIR": str(tmp_path / "reports"),
        "AIRFLOW_CONN_SATU_DATA_CKAN": json.dumps(
            {"conn_type": "http", "host": ckan_server.url, "password": ckan_server.api_token}
        ),
    }.items():
        monkeypatch.setenv(key, value)

    assert dagbag.get_dag("collect_submissions").test(run_conf={"tahun": 2025}).state == "success"
    run, answered = run_compile_reports(dagbag, api_server, (SETUJUI, "Sesuai"))
    assert answered and run.state == "success"  # type: ignore[attr-defined]
    assert dagbag.get_dag("sync_satu_data").test(run_conf={"tahun": 2025}).state == "success"

    events = _events_since(offset)
    assert {e["job"]["namespace"] for e in events} == {"laporan-kinerja"}
    # the warehouse answers which agency file the Dinkes SPM figures came from ...
    dataset = "kota-medan-dinkes-spm-capaian-jpd"
    source = lineage(engine_for(url), dataset, 2025)["berkas"][0]
    assert source["kode_pd"] == "DINKES" and source["laporan"] == "SPM"
    agency_file = ("file", str((drive / source["path"]).resolve()))
    on_portal = (ckan_server.url.rstrip("/"), dataset)
    assert ckan_server.client().action.package_show(id=dataset)["state"] == "active"
    # ... and the OpenLineage events draw the same path, job by job
    jobs = _path(events, agency_file, on_portal)
    assert jobs == [
        "collect_submissions.process_batch",
        "compile_reports.build_reports",
        "compile_reports.publish_reports",
        "sync_satu_data.publish_to_portal",
    ]
    # through the fact table the workbook was loaded into, named after the warehouse
    warehouse = f"sqlite://{(tmp_path / 'warehouse.db').resolve()}"
    collected = [e for e in events if e["job"]["name"] == "collect_submissions.process_batch"]
    loaded = {(o["namespace"], o["name"]) for e in collected for o in e.get("outputs", [])}
    assert (warehouse, "main.fact_spm_penerima") in loaded
    assert _path(events, agency_file, (warehouse, "main.fact_spm_penerima")) == [
        "collect_submissions.process_batch"
    ]
