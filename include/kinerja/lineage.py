"""Lineage of the published Satu Data: every row of every published dataset → the facts it
aggregates → the submission version (agency file: drive, path, version, checksum, received, PD).

    build (compile_reports, read-only)   trace_export(): satu-data/sumber.json beside the tables,
                                         from the facts the build itself read
    publication (publish_year_reports)   record_sources(): the approved build's sumber.json into
                                         `satu_data_sumber`, replacing the year's earlier one
    `kinerja lineage`                    lineage(): answered from the warehouse alone

Tracing happens at build time because a later version of a file replaces its facts: what was
published must name the versions it was computed from, not today's. sumber.json holds only
submission ids, table names and codes already in the published rows: nothing personal.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from kinerja.catalog.loader import Catalog
from kinerja.satudata.package import read_package
from kinerja.warehouse.models import FACT_TABLES, satu_data_sumber, submission, submission_current

SUMBER = "sumber.json"
MANIFEST = "submission"
"""`tabel` of a row computed from the manifest itself (timeliness), not from facts."""
CATALOGUE = "ref_perangkat_daerah"
"""`tabel` of a row with no agency file behind it (a PD that handed in nothing)."""

Cocok = dict[str, list[str]]


@dataclass(frozen=True)
class Source:
    """The rows of `tabel` whose columns take one of the listed values."""

    tabel: str
    cocok: Cocok


def _mutu_codes(catalog: Catalog, jpd: Iterable[str]) -> list[str]:
    wanted = set(jpd)
    return sorted(m.kode for j in catalog.jpd if j.kode_jpd in wanted for m in j.mutu)


def _spm(catalog: Catalog, jpd: list[str]) -> list[Source]:
    return [
        Source("fact_spm_penerima", {"kode_jpd": jpd}),
        Source("fact_spm_mutu", {"kode_indikator": _mutu_codes(catalog, jpd)}),
    ]


def row_sources(dataset: str, row: dict[str, str], catalog: Catalog) -> list[Source]:
    """The facts one published row is computed from (`dataset`: the satu_data.yaml name)."""
    match dataset:
        case "spm-capaian-bidang":
            bidang = row["kode_bidang"]
            return _spm(catalog, [j.kode_jpd for j in catalog.jpd if bidang in ("DAERAH", j.bidang)])
        case "spm-capaian-jpd":
            return _spm(catalog, [row["kode_jpd"]])
        case "spm-penerima-kecamatan":
            cocok = {"kode_jpd": [row["kode_jpd"]], "kode_wilayah": [row["kode_wilayah"]]}
            return [Source("fact_spm_penerima", cocok)]
        case "spm-mutu":
            return [Source("fact_spm_mutu", {"kode_indikator": [row["kode_indikator"]]})]
        case "lppd-capaian-ikk":
            return [Source("fact_lppd_ikk", {"kode_ikk": [row["kode_ikk"]]})]
        case "lppd-capaian-ikk-pd":
            return [Source("fact_lppd_ikk", {"kode_ikk": [row["kode_ikk"]], "kode_pd": [row["kode_pd"]]})]
        case "lkpj-kinerja-program":
            keys = ("kode_pd", "kode", "jenis_indikator", "indikator")
            return [Source("fact_lkpj_kinerja", {k: [row[k]] for k in keys})]
        case "ketepatan-pengumpulan-data":
            return [Source(MANIFEST, {"kode_pd": [row["kode_pd"]]})]
    raise KeyError(f"dataset {dataset!r} tidak punya aturan lineage (kinerja/lineage.py)")


class _Facts:
    """The year's loaded facts (current versions) and its manifest, as strings, for matching."""

    def __init__(self, engine: Engine, tahun: int) -> None:
        self.engine, self.tahun = engine, tahun
        self.tables: dict[str, list[tuple[int | None, dict[str, str]]]] = {}

    def rows(self, tabel: str) -> list[tuple[int | None, dict[str, str]]]:
        if tabel not in self.tables:
            if tabel == MANIFEST:
                t = submission
                query = select(t.c.id.label("submission_id"), t.c.kode_pd).where(t.c.tahun == self.tahun)
            else:
                t = FACT_TABLES[tabel]
                current = select(submission_current.c.submission_id).where(
                    submission_current.c.tahun == self.tahun
                )
                query = select(t).where(t.c.tahun == self.tahun, t.c.submission_id.in_(current))
            with self.engine.connect() as conn:
                self.tables[tabel] = [
                    (r["submission_id"], {k: "" if v is None else str(v) for k, v in r.items()})
                    for r in conn.execute(query).mappings()
                ]
        return self.tables[tabel]

    def match(self, source: Source) -> dict[int | None, int]:
        """submission id → number of matching rows."""
        wanted = {k: set(v) for k, v in source.cocok.items()}
        found: dict[int | None, int] = defaultdict(int)
        for sid, values in self.rows(source.tabel):
            if all(values[k] in v for k, v in wanted.items()):
                found[sid] += 1
        return dict(found)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def trace_export(engine: Engine, catalog: Catalog, folder: Path) -> Path:
    """Write `folder/sumber.json`: for every row of every exported table, the facts and the
    submission versions it aggregates. A row no fact matches is an error (nothing untraceable
    is published), except a timeliness row of a PD that handed in nothing (catalogue only)."""
    package = read_package(folder)
    tahun = int(package["kinerja"]["tahun"])
    facts = _Facts(engine, tahun)
    out = []
    for res in package["resources"]:
        dataset = res["kinerja"]["dataset"]
        kunci = res["schema"]["primaryKey"]
        for row in _csv_rows(folder / res["path"]):
            links = []
            for source in row_sources(dataset, row, catalog):
                for sid, n in sorted(facts.match(source).items(), key=lambda x: x[0] or 0):
                    links.append(
                        {"tabel": source.tabel, "cocok": source.cocok, "submission_id": sid, "n_baris": n}
                    )
            if not links and dataset == "ketepatan-pengumpulan-data":
                cocok = {"kode_pd": [row["kode_pd"]]}
                links.append({"tabel": CATALOGUE, "cocok": cocok, "submission_id": None, "n_baris": 1})
            if not links:
                raise ValueError(
                    f"{res['name']}: baris {dict((k, row[k]) for k in kunci)} tanpa fakta sumber"
                )
            out.append({"dataset": res["name"], "kunci": {k: row[k] for k in kunci}, "sumber": links})
    path = folder / SUMBER
    path.write_text(json.dumps({"tahun": tahun, "baris": out}, ensure_ascii=False), encoding="utf-8")
    return path


