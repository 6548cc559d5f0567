"""The Satu Data export checked by the standards' own validators: every year's Frictionless
package with `frictionless validate`, the DCAT-AP 3.0.1 catalogue with pyshacl against the
official shapes (vendored in reference/standards/), and the BPS metadata forms complete."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyshacl
import pytest
import rdflib
import yaml
from frictionless import validate
from kinerja.catalog import Catalog
from kinerja.catalog.loader import catalogue_file
from kinerja.config import PROJECT_ROOT
from kinerja.reports.year import build_year
from kinerja.sample import SampleShares
from kinerja.satudata.package import CATALOG, DATAPACKAGE, export_year
from kinerja.satudata.spec import MS_IND, MS_VAR, _parse, load_spec, missing_metadata

from tests.conftest import collected_sample_year

SHAPES = PROJECT_ROOT / "include/kinerja/reference/standards/dcat-ap-3.0.1"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
BASE = "https://laporan.kota.example"


@pytest.fixture(scope="module", params=[2024, 2025])
def export(
    request: pytest.FixtureRequest, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A year's satu-data folder, exported as compile_reports does (links under a public URL)."""
    tahun = request.param
    root = tmp_path_factory.mktemp(f"sd{tahun}")
    _, engine, _ = collected_sample_year(catalog, root, 40 + tahun % 10, SampleShares(late=0.2), tahun=tahun)
    out = root / "satu-data"
    export_year(build_year(engine, catalog, tahun), catalog, load_spec(), out, f"{BASE}/{tahun}")
    engine.dispose()
    return out


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in ("shapes.ttl", "range.ttl", "shapes_recommended.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    return graph


def shacl(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, list[tuple[str, str, str]]]:
    """(conforms, [(severity, path, focus)]) of pyshacl's report."""
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    results = [
        (
            str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
            str(report.value(r, SH.resultPath)),
            str(report.value(r, SH.focusNode)),
        )
        for r in report.subjects(rdflib.RDF.type, SH.ValidationResult)
    ]
    return bool(conforms), results


def test_frictionless_validates_every_resource_of_the_year(export: Path) -> None:
    report = validate(export / DATAPACKAGE)
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:20]
    package = json.loads((export / DATAPACKAGE).read_text(encoding="utf-8"))
    assert len(report.tasks) == len(package["resources"]) > 10
    assert all(t.valid and t.stats["rows"] for t in report.tasks)


def test_frictionless_catches_a_broken_table(export: Path, tmp_path: Path) -> None:
    """The validator is not a formality: a key cell emptied in one CSV fails the package."""
    broken = tmp_path / "satu-data"
    broken.mkdir()
    for f in export.iterdir():
        broken.joinpath(f.name).write_bytes(f.read_bytes())
    victim = sorted(broken.glob("*spm-capaian-bidang.csv"))[0]
    lines = victim.read_text(encoding="utf-8").splitlines()
    lines[1] = "," + lines[1].split(",", 1)[1]  # kode_wilayah (part of the key) empty
    victim.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(broken / DATAPACKAGE, skip_errors=["hash-count", "byte-count"])
    assert not report.valid
    assert report.flatten(["fieldName", "type"]) == [["kode_wilayah", "constraint-error"]]
    assert [t.name for t in report.tasks if not t.valid] == [victim.stem]


def test_catalogue_conforms_to_dcat_ap_3(export: Path, shapes: rdflib.Graph) -> None:
    data = rdflib.Graph().parse(export / CATALOG, format="json-ld")
    conforms, results = shacl(data, shapes)
    violations = [r for r in results if r[0] == "Violation"]
    assert conforms and not violations, violations[:10]
    # only the recommended geometry (no bbox/centroid for a kota here) and a homepage are missing
    assert {r[1].rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in results} <= {"bbox", "centroid", "homepage"}
    package = json.loads((export / DATAPACKAGE).read_text(encoding="utf-8"))
    datasets = set(data.subjects(rdflib.RDF.type, DCAT.Dataset))
    assert len(datasets) == len(package["resources"])
    # every year's dataset sits in the series of its table, named the same every year
    for ds in datasets:
        (series,) = data.objects(ds, DCAT.inSeries)
        assert (series, rdflib.RDF.type, DCAT.DatasetSeries) in data
        assert str(series).startswith(f"{BASE}/seri/kota-medan-")
        (dist,) = data.objects(ds, DCAT.distribution)
        (url,) = data.objects(dist, DCAT.downloadURL)
        assert str(url).startswith(f"{BASE}/") and str(url).endswith(".csv")
        assert (export / str(url).rsplit("/", 1)[-1]).is_file()


def test_shacl_catches_a_catalogue_that_misses_mandatory_fields(export: Path, shapes: rdflib.Graph) -> None:
    data = rdflib.Graph().parse(export / CATALOG, format="json-ld")
    DCT = rdflib.Namespace("http://purl.org/dc/terms/")
    ds = next(data.subjects(rdflib.RDF.type, DCAT.Dataset))
    data.remove((ds, DCT.description, None))
    conforms, results = shacl(data, shapes)
    assert not conforms
    assert ("Violation", str(DCT.description), str(ds)) in results


def test_no_catalogue_claims_a_standard_it_fails(export: Path) -> None:
    """The Project Open Data 1.1 data.json (US federal fields bureauCode/programCode) is gone;
    the only claim left is DCAT-AP 3.0.1, checked above."""
    assert not (export / "data.json").exists()
    text = "".join(p.read_text(encoding="utf-8") for p in export.glob("*.json*"))
    assert "project-open-data" not in text
    catalogue = json.loads((export / CATALOG).read_text(encoding="utf-8"))
    head = next(n for n in catalogue["@graph"] if n["@type"] == "dcat:Catalog")
    assert head["dct:conformsTo"]["@id"] == "https://semiceu.github.io/DCAT-AP/releases/3.0.1/"


def test_bps_forms_are_complete_for_every_dataset_and_column(export: Path) -> None:
    sd = load_spec()
    assert missing_metadata(sd) == []
    package = json.loads((export / DATAPACKAGE).read_text(encoding="utf-8"))
    for res in package["resources"]:
        for f in MS_IND:
            assert res["kinerja"][f], (res["name"], f)
        for field in res["schema"]["fields"]:
            form = field["kinerja"]
            for f in (*MS_VAR, "nama_variabel", "alias", "tipe_data", "referensi_waktu", "akses"):
                assert form[f], (res["name"], field["name"], f)
            assert field["description"] == form["definisi"]


def test_an_incomplete_form_is_refused_with_what_is_missing(catalog: Catalog) -> None:
    raw = yaml.safe_load(catalogue_file(catalog.city, "satu_data.yaml").read_text(encoding="utf-8"))
    del raw["variabel"]["terlayani"]["definisi"]
    raw["dataset"][0]["interpretasi"] = ""
    raw["variabel"]["terlayani"]["definisi"] = " "
    with pytest.raises(ValueError) as refused:
        _parse(raw)
    text = str(refused.value)
    assert "metadata BPS belum lengkap" in text
    assert "spm-capaian-bidang: interpretasi" in text and "spm-capaian-jpd.terlayani: definisi" in text
    assert missing_metadata(replace(load_spec(), kegiatan="")) == ["kegiatan"]
