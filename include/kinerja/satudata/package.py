"""The year's Satu Data export, built beside the reports and approved with them:

    <out>/satu-data/<dataset>.csv       one tidy table per dataset (and per PD when split)
    <out>/satu-data/datapackage.json    Frictionless Tabular Data Package: schema, keys, metadata
    <out>/satu-data/data.json           DCAT (Project Open Data 1.1) catalogue for harvesters

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
from kinerja.publish.bundle import csv_cell
from kinerja.reports.marts import YearReport
from kinerja.satudata.privacy import guard
from kinerja.satudata.spec import DatasetSpec, SatuDataSpec, slug
from kinerja.satudata.tidy import tidy_table

FOLDER = "satu-data"
DATAPACKAGE = "datapackage.json"
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


def export_year(
    report: YearReport, catalog: Catalog, sd: SatuDataSpec, out_dir: Path, base_url: str = ""
) -> list[Path]:
    """Write the year's Satu Data folder into `out_dir`; returns the files written.

    `base_url`: where the published folder is served, for data.json's download links
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
                    "fields": [
                        {"name": k.name, "type": FRICTIONLESS_TYPES[k.type], "title": k.label}
                        for k in part.spec.kolom
                    ],
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
    (out_dir / "data.json").write_text(
        json.dumps(dcat_catalog(package, base_url), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return [*written, out_dir / DATAPACKAGE, out_dir / "data.json"]


def dcat_catalog(package: dict[str, Any], base_url: str = "") -> dict[str, Any]:
    """A Project Open Data 1.1 (DCAT) catalogue of the package's datasets."""
    tahun = package["kinerja"]["tahun"]
    license_url = package["licenses"][0]["path"]
    base = base_url.rstrip("/") + "/" if base_url else ""
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "dataset": [
            {
                "@type": "dcat:Dataset",
                "identifier": r["name"],
                "title": r["title"],
                "description": f"{r['kinerja']['definisi']} Rumus: {r['kinerja']['rumus']}",
                "keyword": r["kinerja"]["tag"],
                "modified": package["created"][:10],
                "publisher": {"@type": "org:Organization", "name": r["kinerja"]["organisasi"]["title"]},
                "contactPoint": {
                    "@type": "vcard:Contact",
                    "fn": r["kinerja"]["produsen_data"],
                    "hasEmail": "mailto:" + r["kinerja"]["organisasi"]["email"],
                },
                "accessLevel": "public",
                "license": license_url,
                "spatial": r["kinerja"]["kode_wilayah"],
                "temporal": f"{tahun}-01-01/{tahun}-12-31",
                "accrualPeriodicity": "R/P1Y",
                "distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "title": f"{r['title']} {tahun} (CSV)",
                        "downloadURL": f"{base}{FOLDER}/{r['path']}",
                        "mediaType": "text/csv",
                        "format": "CSV",
                        "describedBy": f"{base}{FOLDER}/{DATAPACKAGE}",
                    }
                ],
            }
            for r in package["resources"]
        ],
    }


def read_package(folder: Path) -> dict[str, Any]:
    """The exported package of a published year, or a clear error when there is none."""
    path = folder / DATAPACKAGE
    if not path.is_file():
        raise FileNotFoundError(
            f"belum ada ekspor Satu Data yang disetujui di {folder}: terbitkan laporan tahun itu dulu"
        )
    package: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return package