def record_sources(engine: Engine, folder: Path, run_id: str) -> int:
    """Store the lineage of a just published Satu Data folder (replacing the year's earlier one);
    returns the links. Outputs with no Satu Data export at all have nothing to record."""
    if not folder.is_dir():
        return 0
    data = json.loads((folder / SUMBER).read_text(encoding="utf-8"))
    tahun = int(data["tahun"])
    records = [
        {
            "tahun": tahun,
            "dataset": row["dataset"],
            "kunci": json.dumps(row["kunci"], ensure_ascii=False, sort_keys=True),
            "tabel": link["tabel"],
            "cocok": json.dumps(link["cocok"], ensure_ascii=False, sort_keys=True),
            "submission_id": link["submission_id"],
            "n_baris": link["n_baris"],
            "run_id": run_id,
        }
        for row in data["baris"]
        for link in row["sumber"]
    ]
    with engine.begin() as conn:  # the year's lineage is replaced whole, never half
        conn.execute(delete(satu_data_sumber).where(satu_data_sumber.c.tahun == tahun))
        for i in range(0, len(records), 5000):
            conn.execute(insert(satu_data_sumber), records[i : i + 5000])
    return len(records)


def datasets(engine: Engine, tahun: int) -> list[str]:
    """The published datasets of `tahun` that have a recorded lineage."""
    t = satu_data_sumber
    with engine.connect() as conn:
        return list(
            conn.scalars(select(t.c.dataset).where(t.c.tahun == tahun).distinct().order_by(t.c.dataset))
        )


def lineage(engine: Engine, dataset: str, tahun: int) -> dict[str, Any]:
    """Which agency files (path, version, checksum, received, PD) a published dataset of `tahun`
    came from, per file the tables and how many of the dataset's rows draw on it; and per row
    its sources. Raises LookupError when the dataset was not published that year."""
    t, s = satu_data_sumber, submission
    query = (
        select(t, s.c.drive, s.c.path, s.c.version, s.c.sha256, s.c.received_at, s.c.kode_pd)
        .add_columns(s.c.laporan, s.c.archive_key, s.c.status)
        .outerjoin(s, s.c.id == t.c.submission_id)
        .where(t.c.tahun == tahun, t.c.dataset == dataset)
        .order_by(t.c.id)
    )
    with engine.connect() as conn:
        links = list(conn.execute(query).mappings())
    if not links:
        known = datasets(engine, tahun)
        hint = f"; dataset tahun {tahun}: {', '.join(known)}" if known else ""
        raise LookupError(f"dataset {dataset!r} tahun {tahun} belum pernah diterbitkan (disetujui){hint}")
    files: dict[int, dict[str, Any]] = {}
    rows: dict[str, dict[str, Any]] = {}
    for link in links:
        row = rows.setdefault(link["kunci"], {"kunci": json.loads(link["kunci"]), "sumber": []})
        row["sumber"].append(
            {
                "tabel": link["tabel"],
                "cocok": json.loads(link["cocok"]),
                "submission_id": link["submission_id"],
                "n_baris": link["n_baris"],
            }
        )
        sid = link["submission_id"]
        if sid is None:
            continue
        f = files.setdefault(
            sid,
            {
                "submission_id": sid,
                "kode_pd": link["kode_pd"],
                "laporan": link["laporan"],
                "drive": link["drive"],
                "path": link["path"],
                "version": link["version"],
                "sha256": link["sha256"],
                "received_at": link["received_at"].isoformat() if link["received_at"] else None,
                "archive_key": link["archive_key"],
                "status": link["status"],
                "tabel": set(),
                "baris_dataset": set(),
            },
        )
        f["tabel"].add(link["tabel"])
        f["baris_dataset"].add(link["kunci"])
    berkas = [
        {**f, "tabel": sorted(f["tabel"]), "baris_dataset": len(f["baris_dataset"])}
        for f in sorted(files.values(), key=lambda f: (f["kode_pd"], f["path"], f["version"]))
    ]
    return {
        "tahun": tahun,
        "dataset": dataset,
        "run_id": links[0]["run_id"],
        "jumlah_baris": len(rows),
        "berkas": berkas,
        "baris": list(rows.values()),
    }


