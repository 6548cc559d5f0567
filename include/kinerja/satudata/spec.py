"""What is published to Satu Data: the datasets of `reference/satu_data.yaml` (a kota may keep its
own copy in its folder), their columns, keys and metadata, and who publishes them."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    produsen: str = "pd"
    """`pd`: split per PD on kode_pd when the portal has an organisation per PD; `walidata`: never."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kolom)

    @property
    def per_pd(self) -> bool:
        return self.produsen == "pd" and "kode_pd" in self.names


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
            produsen=d.get("produsen", "pd"),
        )
        bad = [k.type for k in kolom if k.type not in TYPES] + [k for k in spec.kunci if k not in spec.names]
        if bad or spec.nama != slug(spec.nama) or spec.names[-1] != "tahun" or "tahun" not in spec.kunci:
            raise ValueError(f"satu_data.yaml: dataset {spec.nama!r} tidak valid ({bad or 'nama/tahun'})")
        datasets.append(spec)
    if raw.get("organisasi") not in ("per_pd", "walidata"):
        raise ValueError("satu_data.yaml: organisasi harus per_pd atau walidata")
    return SatuDataSpec(
        datasets=tuple(datasets),
        organisasi=raw["organisasi"],
        walidata=Walidata(**raw["walidata"]),
        lisensi=raw.get("lisensi", "cc-by"),
        frekuensi=raw.get("frekuensi", "Tahunan"),
        akses=raw.get("akses", "Publik"),
    )


@cache
def load_spec(city: str = "medan", root: Path | None = None) -> SatuDataSpec:
    with catalogue_file(city, "satu_data.yaml", root).open(encoding="utf-8") as f:
        return _parse(yaml.safe_load(f))
