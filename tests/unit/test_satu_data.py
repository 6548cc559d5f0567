"""The Satu Data export (no portal): tidy tables, keys, metadata, datapackage.json, catalog.jsonld,
formula neutralisation, and the privacy guard, which must stop personal data and must not stop
the real reference names."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.reports.year import YearReport, build_year
from kinerja.sample import SampleShares
from kinerja.satudata.ckan import sync_year
from kinerja.satudata.package import export_year
from kinerja.satudata.privacy import PersonalDataError, guard, scan
from kinerja.satudata.spec import load_spec

from tests.conftest import collected_sample_year


@pytest.fixture(scope="module")
def report(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> YearReport:
    root = tmp_path_factory.mktemp("sd")
    _, engine, _ = collected_sample_year(catalog, root, 31, SampleShares(late=0.2, missing=0, defective=0))
    return build_year(engine, catalog, 2025)


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_export_is_tidy_keyed_and_described(report: YearReport, catalog: Catalog, tmp_path: Path) -> None:
    written = export_year(report, catalog, load_spec(), tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert {p.name for p in written} == {r["path"] for r in package["resources"]} | {
        "datapackage.json",
        "catalog.jsonld",
    }
    specs = {s.nama: s for s in load_spec().datasets}
    assert {r["kinerja"]["dataset"] for r in package["resources"]} == set(specs)
    for res in package["resources"]:
        rows = read_csv(tmp_path / res["path"])
        header = [f["name"] for f in res["schema"]["fields"]]
        assert rows[0] == header
        assert header[:2] == ["kode_wilayah", "nama_wilayah"] and header[-1] == "tahun" and "satuan" in header
        assert "tahun" in res["schema"]["primaryKey"]
        assert {r[-1] for r in rows[1:]} == {"2025"}
        keys = [tuple(r[header.index(k)] for k in res["schema"]["primaryKey"]) for r in rows[1:]]
        assert len(keys) == len(set(keys)) and rows[1:]
        assert res["hash"] == "sha256:" + hashlib.sha256((tmp_path / res["path"]).read_bytes()).hexdigest()
        for field in ("konsep", "definisi", "rumus", "satuan", "ukuran", "klasifikasi", "periode_referensi"):
            assert res["kinerja"][field]
        assert not {"permasalahan", "solusi", "penjelasan"} & set(header)  # agency free text stays home
    # split per PD: each PD's dataset holds only its rows, in its own organisation
    jpd = [r for r in package["resources"] if r["kinerja"]["dataset"] == "spm-capaian-jpd"]
    assert {r["kinerja"]["kode_pd"] for r in jpd} == {"DINKES", "DISDIKBUD"}
    for res in jpd:
        rows = read_csv(tmp_path / res["path"])
        assert {r[rows[0].index("kode_pd")] for r in rows[1:]} == {res["kinerja"]["kode_pd"]}
        assert res["kinerja"]["organisasi"]["name"] == f"kota-medan-{res['kinerja']['kode_pd'].lower()}"
    spm = read_csv(tmp_path / "kota-medan-spm-capaian-bidang.csv")
    daerah = next(r for r in spm if r[2] == "DAERAH")
    assert daerah[5] == str(report.spm.daerah)
    dcat = json.loads((tmp_path / "catalog.jsonld").read_text(encoding="utf-8"))
    datasets = [n for n in dcat["@graph"] if n["@type"] == "dcat:Dataset"]
    assert [d["dct:identifier"] for d in datasets] == [f"{r['name']}-2025" for r in package["resources"]]
    assert all(d["dcat:distribution"]["dcat:mediaType"]["@id"].endswith("/text/csv") for d in datasets)


def test_walidata_mode_keeps_one_dataset_per_table(
    report: YearReport, catalog: Catalog, tmp_path: Path
) -> None:
    spec = replace(load_spec(), organisasi="walidata")
    export_year(report, catalog, spec, tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert len(package["resources"]) == len(spec.datasets)
    assert {r["kinerja"]["organisasi"]["name"] for r in package["resources"]} == {"kota-medan-diskominfo"}


def test_dry_run_without_a_portal_plans_everything_as_new(
    report: YearReport, catalog: Catalog, tmp_path: Path
) -> None:
    export_year(report, catalog, load_spec(), tmp_path)
    plan = sync_year(None, tmp_path, dry_run=True)
    assert plan.steps and {s.op for s in plan.steps} == {"create"} and not any(s.done for s in plan.steps)


def test_agency_text_that_looks_like_a_formula_is_neutralised(
    report: YearReport, catalog: Catalog, tmp_path: Path
) -> None:
    row = report.lkpj.rows[0]
    evil = replace(row, indikator='=HYPERLINK("http://x.example","klik")')
    bad = replace(report, lkpj=replace(report.lkpj, rows=[evil, *report.lkpj.rows[1:]]))
    export_year(bad, catalog, load_spec(), tmp_path)
    text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*lkpj*.csv"))
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("3201234567890123", "NIK"),
        ("NIK 1271 0101 0190 0001", "NIK"),
        ("127101.010190.0001", "NIK"),
        ("hubungi 0812-3456-7890", "telepon"),
        ("+62 812 3456 7890", "telepon"),
        ("(061) 4512412", "telepon"),
        ("Bapak Sutrisno", "nama orang"),
        ("dilaporkan oleh Ny. Siregar", "nama orang"),
        ("Budi Santoso, S.Kom", "nama orang"),
        ("Ahmad bin Yusuf", "nama orang"),
    ],
)
def test_guard_finds_personal_data(value: str, reason: str) -> None:
    findings = scan("uji", ["kode_wilayah", "indikator"], [["12.71", value]])
    assert len(findings) == 1 and reason in findings[0].reason and findings[0].column == "indikator"
    with pytest.raises(PersonalDataError, match="tidak ada yang dikirim"):
        guard([("uji", ["indikator"], [[value]])])


@pytest.mark.parametrize("column", ["nik", "NIK", "nama_penerima", "no_hp", "alamat_rumah", "tanggal_lahir"])
def test_guard_refuses_personal_columns(column: str) -> None:
    assert scan("uji", [column], [])[0].reason == "nama kolom menunjukkan data pribadi"


@pytest.mark.parametrize(
    "value",
    [
        "12.71.01",
        "12.71.01.1001",
        "628500000",
        "1234567890123.50",
        "Pelayanan kesehatan ibu hamil",
        "1.02.02.2.01",
        "Persentase penduduk 15-59 tahun",
        "2025",
        "Dinas Komunikasi dan Informatika",
    ],
)
def test_guard_leaves_codes_figures_and_reference_names_alone(value: str) -> None:
    assert scan("uji", ["x"], [[value]]) == []


def test_agency_personal_data_stops_the_export_before_anything_is_written(
    report: YearReport, catalog: Catalog, tmp_path: Path
) -> None:
    row = report.lkpj.rows[0]
    leaked = replace(row, indikator="Honor petugas Sdr. Hendra, HP 0813 6123 4567")
    bad = replace(report, lkpj=replace(report.lkpj, rows=[leaked, *report.lkpj.rows[1:]]))
    with pytest.raises(PersonalDataError) as refused:
        export_year(bad, catalog, load_spec(), tmp_path / "out")
    assert "lkpj-kinerja-program" in str(refused.value) and "kolom 'indikator'" in str(refused.value)
    assert not (tmp_path / "out").exists()


def test_the_whole_medan_catalogue_passes_the_guard(catalog: Catalog) -> None:
    """No false alarm on any real name the exports carry (regions, JPD, IKK, PDs, nomenclature)."""
    names = (
        [w.nama for w in catalog.wilayah]
        + [j.nama for j in catalog.jpd]
        + [m.nama for j in catalog.jpd for m in j.mutu]
        + [i.nama for i in catalog.ikk]
        + [p.nama for p in catalog.perangkat_daerah]
        + [n.nama for n in catalog.nomenklatur]
    )
    assert scan("katalog", ["nama"], [[n] for n in names]) == []


def test_catalogue_links_to_where_the_published_folder_is_served(
    report: YearReport, catalog: Catalog, tmp_path: Path
) -> None:
    export_year(report, catalog, load_spec(), tmp_path, base_url="https://laporan.kota.example/2025")
    dcat = json.loads((tmp_path / "catalog.jsonld").read_text(encoding="utf-8"))
    assert dcat["@context"]["@base"] == "https://laporan.kota.example/2025/satu-data/catalog.jsonld"
    first = next(n for n in dcat["@graph"] if n["@type"] == "dcat:Dataset")["dcat:distribution"]
    assert first["dcat:downloadURL"]["@id"].endswith(".csv")  # relative to @base: satu-data/<name>.csv