def lineage_lines(result: dict[str, Any]) -> list[str]:
    """The text form of `lineage()` for the terminal."""
    lines = [
        f"Dataset {result['dataset']} tahun {result['tahun']}: {result['jumlah_baris']} baris, "
        f"{len(result['berkas'])} berkas sumber (persetujuan {result['run_id']})",
        "",
    ]
    for f in result["berkas"]:
        lines.append(
            f"{f['kode_pd']:<14} {f['laporan'] or '-':<5} v{f['version']:<3} {f['drive']}  {f['path']}\n"
            f"{'':<14} sha256 {f['sha256']}  diterima {f['received_at']}  "
            f"→ {', '.join(f['tabel'])} ({f['baris_dataset']} baris dataset)"
        )
    return lines


# --- OpenLineage dataset names (the DAGs hand them to the OpenLineage provider) ---------------
# (namespace, name) pairs following the OpenLineage naming conventions: a local file is
# ("file", absolute path), a drive share (smb://host:port, share/root/path), a warehouse table
# ("postgres://host:port", "db.schema.table"), a CKAN dataset (portal URL, dataset name).
Dataset = tuple[str, str]


def file_dataset(path: Path) -> Dataset:
    return ("file", str(Path(path).resolve()))


def drive_dataset(drive: Any, path: str) -> Dataset:
    """A file on a drive (sources/): its URL-like name, never with user or password."""
    from urllib.parse import urlsplit

    root = getattr(drive, "root", None)
    if isinstance(root, Path):  # a local or mounted folder
        return file_dataset(root / path)
    parts = urlsplit(str(drive.name))  # smb://host:445/share[/root], sftp://host:22/root
    return (f"{parts.scheme}://{parts.netloc}", "/".join(p for p in (parts.path.strip("/"), path) if p))


def warehouse_dataset(url: str, table: str) -> Dataset:
    """`url`: the warehouse's SQLAlchemy URL (the task's `engine.url`); only host, port and
    database make the name, so the loader's and the reader's logins name the same tables."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "postgresql":
        return (f"postgres://{u.host or 'localhost'}:{u.port or 5432}", f"{u.database}.public.{table}")
    return (f"{u.get_backend_name()}://{Path(u.database or '').resolve()}", f"main.{table}")


def ckan_dataset(portal_url: str, name: str) -> Dataset:
    return (portal_url.rstrip("/"), name)


def collect_datasets(
    outcomes: Iterable[dict[str, Any]], drive: Any, warehouse_url: str
) -> tuple[list[Dataset], list[Dataset]]:
    """A collection batch: the drive files it processed → the warehouse tables it wrote.
    `outcomes`: the batch's hand-over (`kinerja.pipeline.FileResult.to_json()`)."""
    from kinerja.schema.model import TEMPLATES

    done = [o for o in outcomes if o["status"] in ("loaded", "rejected")]
    tables = ["submission", "submission_issue", "submission_current"] if done else []
    for report in sorted({o["report"] for o in done if o["status"] == "loaded" and o["report"]}):
        tables += [s.table for s in TEMPLATES[report].sheets]
    inputs = [drive_dataset(drive, o["path"]) for o in done]
    return inputs, [warehouse_dataset(warehouse_url, t) for t in tables]


def build_datasets(warehouse_url: str, folder: Path) -> tuple[list[Dataset], list[Dataset]]:
    """A report build: the warehouse tables its published rows aggregate → the Satu Data files."""
    data = json.loads((folder / SUMBER).read_text(encoding="utf-8"))
    tables = sorted({s["tabel"] for row in data["baris"] for s in row["sumber"]})
    outputs = [file_dataset(folder / r["path"]) for r in read_package(folder)["resources"]]
    return [warehouse_dataset(warehouse_url, t) for t in tables], outputs


def publish_datasets(staging: Path, published: Path) -> tuple[list[Dataset], list[Dataset]]:
    """The approved Satu Data files, staging → published."""
    from kinerja.satudata.package import FOLDER

    paths = [r["path"] for r in read_package(published / FOLDER)["resources"]]
    return (
        [file_dataset(staging / FOLDER / p) for p in paths],
        [file_dataset(published / FOLDER / p) for p in paths],
    )


def sync_datasets(folder: Path, portal_url: str) -> tuple[list[Dataset], list[Dataset]]:
    """The Satu Data sync: each published file → the CKAN dataset holding its rows."""
    resources = read_package(folder)["resources"]
    return (
        [file_dataset(folder / r["path"]) for r in resources],
        [ckan_dataset(portal_url, r["name"]) for r in resources],
    )
