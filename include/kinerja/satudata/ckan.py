"""Publish an approved year's Satu Data export to a CKAN portal through the Action API.

Per dataset of the export (datapackage.json): its organisation, the dataset with the BPS
indicator form as fields and extras, one DataStore table of all years (primary key includes
`tahun`: a year's rows are upserted, its stale rows deleted, other years stay) and one CSV
resource per year.

Idempotent and resumable: every write carries a content hash (dataset metadata, each year's
DataStore rows, each CSV) and the plan compares hashes with what the portal holds, so a re-run
with nothing new writes nothing, a changed year is updated in place, and a run that failed half
way continues where it stopped. The DataStore hash is written only after its rows are in.
Timeouts, dropped connections and 5xx answers are retried with backoff; 4xx answers never are.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests
from ckanapi import CKANAPIError, NotAuthorized, NotFound, RemoteCKAN, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from kinerja.satudata.package import read_package
from kinerja.satudata.privacy import guard

DATASTORE = "datastore"
UPSERT_CHUNK = 1000
RETRY_STATUS = (500, 502, 503, 504)


class SyncError(RuntimeError):
    """The portal refused or failed; `steps` were done before it (a re-run continues)."""

    def __init__(self, message: str, steps: list[Step]) -> None:
        super().__init__(message)
        self.steps = steps


@dataclass
class Step:
    target: str
    """organisasi | dataset | datastore | csv"""
    name: str
    op: str
    """create | update | unchanged"""
    tahun: int | None = None
    done: bool = False

    def __str__(self) -> str:
        year = f" {self.tahun}" if self.tahun else ""
        return f"{self.op:<9} {self.target:<10} {self.name}{year}"


@dataclass
class SyncResult:
    tahun: int
    portal: str
    dry_run: bool
    steps: list[Step] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "unchanged": 0}
        for s in self.steps:
            out[s.op] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "tahun": self.tahun,
            "portal": self.portal,
            "dry_run": self.dry_run,
            "jumlah": self.counts(),
            "langkah": [asdict(s) for s in self.steps],
        }


def portal_client(url: str, api_token: str | None, timeout: float = 30, retries: int = 5) -> RemoteCKAN:
    """A ckanapi client whose HTTP session retries timeouts, dropped connections and 5xx with
    exponential backoff (honouring Retry-After), on every method: our writes are idempotent."""
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=0.5,
        status_forcelist=RETRY_STATUS,
        allowed_methods=None,
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    client = RemoteCKAN(url.rstrip("/"), apikey=api_token, session=session, user_agent="laporan-kinerja")
    client.kinerja_timeout = timeout
    return client


def _sha(value: bytes | str) -> str:
    return hashlib.sha256(value.encode() if isinstance(value, str) else value).hexdigest()


def dataset_dict(resource: dict[str, Any], package: dict[str, Any]) -> dict[str, Any]:
    """The CKAN dataset of one exported table: core fields plus the indicator form as extras."""
    k = resource["kinerja"]
    extras = {
        # the BPS indicator form (MS-Ind); the column forms (MS-Var) are in the DataStore dictionary
        "konsep": k["konsep"],
        "definisi": k["definisi"],
        "interpretasi": k["interpretasi"],
        "rumus": k["rumus"],
        "ukuran": k["ukuran"],
        "satuan": k["satuan"],
        "klasifikasi": k["klasifikasi"],
        "komposit": k["komposit"],
        "indikator_pembangun": ", ".join(k["indikator_pembangun"]),
        "variabel_pembangun": ", ".join(k["variabel_pembangun"]),
        "level_estimasi": k["level_estimasi"],
        "kegiatan": k["kegiatan"],
        "periode_referensi": k["periode_referensi"],
        "frekuensi": k["frekuensi"],
        "akses": k["akses"],
        "produsen_data": k["produsen_data"],
        "kode_pd": k["kode_pd"],
        "walidata": k["walidata"],
        "kode_wilayah": k["kode_wilayah"],
        "nama_wilayah": k["nama_wilayah"],
        "kolom": json.dumps(resource["schema"], ensure_ascii=False),
        # ckanext-dcat's names (euro_dcat_ap profiles read these extras into DCAT-AP); the CKAN
        # dataset holds every year, so it is the series and carries no single year's period
        "identifier": resource["name"],
        "publisher_name": k["organisasi"]["title"],
        "publisher_email": k["organisasi"]["email"],
        "contact_name": k["produsen_data"],
        "contact_email": k["organisasi"]["email"],
        "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
        "language": json.dumps(["http://publications.europa.eu/resource/authority/language/IND"]),
        "spatial_text": f"{k['nama_wilayah']} ({k['kode_wilayah']})",
        "access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
        "provenance": f"Dihitung dari data yang diserahkan perangkat daerah ({k['kegiatan']}); "
        f"berkas sumber: kinerja lineage --dataset {resource['name']} --year <tahun>",
    }
    data = {
        "name": resource["name"],
        "title": k["judul"],
        "notes": f"{k['definisi']}\n\nRumus: {k['rumus']}\n\nSatuan: {k['satuan']}. Ukuran: {k['ukuran']}.",
        "owner_org": k["organisasi"]["name"],
        "license_id": k["lisensi"],
        "tags": [{"name": t} for t in k["tag"]],
        "maintainer": k["produsen_data"],
        "maintainer_email": k["organisasi"]["email"],
        "author": k["walidata"],
        "private": False,
    }
    digest = _sha(json.dumps([data, extras], sort_keys=True, ensure_ascii=False))
    data["extras"] = [{"key": key, "value": v} for key, v in extras.items()] + [
        {"key": "kinerja_metadata_sha256", "value": digest}
    ]
    return data


def _extra(pkg: dict[str, Any], key: str) -> str | None:
    return next((e["value"] for e in pkg.get("extras", []) if e["key"] == key), None)


def _reactivate(pkg: dict[str, Any]) -> dict[str, str]:
    return {} if pkg.get("state") == "active" else {"state": "active"}


def _records(resource: dict[str, Any], data: bytes) -> list[dict[str, Any]]:
    types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    rows = csv.DictReader(io.StringIO(data.decode("utf-8")))
    return [{k: (v if v != "" or types[k] == "string" else None) for k, v in row.items()} for row in rows]


def _datastore_fields(resource: dict[str, Any]) -> list[dict[str, Any]]:
    ckan_type = {"string": "text", "integer": "int", "number": "numeric"}
    # DataStore data dictionary: label and notes (the column's MS-Var definition)
    return [
        {
            "id": f["name"],
            "type": ckan_type[f["type"]],
            "info": {"label": f["title"], "notes": f.get("description", "")},
        }
        for f in resource["schema"]["fields"]
    ]


class _Sync:
    def __init__(
        self, ckan: RemoteCKAN | None, folder: Path, package: dict[str, Any], result: SyncResult
    ) -> None:
        self.ckan, self.folder, self.package, self.result = ckan, folder, package, result
        self.tahun = int(package["kinerja"]["tahun"])
        self.orgs_seen: set[str] = set()

    def call(self, action: str, **data: Any) -> Any:
        assert self.ckan is not None
        timeout = getattr(self.ckan, "kinerja_timeout", 30)
        files = {k: data.pop(k) for k in [k for k, v in data.items() if isinstance(v, tuple)]}
        return self.ckan.call_action(action, data, files=files or None, requests_kwargs={"timeout": timeout})

    def show(self, action: str, name: str) -> dict[str, Any] | None:
        if self.ckan is None:  # a dry run with no portal: everything would be created
            return None
        try:
            found: dict[str, Any] = self.call(action, id=name)
        except NotFound:
            return None
        return found

    def step(
        self, target: str, name: str, op: str, write: Callable[[], Any] | None, tahun: int | None = None
    ) -> None:
        s = Step(target, name, op, tahun)
        self.result.steps.append(s)
        if op != "unchanged" and not self.result.dry_run and write is not None:
            write()
            s.done = True

    def organisation(self, org: dict[str, str]) -> None:
        if org["name"] in self.orgs_seen:
            return
        self.orgs_seen.add(org["name"])
        if self.show("organization_show", org["name"]) is not None:
            self.step("organisasi", org["name"], "unchanged", None)
            return
        self.step(
            "organisasi",
            org["name"],
            "create",
            lambda: self.call("organization_create", name=org["name"], title=org["title"]),
        )

    def dataset(self, resource: dict[str, Any]) -> None:
        data = self.folder.joinpath(resource["path"]).read_bytes()
        if "sha256:" + _sha(data) != resource["hash"]:
            raise ValueError(f"{resource['path']}: isi berkas tidak sama dengan datapackage.json (diubah?)")
        want = dataset_dict(resource, self.package)
        self.organisation(resource["kinerja"]["organisasi"])
        pkg = self.show("package_show", want["name"])
        if pkg is None:
            self.step("dataset", want["name"], "create", lambda: self.call("package_create", **want))
        elif _extra(pkg, "kinerja_metadata_sha256") == _extra(want, "kinerja_metadata_sha256") and (
            pkg.get("state") == "active"
        ):
            self.step("dataset", want["name"], "unchanged", None)
        else:  # changed metadata, or deleted on the portal by hand: bring it back as exported
            self.step(
                "dataset",
                want["name"],
                "update",
                lambda: self.call("package_patch", id=pkg["id"], **want, **_reactivate(pkg)),
            )
        if self.result.dry_run or (pkg is not None and self.result.steps[-1].op == "unchanged"):
            resources = (pkg or {}).get("resources", [])
        else:
            resources = self.call("package_show", id=want["name"])["resources"]
        self.datastore(resource, want, resources, data)
        self.csv(resource, want, resources, data)

    def datastore(
        self, resource: dict[str, Any], want: dict[str, Any], resources: list[Any], data: bytes
    ) -> None:
        key = f"kinerja_sha256_{self.tahun}"
        found = [r for r in resources if r.get("kinerja_role") == DATASTORE]
        digest = _sha(data)
        if found and found[0].get(key) == digest:
            self.step("datastore", want["name"], "unchanged", None, self.tahun)
            return

        def write() -> None:
            if found:
                rid = found[0]["id"]
            else:
                created = self.call(
                    "datastore_create",
                    resource={
                        "package_id": want["name"],
                        "name": f"{want['title']} (semua tahun)",
                        "description": "Tabel DataStore: semua tahun, kunci "
                        + ", ".join(resource["schema"]["primaryKey"]),
                        "kinerja_role": DATASTORE,
                    },
                    fields=_datastore_fields(resource),
                    primary_key=resource["schema"]["primaryKey"],
                )
                rid = created["resource_id"]
            self.replace_year(rid, resource, _records(resource, data))
            self.call("resource_patch", id=rid, **{key: digest})

        self.step("datastore", want["name"], "update" if found else "create", write, self.tahun)

    def replace_year(self, rid: str, resource: dict[str, Any], records: list[dict[str, Any]]) -> None:
        """Upsert the year's rows, then delete the year's rows that are no longer there."""
        kunci = resource["schema"]["primaryKey"]
        for i in range(0, len(records), UPSERT_CHUNK):
            self.call(
                "datastore_upsert",
                resource_id=rid,
                records=records[i : i + UPSERT_CHUNK],
                method="upsert",
                force=True,
            )
        wanted = {tuple(str(r[k]) for k in kunci) for r in records}
        offset, stale = 0, []
        while True:
            page = self.call(
                "datastore_search",
                resource_id=rid,
                filters={"tahun": self.tahun},
                fields=kunci,
                limit=10000,
                offset=offset,
            )
            stale += [r for r in page["records"] if tuple(str(r[k]) for k in kunci) not in wanted]
            offset += len(page["records"])
            if not page["records"] or offset >= page.get("total", offset):
                break
        for r in stale:
            self.call("datastore_delete", resource_id=rid, filters={k: r[k] for k in kunci}, force=True)

    def csv(self, resource: dict[str, Any], want: dict[str, Any], resources: list[Any], data: bytes) -> None:
        role = f"csv-{self.tahun}"
        found = [r for r in resources if r.get("kinerja_role") == role]
        digest = _sha(data)
        if found and found[0].get("kinerja_sha256") == digest:
            self.step("csv", want["name"], "unchanged", None, self.tahun)
            return
        fields = {
            "name": f"{want['title']} {self.tahun} (CSV)",
            "format": "CSV",
            "mimetype": "text/csv",
            "kinerja_role": role,
            "kinerja_sha256": digest,
            "upload": (resource["path"], io.BytesIO(data)),
        }
        if found:
            self.step(
                "csv",
                want["name"],
                "update",
                lambda: self.call("resource_update", id=found[0]["id"], **fields),
                self.tahun,
            )
        else:
            self.step(
                "csv",
                want["name"],
                "create",
                lambda: self.call("resource_create", package_id=want["name"], **fields),
                self.tahun,
            )


def sync_year(ckan: RemoteCKAN | None, folder: Path, dry_run: bool = False) -> SyncResult:
    """Publish (or with `dry_run` only plan) the export in `folder` (a published satu-data folder).

    With no portal (`ckan` None) only a dry run is possible: every step is planned as create."""
    if ckan is None and not dry_run:
        raise ValueError("alamat portal Satu Data belum diatur")
    package = read_package(folder)
    result = SyncResult(int(package["kinerja"]["tahun"]), ckan.address if ckan else "", dry_run)
    tables = []
    for r in package["resources"]:
        rows = list(csv.reader(io.StringIO(folder.joinpath(r["path"]).read_text(encoding="utf-8"))))
        tables.append((r["name"], rows[0], rows[1:]))
    guard(tables)  # before any request: nothing personal is ever sent
    sync = _Sync(ckan, folder, package, result)
    try:
        for resource in package["resources"]:
            sync.dataset(resource)
    except NotAuthorized as exc:
        raise SyncError(f"portal menolak: token API tidak berhak ({exc})", result.steps) from exc
    except ValidationError as exc:
        raise SyncError(f"portal menolak data: {exc}", result.steps) from exc
    except (CKANAPIError, requests.RequestException) as exc:
        raise SyncError(
            f"portal tidak dapat dihubungi atau bermasalah, coba lagi nanti: {exc}", result.steps
        ) from exc
    return result
