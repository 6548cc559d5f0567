"""The year's Satu Data export, built beside the reports and approved with them:

    <out>/satu-data/<dataset>.csv       one tidy table per dataset (and per PD when split)
    <out>/satu-data/datapackage.json    Frictionless Tabular Data Package: schema, keys, metadata
    <out>/satu-data/catalog.jsonld      DCAT-AP 3.0 catalogue (JSON-LD) for harvesters: the year's
                                        datasets, each in its dcat:DatasetSeries of all years

The sync (ckan.py) publishes exactly this folder from the *published* reports, so only what
the tim ahli approved reaches the portal. The privacy guard runs before anything is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kinerja.catalog.loader import Catalog
from kinerja.cells import csv_cell
from kinerja.reports.year import YearReport
from kinerja.satudata.privacy import guard
from kinerja.satudata.spec import DatasetSpec, Kolom, SatuDataSpec, slug
from kinerja.satudata.tidy import tidy_table

FOLDER = "satu-data"
DATAPACKAGE = "datapackage.json"
CATALOG = "catalog.jsonld"
FRICTIONLESS_TYPES = {"text": "string", "int": "integer", "numeric": "number"}
LICENSES = {
    "cc-by": (
        "CC-BY-4.0",
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "odc-by": ("ODC-By-1.0", "Open Data Commons Attribution", "https://opendatacommons.org/licenses/by/1-0/"),
}


@dataclass(frozen=True)
class Organisasi:
    name: str
    title: str
    email: str


@dataclass(frozen=True)
class Part:
    """One CKAN dataset's rows for the year: a dataset spec, maybe restricted to one PD."""

    name: str
    spec: DatasetSpec
    organisasi: Organisasi
    produsen: str
    kode_pd: str | None
    rows: list[dict[str, Any]]


