"""Smoke test of the CKAN test portal (ckan_server.py): what the Satu Data publisher relies on works."""

from __future__ import annotations

import uuid

import ckanapi
import pytest
import requests

from tests.support.ckan_server import CkanServer, ckan_is_reachable
from tests.support.fault_proxy import FaultProxy

pytestmark = pytest.mark.integration

FIELDS = [
    {"id": "kode", "type": "text"},
    {"id": "indikator", "type": "text"},
    {"id": "capaian", "type": "numeric"},
]


def test_dataset_with_extras_and_datastore_upsert(ckan_server: CkanServer) -> None:
    ckan = ckan_server.client()
    tag = uuid.uuid4().hex[:8]
    org = ckan.action.organization_create(name=f"bappeda-{tag}", title="Bappeda Kota Medan")
    pkg = ckan.action.package_create(
        name=f"capaian-spm-{tag}",
        title="Capaian SPM 2025",
        owner_org=org["id"],
        extras=[{"key": "tahun", "value": "2025"}, {"key": "sumber", "value": "laporan-kinerja"}],
    )
    table = ckan.action.datastore_create(
        resource={"package_id": pkg["id"], "name": "capaian", "format": "CSV"},
        fields=FIELDS,
        primary_key=["kode"],
        records=[],
        force=True,
    )
    resource_id = table["resource_id"]
    first = [
        {"kode": "SPM-1", "indikator": "Pendidikan dasar", "capaian": 91.5},
        {"kode": "SPM-2", "indikator": "Kesehatan", "capaian": 88},
    ]
    ckan.action.datastore_upsert(resource_id=resource_id, records=first, method="upsert", force=True)
    second = [
        {"kode": "SPM-2", "indikator": "Kesehatan", "capaian": 89.25},  # changed
        {"kode": "SPM-3", "indikator": "Sosial", "capaian": 75},
    ]
    ckan.action.datastore_upsert(resource_id=resource_id, records=second, method="upsert", force=True)

    found = ckan.action.datastore_search(resource_id=resource_id, sort="kode")
    rows = [(r["kode"], r["indikator"], float(r["capaian"])) for r in found["records"]]
    assert rows == [
        ("SPM-1", "Pendidikan dasar", 91.5),
        ("SPM-2", "Kesehatan", 89.25),
        ("SPM-3", "Sosial", 75.0),
    ]
    assert found["total"] == 3

    shown = ckan.action.package_show(id=pkg["name"])
    assert {e["key"]: e["value"] for e in shown["extras"]} == {"tahun": "2025", "sumber": "laporan-kinerja"}
    assert [r["id"] for r in shown["resources"]] == [resource_id]
    assert shown["organization"]["name"] == org["name"]
    # The search index (the Solr stand-in) sees the dataset too.
    hits = ckan.action.package_search(fq=f'organization:"{org["name"]}"', include_private=True)
    assert [p["name"] for p in hits["results"]] == [pkg["name"]]
    assert ckan.action.organization_show(id=org["name"])["package_count"] == 1


def test_stop_and_start_again(ckan_server: CkanServer) -> None:
    ckan = ckan_server.client()
    org = ckan.action.organization_create(name=f"dinkes-{uuid.uuid4().hex[:8]}")
    ckan_server.stop()
    try:
        assert not ckan_is_reachable(ckan_server.url)
        with pytest.raises(requests.ConnectionError):
            ckan.action.status_show()
    finally:
        ckan_server.start()
    assert ckan.action.organization_show(id=org["id"])["name"] == org["name"]


def test_fault_proxy(ckan_server: CkanServer, ckan_fault_proxy: FaultProxy) -> None:
    proxy = ckan_fault_proxy
    ckan = ckan_server.client(url=proxy.url)
    assert ckan.action.status_show()["ckan_version"].startswith("2.")

    proxy.fail_next(2)
    for _ in range(2):
        with pytest.raises(ckanapi.errors.CKANAPIError):
            ckan.action.status_show()
    assert ckan.action.status_show()["site_url"] == ckan_server.url

    proxy.fail_after(1)
    assert ckan.action.status_show()["site_url"] == ckan_server.url
    for _ in range(3):
        with pytest.raises(ckanapi.errors.CKANAPIError):
            ckan.action.status_show()
    proxy.heal()
    assert ckan.action.status_show()["site_url"] == ckan_server.url
    assert [status for _, _, status in proxy.log] == [200, 503, 503, 200, 200, 503, 503, 503, 200]

    proxy.timeout_next(1)
    with pytest.raises(requests.Timeout):
        ckan.call_action("status_show", requests_kwargs={"timeout": 1})
    proxy.heal()
    assert ckan.action.status_show()["site_url"] == ckan_server.url

    ckan_server.stop()  # a portal that is down behind the proxy: 502, then back
    try:
        with pytest.raises(ckanapi.errors.CKANAPIError):
            ckan.action.status_show()
    finally:
        ckan_server.start()
    assert ckan.action.status_show()["site_url"] == ckan_server.url
    assert proxy.log[-2][2] == 502
