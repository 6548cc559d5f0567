"""The year's aggregates as tidy tables in the national style (kode_wilayah, nama_wilayah, …,
satuan, tahun), one per dataset of `satu_data.yaml`, drawn from the approved marts only.

Values are typed (str, int, Decimal or None); rows are sorted on the dataset's key so the same
year always gives the same bytes (content hashes decide what the sync sends)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kinerja.reports.year import YearReport
from kinerja.satudata.spec import DatasetSpec

Row = dict[str, Any]


@dataclass(frozen=True)
class TidyTable:
    spec: DatasetSpec
    rows: list[Row]


def _spm_bidang(r: YearReport) -> Iterable[Row]:
    for b in r.spm.bidang:
        yield {
            "kode_bidang": b.kode,
            "bidang": b.nama,
            "jumlah_jpd": b.n_jpd,
            "capaian": b.nilai,
            "kategori": b.kategori,
        }
    if r.spm.daerah is not None:
        yield {
            "kode_bidang": "DAERAH",
            "bidang": f"Capaian SPM {r.kota}",
            "jumlah_jpd": len(r.spm.jpd),
            "capaian": r.spm.daerah,
            "kategori": r.spm.kategori or "",
        }


def _spm_jpd(r: YearReport) -> Iterable[Row]:
    for j in r.spm.jpd:
        yield {
            "kode_bidang": j.bidang,
            "kode_jpd": j.kode_jpd,
            "jenis_pelayanan_dasar": j.nama,
            "kode_pd": j.kode_pd,
            "harus_dilayani": j.harus_dilayani,
            "terlayani": j.terlayani,
            "capaian_penerima": j.capaian_penerima,
            "capaian_mutu": j.capaian_mutu,
            "nilai": j.nilai,
        }


def _spm_penerima(r: YearReport) -> Iterable[Row]:
    names = {j.kode_jpd: j.nama for j in r.spm.jpd}
    for p in r.spm.penerima:
        yield {
            "kode_wilayah": p.kode_wilayah,
            "nama_wilayah": p.kecamatan,
            "kode_jpd": p.kode_jpd,
            "jenis_pelayanan_dasar": names.get(p.kode_jpd, ""),
            "kode_pd": p.kode_pd,
            "harus_dilayani": p.harus_dilayani,
            "terlayani": p.terlayani,
            "capaian": p.capaian,
        }


def _spm_mutu(r: YearReport) -> Iterable[Row]:
    for m in r.spm.mutu:
        yield {
            "kode_jpd": m.kode_jpd,
            "kode_indikator": m.kode,
            "indikator": m.nama,
            "jenis": m.jenis,
            "kode_pd": m.kode_pd,
            "target": m.target,
            "realisasi": m.realisasi,
            "capaian": m.capaian,
            "satuan": m.satuan,
        }


def _ikk(rows: Iterable[Any], with_pd: bool) -> Iterable[Row]:
    for x in rows:
        if x.pembilang is None:  # not reported: nothing to publish
            continue
        row = {
            "urusan": x.urusan,
            "kode_ikk": x.kode_ikk,
            "ikk": x.nama,
            "pembilang": x.pembilang,
            "penyebut": x.penyebut,
            "capaian": x.capaian,
            "satuan": x.satuan,
        }
        yield {"kode_pd": x.kode_pd, **row} if with_pd else row


def _lkpj(r: YearReport) -> Iterable[Row]:
    for x in r.lkpj.rows:  # permasalahan / solusi are agency free text: never published
        yield {
            "kode_pd": x.kode_pd,
            "tingkat": x.tingkat,
            "kode": x.kode,
            "uraian": x.uraian,
            "jenis_indikator": x.jenis_indikator,
            "indikator": x.indikator,
            "target": x.target,
            "realisasi": x.realisasi,
            "capaian": x.capaian,
            "satuan": x.satuan,
            "pagu": x.pagu,
            "realisasi_anggaran": x.realisasi_anggaran,
            "serapan": x.serapan,
        }


def _pengumpulan(r: YearReport) -> Iterable[Row]:
    for p in r.pengumpulan_pd:
        yield {
            "kode_pd": p.kode_pd,
            "perangkat_daerah": p.nama,
            "wajib": p.wajib,
            "tepat_waktu": p.tepat_waktu,
            "terlambat": p.terlambat,
            "ditolak": p.ditolak,
            "belum_masuk": p.belum_masuk,
            "persen_tepat_waktu": p.persen_tepat_waktu,
        }


BUILDERS: dict[str, Callable[[YearReport], Iterable[Row]]] = {
    "spm-capaian-bidang": _spm_bidang,
    "spm-capaian-jpd": _spm_jpd,
    "spm-penerima-kecamatan": _spm_penerima,
    "spm-mutu": _spm_mutu,
    "lppd-capaian-ikk": lambda r: _ikk(r.lppd.kota, with_pd=False),
    "lppd-capaian-ikk-pd": lambda r: _ikk(r.lppd.pd, with_pd=True),
    "lkpj-kinerja-program": _lkpj,
    "ketepatan-pengumpulan-data": _pengumpulan,
}


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int | Decimal) else (1, str(value))


def tidy_table(spec: DatasetSpec, report: YearReport) -> TidyTable:
    """The dataset's rows for the report's year; every row carries every column of the spec."""
    if spec.nama not in BUILDERS:
        raise KeyError(f"dataset {spec.nama!r} di satu_data.yaml tidak punya pembentuk tabel")
    base = {"kode_wilayah": report.kode_wilayah, "nama_wilayah": report.kota, "satuan": spec.satuan}
    rows = []
    for produced in BUILDERS[spec.nama](report):
        row = {**base, **produced, "tahun": report.tahun}
        rows.append({k: row.get(k) for k in spec.names})
    rows.sort(key=lambda row: [_sort_key(row[k]) for k in spec.kunci])
    keys = [tuple(row[k] for k in spec.kunci) for row in rows]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ValueError(
            f"{spec.nama}: kunci {dict(zip(spec.kunci, dup, strict=True))} muncul lebih dari sekali"
        )
    return TidyTable(spec, rows)