def csv_bytes(spec: DatasetSpec, rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(spec.names)
    for row in rows:
        writer.writerow([csv_cell(row[k]) for k in spec.names])
    return buf.getvalue().encode("utf-8")


def _parts(report: YearReport, catalog: Catalog, sd: SatuDataSpec) -> list[Part]:
    kota = slug(catalog.nama)
    walidata = Organisasi(
        f"{kota}-{slug(sd.walidata.singkatan)}", f"{sd.walidata.nama} {catalog.nama}", sd.walidata.email
    )
    parts = []
    for spec in sd.datasets:
        table = tidy_table(spec, report)
        if sd.organisasi == "per_pd" and spec.per_pd:
            by_pd: dict[str, list[dict[str, Any]]] = {}
            for row in table.rows:
                by_pd.setdefault(str(row["kode_pd"]), []).append(row)
            for kode_pd, rows in sorted(by_pd.items()):
                pd = catalog.pd(kode_pd)
                nama = pd.nama if pd else kode_pd
                org = Organisasi(f"{kota}-{slug(kode_pd)}", f"{nama} {catalog.nama}", pd.email if pd else "")
                parts.append(Part(f"{kota}-{slug(kode_pd)}-{spec.nama}", spec, org, nama, kode_pd, rows))
        else:
            parts.append(Part(f"{kota}-{spec.nama}", spec, walidata, walidata.title, None, table.rows))
    return parts


def _metadata(part: Part, report: YearReport, sd: SatuDataSpec, catalog: Catalog) -> dict[str, Any]:
    """The BPS indicator form (Peraturan BPS 5/2020) and Satu Data fields of one dataset."""
    s = part.spec
    return {
        "dataset": s.nama,
        "judul": s.judul + (f" – {part.produsen}" if part.kode_pd else f" – {catalog.nama}"),
        "konsep": s.konsep,
        "definisi": s.definisi,
        "rumus": s.rumus,
        "ukuran": s.ukuran,
        "satuan": s.satuan,
        "klasifikasi": s.klasifikasi,
        "interpretasi": s.interpretasi,
        "komposit": s.komposit,
        "indikator_pembangun": list(s.indikator_pembangun),
        "variabel_pembangun": list(s.variabel_pembangun),
        "level_estimasi": s.level_estimasi,
        "kegiatan": sd.kegiatan,
        "periode_referensi": f"{sd.frekuensi}: 1 Januari–31 Desember tahun data",
        "frekuensi": sd.frekuensi,
        "akses": sd.akses,
        "produsen_data": part.produsen,
        "kode_pd": part.kode_pd or "",
        "walidata": f"{sd.walidata.nama} {catalog.nama}",
        "kode_wilayah": report.kode_wilayah,
        "nama_wilayah": report.kota,
        "lisensi": sd.lisensi,
        "tag": list(s.tag),
        "organisasi": {
            "name": part.organisasi.name,
            "title": part.organisasi.title,
            "email": part.organisasi.email,
        },
    }


def _field(k: Kolom, spec: DatasetSpec, sd: SatuDataSpec) -> dict[str, Any]:
    """A Table Schema field with its MS-Var (metadata variabel) form."""
    v = sd.variabel[k.name]  # complete: checked when satu_data.yaml is loaded
    out: dict[str, Any] = {
        "name": k.name,
        "type": FRICTIONLESS_TYPES[k.type],
        "title": k.label,
        "description": v.definisi,
        "kinerja": {
            "nama_variabel": k.name,
            "alias": k.label,
            "konsep": v.konsep,
            "definisi": v.definisi,
            "referensi_pemilihan": v.referensi_pemilihan,
            "referensi_waktu": f"{sd.frekuensi}: tahun data (kolom tahun)",
            "tipe_data": FRICTIONLESS_TYPES[k.type],
            "aturan_validasi": v.aturan_validasi,
            "kalimat_pertanyaan": v.kalimat_pertanyaan,
            "akses": sd.akses,
        },
    }
    if k.name in spec.kunci:
        out["constraints"] = {"required": True}
    return out


def export_year(
    report: YearReport, catalog: Catalog, sd: SatuDataSpec, out_dir: Path, base_url: str = ""
) -> list[Path]:
    """Write the year's Satu Data folder into `out_dir`; returns the files written.

    `base_url`: where the published folder is served, for catalog.jsonld's download links
    (relative links when empty)."""
    parts = _parts(report, catalog, sd)
    guard((p.name, p.spec.names, ([row[k] for k in p.spec.names] for row in p.rows)) for p in parts)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    resources = []
    for part in parts:
        data = csv_bytes(part.spec, part.rows)
        path = out_dir / f"{part.name}.csv"
        path.write_bytes(data)
        written.append(path)
        resources.append(
            {
                "name": part.name,
                "path": path.name,
                "profile": "tabular-data-resource",
                "title": _metadata(part, report, sd, catalog)["judul"],
                "description": part.spec.definisi,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "schema": {
                    "fields": [_field(k, part.spec, sd) for k in part.spec.kolom],
                    "primaryKey": list(part.spec.kunci),
                },
                "kinerja": _metadata(part, report, sd, catalog),
            }
        )
    lic_id, lic_title, lic_url = LICENSES.get(sd.lisensi, (sd.lisensi, sd.lisensi, ""))
    package = {
        "profile": "tabular-data-package",
        "name": f"{slug(catalog.nama)}-data-kinerja-{report.tahun}",
        "title": f"Data Kinerja {catalog.nama} Tahun {report.tahun} (SPM, LPPD, LKPJ)",
        "licenses": [{"name": lic_id, "title": lic_title, "path": lic_url}],
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "kinerja": {"tahun": report.tahun, "kode_wilayah": report.kode_wilayah, "kota": catalog.nama},
        "resources": resources,
    }
    (out_dir / DATAPACKAGE).write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / CATALOG).write_text(
        json.dumps(dcat_ap_catalog(package, base_url), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return [*written, out_dir / DATAPACKAGE, out_dir / CATALOG]


DCAT_AP = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/"
EU = "http://publications.europa.eu/resource/authority/"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcatap": "http://data.europa.eu/r5r/",
}


def _concept(iri: str, label: str) -> dict[str, Any]:
    """A term of a controlled vocabulary, with its official (English) label."""
    return {"@id": iri, "@type": "skos:Concept", "skos:prefLabel": {"@value": label, "@language": "en"}}


THEME = _concept(f"{EU}data-theme/GOVE", "Government and public sector")
"""EU data theme "Government and public sector": every dataset here is a government's own figures."""


def _text(value: str) -> dict[str, str]:
    return {"@value": value, "@language": "id"}


def _typed(value: Any, xsd: str) -> dict[str, Any]:
    return {"@value": value, "@type": f"xsd:{xsd}"}


def _agent(node_id: str, name: str) -> dict[str, Any]:
    return {
        "@id": node_id,
        "@type": ["foaf:Agent", "foaf:Organization"],
        "foaf:name": name,
        "dct:type": _concept("http://purl.org/adms/publishertype/LocalAuthority", "Local Authority"),
    }


def _contact(fn: str, email: str) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": ["vcard:Kind", "vcard:Organization"], "vcard:fn": fn}
    if email:
        node["vcard:hasEmail"] = {"@id": f"mailto:{email}"}
    return node


def dcat_ap_catalog(package: dict[str, Any], base_url: str = "") -> dict[str, Any]:
    """The package as a DCAT-AP 3.0 catalogue in JSON-LD (checked against the official SHACL
    shapes in the tests). One dcat:Dataset per table of the year, each `dcat:inSeries` of the
    dcat:DatasetSeries that gathers the same table across years (on CKAN: one dataset with a
    DataStore table of all years and a CSV per year).

    IRIs are relative to the catalogue file (published/<tahun>/satu-data/catalog.jsonld): the year's
    datasets are fragments of it, the series live in published/seri/; `base_url` (where the
    year's published folder is served) makes them absolute through @base."""
    meta = package["kinerja"]
    tahun = meta["tahun"]
    license_url = package["licenses"][0]["path"]
    modified = _typed(package["created"][:10], "date")
    frequency = {"@id": f"{EU}frequency/ANNUAL", "@type": "dct:Frequency"}
    license = {
        "@id": license_url,
        "@type": "dct:LicenseDocument",
        "dct:type": _concept(f"{EU}licence-type/ATTRIBUTION", "Attribution"),
    }
    spatial = {
        "@type": "dct:Location",
        "rdfs:label": _text(f"{meta['kota']} ({meta['kode_wilayah']}, kode wilayah Kemendagri)"),
    }
    nodes: list[dict[str, Any]] = []
    agents: dict[str, dict[str, Any]] = {}
    datasets, series_seen = [], set()
    for r in package["resources"]:
        k = r["kinerja"]
        agents[k["organisasi"]["name"]] = _agent(
            f"#organisasi-{k['organisasi']['name']}", k["organisasi"]["title"]
        )
        contact = _contact(k["produsen_data"], k["organisasi"]["email"])
        publisher = {"@id": f"#organisasi-{k['organisasi']['name']}"}
        series = f"../../seri/{r['name']}"
        if series not in series_seen:
            series_seen.add(series)
            nodes.append(
                {
                    "@id": series,
                    "@type": "dcat:DatasetSeries",
                    "dct:title": _text(k["judul"]),
                    "dct:description": _text(f"{k['definisi']} Satu dataset per tahun ({k['frekuensi']})."),
                    "dct:publisher": publisher,
                    "dcat:contactPoint": contact,
                    "dct:accrualPeriodicity": frequency,
                }
            )
        dataset_id = f"#{r['name']}"
        datasets.append({"@id": dataset_id})
        nodes.append(
            {
                "@id": dataset_id,
                "@type": "dcat:Dataset",
                "dct:identifier": f"{r['name']}-{tahun}",
                "dct:title": _text(f"{k['judul']} Tahun {tahun}"),
                "dct:description": _text(f"{k['definisi']} Rumus: {k['rumus']}"),
                "dcat:keyword": [_text(t) for t in k["tag"]],
                "dct:publisher": publisher,
                "dcat:contactPoint": contact,
                "dct:spatial": spatial,
                "dcat:theme": THEME,
                "dct:temporal": {
                    "@type": "dct:PeriodOfTime",
                    "dcat:startDate": _typed(f"{tahun}-01-01", "date"),
                    "dcat:endDate": _typed(f"{tahun}-12-31", "date"),
                },
                "dct:accrualPeriodicity": frequency,
                "dct:modified": modified,
                "dct:language": {"@id": f"{EU}language/IND", "@type": "dct:LinguisticSystem"},
                "dct:provenance": {
                    "@type": "dct:ProvenanceStatement",
                    "rdfs:label": _text(
                        f"Dihitung dari data yang diserahkan perangkat daerah untuk tahun {tahun} "
                        f"({k['kegiatan']}). Berkas sumber: `kinerja lineage --dataset {r['name']} "
                        f"--year {tahun}`."
                    ),
                },
                "dcat:inSeries": {"@id": series},
                "dcat:distribution": {
                    "@id": f"#{r['name']}-csv",
                    "@type": "dcat:Distribution",
                    "dct:title": _text(f"{k['judul']} {tahun} (CSV)"),
                    "dct:description": _text(
                        f"Tabel rapi {k['judul']} tahun {tahun}; skema di {DATAPACKAGE}."
                    ),
                    "dcatap:availability": _concept(f"{EU}planned-availability/STABLE", "Stable"),
                    "dcat:accessURL": {"@id": r["path"]},
                    "dcat:downloadURL": {"@id": r["path"]},
                    "dcat:mediaType": {
                        "@id": "https://www.iana.org/assignments/media-types/text/csv",
                        "@type": "dct:MediaType",
                    },
                    "dct:format": {"@id": f"{EU}file-type/CSV", "@type": "dct:MediaTypeOrExtent"},
                    "dct:license": license,
                    "dct:conformsTo": {"@id": DATAPACKAGE, "@type": "dct:Standard"},
                    "dcat:byteSize": _typed(r["bytes"], "nonNegativeInteger"),
                    "spdx:checksum": {
                        "@type": "spdx:Checksum",
                        "spdx:algorithm": {
                            "@id": "spdx:checksumAlgorithm_sha256",
                            "@type": "spdx:ChecksumAlgorithm",
                        },
                        "spdx:checksumValue": _typed(r["hash"].removeprefix("sha256:"), "hexBinary"),
                    },
                },
            }
        )
    walidata = package["resources"][0]["kinerja"]["walidata"] if package["resources"] else meta["kota"]
    catalog = {
        "@id": "",
        "@type": "dcat:Catalog",
        "dct:title": _text(package["title"]),
        "dct:description": _text(
            f"Data kinerja {meta['kota']} tahun {tahun} (SPM, LPPD, LKPJ) untuk Satu Data, "
            f"metadata menurut formulir MS-Ind/MS-Var BPS; profil DCAT-AP 3.0.1."
        ),
        "dct:publisher": {"@id": "#walidata"},
        "dct:language": {"@id": f"{EU}language/IND", "@type": "dct:LinguisticSystem"},
        "dct:license": license,
        "dct:issued": modified,
        "dct:modified": modified,
        "dct:spatial": spatial,
        "dcat:themeTaxonomy": {
            "@id": f"{EU}data-theme",
            "@type": "skos:ConceptScheme",
            "dct:title": {"@value": "Data theme", "@language": "en"},
        },
        "dct:conformsTo": {"@id": DCAT_AP, "@type": "dct:Standard"},
        "dcat:dataset": datasets,
    }
    context: dict[str, Any] = dict(CONTEXT)
    if base_url:
        context["@base"] = f"{base_url.rstrip('/')}/{FOLDER}/{CATALOG}"
    return {"@context": context, "@graph": [catalog, _agent("#walidata", walidata), *agents.values(), *nodes]}


def read_package(folder: Path) -> dict[str, Any]:
    """The exported package of a published year, or a clear error when there is none."""
    path = folder / DATAPACKAGE
    if not path.is_file():
        raise FileNotFoundError(
            f"belum ada ekspor Satu Data yang disetujui di {folder}: terbitkan laporan tahun itu dulu"
        )
    package: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return package
