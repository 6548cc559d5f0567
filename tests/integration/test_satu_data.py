"""Satu Data sync against a real CKAN 2.11 portal (ckan_server.py): first publication, a no-op
re-run, an update of one year beside another, a portal failing mid-run then recovering, 4xx not
retried, and the privacy guard stopping everything before the first request.

Each test publishes under its own kota name, so the tests share one portal without meeting."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import requests
from kinerja.catalog import Catalog
from kinerja.reports.year import build_year
from kinerja.sample import SampleShares
from kinerja.satudata.ckan import SyncError, portal_client, sync_year
from kinerja.satudata.package import DATAPACKAGE, export_year
from kinerja.satudata.privacy import PersonalDataError
from kinerja.satudata.spec import load_spec

from tests.conftest import collected_sample_year

from .ckan_server import CkanServer
from .fault_proxy import FaultProxy

pytestmark = pytest.mark.integration

Export = Callable[[str, str], Path]
SHARES = SampleShares(late=0.2, missing=0, defective=0, corrected=0)


@pytest.fixture(scope="module")
def export(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Export:
    """export(kota, version) → a satu-data folder; versions: '2024', '2025', '2025-changed'."""
    root = tmp_path_factory.mktemp("satu-data")
    reports = {}
    for version, tahun, seed in (("2024", 2024, 21), ("2025", 2025, 22), ("2025-changed", 2025, 23)):
        _, engine, _ = collected_sample_year(catalog, root / version, seed, SHARES, tahun=tahun)
        reports[version] = build_year(engine, catalog, tahun)
        engine.dispose()

    def make(kota: str, version: str) -> Path:
        out = root / "export" / kota / version
        if not out.exists():
            export_year(reports[version], replace(catalog, nama=kota), load_spec(), out)
        return out

    return make


def package_of(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / DATAPACKAGE).read_text(encoding="utf-8"))


def same_number(value: object) -> str:
    """One spelling per value: 80.30, 80.3 and 80.3000 are the same number in the DataStore."""
    text = "" if value is None else str(value)
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        return text


def csv_rows(path: Path) -> set[tuple[str, ...]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))[1:]
    return {tuple(same_number(v) for v in r) for r in rows}


def portal_rows(ckan_server: CkanServer, dataset: str, tahun: int) -> set[tuple[str, ...]]:
    """The DataStore rows of one year, as the CSV writes them (numbers in machine format)."""
    ckan = ckan_server.client()
    pkg = ckan.action.package_show(id=dataset)
    (table,) = [r for r in pkg["resources"] if r.get("kinerja_role") == "datastore"]
    found = ckan.action.datastore_search(resource_id=table["id"], filters={"tahun": tahun}, limit=100000)
    names = [f["id"] for f in found["fields"] if f["id"] != "_id"]
    return {tuple(same_number(r[n]) for n in names) for r in found["records"]}


def assert_portal_holds(ckan_server: CkanServer, folder: Path) -> None:
    """Every dataset of the export is on the portal as exported: metadata, DataStore rows of the
    year, and one CSV resource for the year with the same bytes."""
    package = package_of(folder)
    tahun = package["kinerja"]["tahun"]
    ckan = ckan_server.client()
    for res in package["resources"]:
        pkg = ckan.action.package_show(id=res["name"])
        extras = {e["key"]: e["value"] for e in pkg["extras"]}
        assert pkg["organization"]["name"] == res["kinerja"]["organisasi"]["name"]
        assert pkg["license_id"] == "cc-by"
        for key in ("konsep", "definisi", "rumus", "satuan", "ukuran", "klasifikasi", "periode_referensi"):
            assert extras[key] == res["kinerja"][key]
        assert extras["walidata"].startswith("Dinas Komunikasi dan Informatika")
        assert extras["kode_wilayah"] == "12.71"
        assert portal_rows(ckan_server, res["name"], tahun) == csv_rows(folder / res["path"])
        csvs = [r for r in pkg["resources"] if r.get("kinerja_role") == f"csv-{tahun}"]
        assert len(csvs) == 1
        assert len([r for r in pkg["resources"] if r.get("kinerja_role") == "datastore"]) == 1
        body = requests.get(csvs[0]["url"], timeout=30).content
        assert body == (folder / res["path"]).read_bytes()


def test_first_publication_then_a_rerun_changes_nothing(ckan_server: CkanServer, export: Export) -> None:
    folder = export("Kota Uji Satu", "2025")
    ckan = portal_client(ckan_server.url, ckan_server.api_token)

    plan = sync_year(ckan, folder, dry_run=True)
    assert plan.counts()["create"] == len(plan.steps) > 0
    assert not any(s.done for s in plan.steps)
    with pytest.raises(Exception, match="Not found"):
        ckan_server.client().action.package_show(id=package_of(folder)["resources"][0]["name"])

    first = sync_year(ckan, folder)
    assert first.counts()["create"] == len(first.steps) and all(s.done for s in first.steps)
    assert_portal_holds(ckan_server, folder)

    names = [r["name"] for r in package_of(folder)["resources"]]
    modified = {n: ckan_server.client().action.package_show(id=n)["metadata_modified"] for n in names}
    again = sync_year(ckan, folder)
    assert again.counts() == {"create": 0, "update": 0, "unchanged": len(again.steps)}
    assert {n: ckan_server.client().action.package_show(id=n)["metadata_modified"] for n in names} == modified


def test_changed_year_is_updated_in_place_and_other_years_stay(
    ckan_server: CkanServer, export: Export
) -> None:
    kota = "Kota Uji Dua"
    ckan = portal_client(ckan_server.url, ckan_server.api_token)
    y2024, y2025, changed = export(kota, "2024"), export(kota, "2025"), export(kota, "2025-changed")
    sync_year(ckan, y2024)
    sync_year(ckan, y2025)

    plan = sync_year(ckan, changed, dry_run=True)
    assert {s.tahun for s in plan.steps if s.op != "unchanged" and s.target != "dataset"} == {2025}
    assert any(s.op == "update" and s.target == "datastore" for s in plan.steps)
    sync_year(ckan, changed)

    assert_portal_holds(ckan_server, changed)
    for res in package_of(y2024)["resources"]:  # 2024 untouched, beside the new 2025
        assert portal_rows(ckan_server, res["name"], 2024) == csv_rows(y2024 / res["path"])
        pkg = ckan_server.client().action.package_show(id=res["name"])
        assert {r.get("kinerja_role") for r in pkg["resources"]} >= {"datastore", "csv-2024"}
    # a key of 2025 that the corrected year no longer has is gone, not left behind
    old = package_of(y2025)["resources"]
    new = {r["name"]: r for r in package_of(changed)["resources"]}
    for res in old:
        if res["name"] in new:
            assert portal_rows(ckan_server, res["name"], 2025) == csv_rows(changed / new[res["name"]]["path"])


def test_portal_failing_mid_run_then_recovering(
    ckan_server: CkanServer, ckan_fault_proxy: FaultProxy, export: Export
) -> None:
    folder = export("Kota Uji Tiga", "2025")
    ckan = portal_client(ckan_fault_proxy.url, ckan_server.api_token, timeout=3, retries=4)

    ckan_fault_proxy.fail_after(40)  # the portal goes down part-way and stays down
    with pytest.raises(SyncError, match="portal tidak dapat dihubungi atau bermasalah") as failed:
        sync_year(ckan, folder)
    done = [s for s in failed.value.steps if s.done]
    assert 0 < len(done) < len(sync_year(None, folder, dry_run=True).steps)

    ckan_fault_proxy.heal()
    ckan_fault_proxy.fail_next(2)  # and then a short hiccup, retried with backoff
    ckan_fault_proxy.timeout_next(1)
    resumed = sync_year(ckan, folder)
    assert resumed.counts()["unchanged"] >= len(done) - 1  # what was done is not done again
    assert sync_year(ckan, folder).counts()["unchanged"] == len(resumed.steps)
    assert_portal_holds(ckan_server, folder)
    assert any(status == 503 for _, _, status in ckan_fault_proxy.log)


def test_a_refusal_is_not_retried(
    ckan_server: CkanServer, ckan_fault_proxy: FaultProxy, export: Export
) -> None:
    folder = export("Kota Uji Empat", "2025")
    ckan = portal_client(ckan_fault_proxy.url, "bukan-token-yang-sah", retries=5)
    with pytest.raises(SyncError):
        sync_year(ckan, folder)
    writes = [path for method, path, _ in ckan_fault_proxy.log if "organization_create" in path]
    assert len(writes) <= 1  # a 4xx answer is final: asked once, not five times


def test_personal_data_stops_publication_before_any_request(
    ckan_server: CkanServer, ckan_fault_proxy: FaultProxy, export: Export, tmp_path: Path
) -> None:
    folder = tmp_path / "satu-data"
    shutil.copytree(export("Kota Uji Lima", "2025"), folder)
    res = package_of(folder)["resources"][0]
    path = folder / res["path"]
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("Kota Medan", "Budi Santoso 3201234567890123", 1)  # a NIK slipped in
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    ckan = portal_client(ckan_fault_proxy.url, ckan_server.api_token)
    with pytest.raises(PersonalDataError, match="NIK") as refused:
        sync_year(ckan, folder)
    assert "tidak ada yang dikirim" in str(refused.value)
    assert ckan_fault_proxy.requests == 0


def test_kinerja_publish_command(
    ckan_server: CkanServer,
    export: Export,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The engineers' command: a dry run as JSON, the publication, then nothing left to do."""
    from kinerja.cli import main

    folder = export("Kota Uji Enam", "2025")
    monkeypatch.setenv("KINERJA_CKAN_TOKEN", ckan_server.api_token)
    args = ["publish", "--year", "2025", "--from", str(folder), "--portal", ckan_server.url]

    assert main([*args, "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["dry_run"] and plan["jumlah"]["create"] == len(plan["langkah"]) > 0
    assert main(args) == 0
    assert "dibuat" in capsys.readouterr().out
    assert main([*args, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["jumlah"] == {"create": 0, "update": 0, "unchanged": len(plan["langkah"])}
    assert main(["publish", "--year", "2024", "--from", str(folder), "--portal", ckan_server.url]) == 1
    assert "bukan 2024" in capsys.readouterr().err
