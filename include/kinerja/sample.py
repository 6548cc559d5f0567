"""A deterministic, realistic year of agency submissions on a shared-drive folder.

Most agencies hand in valid workbooks on time; a configurable share is late, missing or
defective (each defect a mistake officials really make), and some defective ones are
followed by a corrected file, so a demo shows every path of the pipeline.
"""

from __future__ import annotations

import csv
import io
import os
import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from kinerja.catalog.loader import Catalog, PerangkatDaerah
from kinerja.schema.excel import Row, build_workbook, prefilled_rows
from kinerja.schema.model import TEMPLATES, Template

WIB = ZoneInfo("Asia/Jakarta")
DEFECTS = (
    "angka_sebagai_teks",
    "kode_tidak_dikenal",
    "jumlah_negatif",
    "tahun_salah",
    "data_pd_lain",
    "kolom_diganti",
    "bukan_excel",
    "baris_ganda",
    "versi_lama",
)


@dataclass(frozen=True)
class SampleShares:
    late: float = 0.08
    missing: float = 0.05
    defective: float = 0.12
    corrected: float = 0.5
    """Share of defective files followed by a corrected version."""


@dataclass(frozen=True)
class SampleFile:
    path: str
    kode_pd: str
    laporan: str
    kind: str
    """'valid', 'late', 'corrected' or 'defect:<name>'."""
    received_at: str


def fill_rows(
    tpl: Template, rows: dict[str, list[Row]], rng: random.Random, tahun: int
) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {name: [] for name in rows}
    if tpl.code == "SPM":
        for r in rows["Penerima"]:
            harus = rng.choice([0, rng.randint(10, 600), rng.randint(300, 5000)])
            share = rng.uniform(0.62, 1.0) if rng.random() > 0.03 else rng.uniform(1.0, 1.08)
            out["Penerima"].append({**r, "harus_dilayani": harus, "terlayani": round(harus * share)})
        for r in rows["Mutu"]:
            target = rng.randint(5, 300)
            out["Mutu"].append({**r, "target": target, "realisasi": round(target * rng.uniform(0.3, 1.05))})
    elif tpl.code == "LPPD":
        for r in rows["IKK"]:
            penyebut = rng.randint(20, 5000)
            out["IKK"].append(
                {
                    **r,
                    "pembilang": round(penyebut * rng.uniform(0.45, 1.0)),
                    "penyebut": penyebut,
                    "penjelasan": None,
                }
            )
    elif tpl.code == "LKPJ":
        for r in rows["Kinerja"]:
            pagu = rng.randint(2, 400) * 25_000_000
            target = rng.choice([100, rng.randint(1, 50) * 10])
            out["Kinerja"].append(
                {
                    **r,
                    "indikator": (
                        "Persentase capaian "
                        if r["jenis_indikator"] == "outcome"
                        else "Jumlah dokumen/layanan "
                    )
                    + str(r["uraian"]).lower()[:80].strip(),
                    "satuan": "%" if target == 100 else "unit",
                    "target": target,
                    "realisasi": round(target * rng.uniform(0.6, 1.02), 2),
                    "pagu": pagu,
                    "realisasi_anggaran": round(pagu * rng.uniform(0.55, 0.99)),
                }
            )
        for n in range(1, rng.randint(1, 3) + 1):
            out["Tindak Lanjut"].append(
                {
                    "tahun_lkpj": tahun - 1,
                    "nomor": n,
                    "rekomendasi": f"Rekomendasi DPRD nomor {n} atas LKPJ {tahun - 1}",
                    "komisi": rng.choice(["Komisi I", "Komisi II", "Komisi III", "Komisi IV"]),
                    "tindak_lanjut": "Telah dilaksanakan sesuai rekomendasi",
                    "status": rng.choice(["selesai", "selesai", "proses", "belum"]),
                    "bukti": None,
                }
            )
    return out


