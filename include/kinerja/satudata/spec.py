"""What is published to Satu Data: the datasets of `reference/satu_data.yaml` (a kota may keep its
own copy in its folder), their columns, keys and metadata, and who publishes them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kinerja.catalog.loader import catalogue_file

TYPES = ("text", "int", "numeric")
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """CKAN-safe name part: lowercase letters, digits and '-'."""
    return _SLUG.sub("-", text.lower()).strip("-")


@dataclass(frozen=True)
class Kolom:
    name: str
    type: str
    label: str


@dataclass(frozen=True)
class DatasetSpec:
    nama: str
    judul: str
    konsep: str
    definisi: str
    rumus: str
    ukuran: str
    satuan: str
    klasifikasi: str
    tag: tuple[str, ...]
    kolom: tuple[Kolom, ...]
    kunci: tuple[str, ...]
    interpretasi: str = ""
    komposit: str = ""
    """MS-Ind "apakah indikator komposit": ya | tidak."""
    indikator_pembangun: tuple[str, ...] = ()
    """Datasets (of this file) whose figures this one is built from."""
    variabel_pembangun: tuple[str, ...] = ()
    """Columns holding the figures (the MS-Ind variables)."""
    level_estimasi: str = ""
    produsen: str = "pd"
    """`pd`: split per PD on kode_pd when the portal has an organisation per PD; `walidata`: never."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kolom)

    @property
    def per_pd(self) -> bool:
        return self.produsen == "pd" and "kode_pd" in self.names


@dataclass(frozen=True)
class Variabel:
    """MS-Var (metadata variabel, Peraturan BPS 5/2020) of one column name, shared by datasets."""

    konsep: str
    definisi: str
    referensi_pemilihan: str
    aturan_validasi: str
    kalimat_pertanyaan: str


MS_IND: tuple[str, ...] = ("judul", "konsep", "definisi", "interpretasi", "rumus", "ukuran", "satuan")
MS_IND += ("klasifikasi", "komposit", "variabel_pembangun", "level_estimasi")
"""The indicator form's fields every dataset must fill (indikator_pembangun only when komposit)."""
MS_VAR = tuple(Variabel.__dataclass_fields__)


@dataclass(frozen=True)
class Walidata:
    nama: str
    singkatan: str
    email: str


@dataclass(frozen=True)
class SatuDataSpec:
    datasets: tuple[DatasetSpec, ...]
    organisasi: str
    """`per_pd` or `walidata`."""
    walidata: Walidata
    lisensi: str
    frekuensi: str
    akses: str
    kegiatan: str = ""
    """MS-Ind "kegiatan penghasil": the statistical activity that produces every dataset."""
    variabel: dict[str, Variabel] = field(default_factory=dict)


def missing_metadata(sd: SatuDataSpec) -> list[str]:
    """Every empty MS-Ind field of a dataset and MS-Var field of a column (none when complete)."""
    missing = [] if sd.kegiatan.strip() else ["kegiatan"]
    names = {d.nama for d in sd.datasets}
    for d in sd.datasets:
        missing += [f"{d.nama}: {f}" for f in MS_IND if not getattr(d, f)]
        if d.komposit not in ("ya", "tidak"):
            missing.append(f"{d.nama}: komposit harus ya atau tidak")
        if d.komposit == "ya" and not d.indikator_pembangun:
            missing.append(f"{d.nama}: indikator_pembangun")
        missing += [
            f"{d.nama}: indikator_pembangun {x!r} bukan dataset"
            for x in d.indikator_pembangun
            if x not in names
        ]
        missing += [
            f"{d.nama}: variabel_pembangun {x!r} bukan kolom"
            for x in d.variabel_pembangun
            if x not in d.names
        ]
        for k in d.kolom:
            v = sd.variabel.get(k.name)
            if v is None:
                missing.append(f"{d.nama}.{k.name}: variabel")
            else:
                missing += [f"{d.nama}.{k.name}: {f}" for f in MS_VAR if not getattr(v, f).strip()]
    return missing


def _parse(raw: dict[str, Any]) -> SatuDataSpec:
    datasets = []
    for d in raw["dataset"]:
        kolom = tuple(Kolom(str(n), str(t), str(label)) for n, t, label in d["kolom"])
        spec = DatasetSpec(
            nama=d["nama"],
            judul=d["judul"],
            konsep=d["konsep"],
            definisi=d["definisi"],
            rumus=d["rumus"],
            ukuran=d["ukuran"],
            satuan=d["satuan"],
            klasifikasi=d["klasifikasi"],
            tag=tuple(d.get("tag", ())),
            kolom=kolom,
            kunci=tuple(d["kunci"]),
            interpretasi=d.get("interpretasi", ""),
            komposit=d.get("komposit", ""),
            indikator_pembangun=tuple(d.get("indikator_pembangun", ())),
            variabel_pembangun=tuple(d.get("variabel_pembangun", ())),
            level_estimasi=d.get("level_estimasi", ""),
            produsen=d.get("produsen", "pd"),
        )
        bad = [k.type for k in kolom if k.type not in TYPES] + [k for k in spec.kunci if k not in spec.names]
        if bad or spec.nama != slug(spec.nama) or spec.names[-1] != "tahun" or "tahun" not in spec.kunci:
            raise ValueError(f"satu_data.yaml: dataset {spec.nama!r} tidak valid ({bad or 'nama/tahun'})")
        datasets.append(spec)
    if raw.get("organisasi") not in ("per_pd", "walidata"):
        raise ValueError("satu_data.yaml: organisasi harus per_pd atau walidata")
    sd = SatuDataSpec(
        datasets=tuple(datasets),
        organisasi=raw["organisasi"],
        walidata=Walidata(**raw["walidata"]),
        lisensi=raw.get("lisensi", "cc-by"),
        frekuensi=raw.get("frekuensi", "Tahunan"),
        akses=raw.get("akses", "Publik"),
        kegiatan=raw.get("kegiatan", ""),
        variabel={str(k): Variabel(**v) for k, v in (raw.get("variabel") or {}).items()},
    )
    if missing := missing_metadata(sd):
        raise ValueError("satu_data.yaml: metadata BPS belum lengkap: " + "; ".join(missing))
    return sd


@cache
def load_spec(city: str = "medan", root: Path | None = None) -> SatuDataSpec:
    with catalogue_file(city, "satu_data.yaml", root).open(encoding="utf-8") as f:
        return _parse(yaml.safe_load(f))