def _defect(
    name: str,
    rows: dict[str, list[dict[str, Any]]],
    info: dict[str, Any],
    catalog: Catalog,
    pd: PerangkatDaerah,
    tahun: int,
    rng: random.Random,
) -> Callable[[Workbook], None]:
    """Apply one realistic mistake; returns a finishing touch for the built workbook."""
    sheet = next(iter(rows))
    data = rows[sheet]
    numeric = [k for k, v in data[0].items() if isinstance(v, int | float)] if data else []
    target_row = data[rng.randrange(len(data))] if data else {}
    if name == "angka_sebagai_teks" and numeric:
        target_row[numeric[0]] = "1.234,5"
    elif name == "kode_tidak_dikenal" and data:
        first = next(iter(target_row))
        target_row[first] = "99.99.99"
    elif name == "jumlah_negatif" and numeric:
        target_row[numeric[-1]] = -abs(int(target_row[numeric[-1]] or 0) + 5)
    elif name == "tahun_salah":
        info["tahun"] = tahun - 1
    elif name == "data_pd_lain":
        others = [p for p in catalog.pd_aktif(tahun) if p.kode_pd != pd.kode_pd]
        info["kode_pd"] = rng.choice(others).kode_pd
    elif name == "baris_ganda" and data:
        data.append(dict(target_row))
    elif name == "versi_lama":
        info["versi_template"] = "2023.1"
    elif name == "kolom_diganti":

        def rename(wb: Workbook) -> None:
            wb[sheet].cell(row=1, column=len(wb[sheet][1])).value = "Kolom Baru"
            wb[sheet].cell(row=1, column=len(wb[sheet][1]) - 1).value = "Jumlah"

        return rename
    return lambda wb: None


def _received(rng: random.Random, tahun: int, late: bool) -> datetime:
    if late:
        start = datetime(tahun + 1, 1, 27, 8, tzinfo=WIB)
        return start + timedelta(days=rng.randint(0, 14), minutes=rng.randint(0, 600))
    start = datetime(tahun + 1, 1, 5, 8, tzinfo=WIB)
    return start + timedelta(days=rng.randint(0, 21), minutes=rng.randint(0, 600))


def _save(path: Path, payload: bytes | Workbook, when: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(payload, bytes):
        path.write_bytes(payload)
    else:
        payload.save(path)
    os.utime(path, (when.timestamp(), when.timestamp()))


def _csv_bytes(rows: Sequence[Row]) -> bytes:
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buf.getvalue().encode()


def generate_year(
    catalog: Catalog,
    tahun: int,
    out: Path,
    seed: int = 0,
    shares: SampleShares | None = None,
    only: Collection[str] | None = None,
) -> list[SampleFile]:
    """Write `out/<tahun>/<KODE_PD>/<KODE_PD>_<LAPORAN>_<tahun>.xlsx` for every agency
    (or only the agencies named in `only`)."""
    shares = shares or SampleShares()
    rng = random.Random(f"{seed}-{tahun}-{catalog.city}")
    files: list[SampleFile] = []
    defect_cycle = 0
    for pd in catalog.pd_aktif(tahun):
        if only is not None and pd.kode_pd not in only:
            continue
        for laporan in catalog.laporan_wajib(pd):
            tpl = TEMPLATES[laporan]
            if rng.random() < shares.missing:
                continue
            late = rng.random() < shares.late
            when = _received(rng, tahun, late)
            rows = fill_rows(tpl, prefilled_rows(tpl, catalog, pd), rng, tahun)
            contact = {
                "nama_kontak": f"Petugas {pd.singkatan}",
                "jabatan_kontak": "Analis",
                "email_kontak": pd.email,
                "telepon_kontak": "061-000000",
            }
            name = f"{pd.kode_pd}_{laporan}_{tahun}.xlsx"
            path = out / str(tahun) / pd.kode_pd / name
            rel = path.relative_to(out).as_posix()
            if rng.random() < shares.defective:
                defect = DEFECTS[defect_cycle % len(DEFECTS)]
                defect_cycle += 1
                info = dict(contact)
                broken = {k: [dict(r) for r in v] for k, v in rows.items()}
                finish = _defect(defect, broken, info, catalog, pd, tahun, rng)
                if defect == "bukan_excel":
                    _save(path, _csv_bytes(broken[next(iter(broken))]), when)
                else:
                    wb = build_workbook(tpl, catalog, pd, tahun, broken, info)
                    finish(wb)
                    _save(path, wb, when)
                files.append(SampleFile(rel, pd.kode_pd, laporan, f"defect:{defect}", when.isoformat()))
                if rng.random() >= shares.corrected:
                    continue
                when = when + timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 6))
                path = path.with_name(f"{pd.kode_pd}_{laporan}_{tahun}_perbaikan.xlsx")
                rel = path.relative_to(out).as_posix()
                kind = "corrected"
            else:
                kind = "late" if late else "valid"
            _save(path, build_workbook(tpl, catalog, pd, tahun, rows, contact), when)
            files.append(SampleFile(rel, pd.kode_pd, laporan, kind, when.isoformat()))
    return files


def as_dicts(files: list[SampleFile]) -> list[dict[str, str]]:
    return [asdict(f) for f in files]
