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
from kinerja.schema.model import TAHAP_SPM, TEMPLATES, TRIWULAN, Template

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
    "arah_ditulis_bebas",
    "pembilang_negatif_bukan_pertumbuhan",
)


# Mistakes only a particular template allows, cycled with the common ones for that template.
DEFECTS_TEMPLATE: dict[str, tuple[str, ...]] = {
    "SPM": ("tahap_ditulis_bebas",),
    "MAKRO": ("gini_dalam_persen", "tautan_bukan_alamat"),
    "APBD": ("baris_jumlah_ditambah",),
}
DEFECTS_TRIWULAN = (
    "triwulan_kosong",
    "terlayani_per_triwulan",
    "triwulan_iv_beda_tahunan",
    "angka_sebagai_teks",
)
"""Mistakes of the quarterly e-SPM files: the quarter not named on Info (rejected); the quarter's
own count typed instead of the running total (a warning: lower than the quarter before); quarter
IV not updated after a correction made in the yearly file (a warning on whichever comes second)."""


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
    tpl: Template,
    rows: dict[str, list[Row]],
    rng: random.Random,
    tahun: int,
    catalog: Catalog | None = None,
) -> dict[str, list[Row]]:
    """Plausible values for the prefilled rows; with `catalog`, growth IKKs sometimes decline."""
    out: dict[str, list[Row]] = {name: [] for name in rows}
    if tpl.code == "SPM" or tpl.induk == "SPM":  # SPMTW: the same sheets, figures for a quarter
        for r in rows["Penerima"]:
            harus = rng.choice([0, rng.randint(10, 600), rng.randint(300, 5000)])
            share = rng.uniform(0.62, 1.0) if rng.random() > 0.03 else rng.uniform(1.0, 1.08)
            out["Penerima"].append({**r, "harus_dilayani": harus, "terlayani": round(harus * share)})
        for r in rows.get("Mutu", []):
            target = rng.randint(5, 300)
            out["Mutu"].append({**r, "target": target, "realisasi": round(target * rng.uniform(0.3, 1.05))})
        for r in rows.get("Penerapan", []):
            alokasi = rng.randint(4, 400) * 50_000_000
            # Stages are done in order: a later stage never ahead of an earlier one.
            done = rng.choice([4, 4, 3, 2])
            stages = {
                f"tahap_{name}": "selesai" if i < done else ("proses" if i == done else "belum")
                for i, (name, _) in enumerate(TAHAP_SPM)
            }
            short = done < 4
            out["Penerapan"].append(
                {
                    **r,
                    "alokasi_anggaran": alokasi,
                    "realisasi_anggaran": round(alokasi * rng.uniform(0.6, 0.98)),
                    **stages,
                    "permasalahan": "Data sasaran belum lengkap dari kelurahan" if short else None,
                    "solusi": "Pemutakhiran data bersama kecamatan" if short else None,
                    "rencana_aksi": f"Pemutakhiran data sasaran triwulan I {tahun + 1}" if short else None,
                }
            )
    elif tpl.code == "LPPD":
        growth = {i.kode_ikk for i in catalog.ikk if i.pembilang_negatif} if catalog else set()
        for r in rows["IKK"]:
            penyebut = rng.randint(20, 5000)
            if r["kode_ikk"] in growth:
                # N − (N−1): visitors fell as often as they rose.
                pembilang = round(penyebut * rng.uniform(-0.15, 0.2))
            else:
                pembilang = round(penyebut * rng.uniform(0.45, 1.0))
            out["IKK"].append({**r, "pembilang": pembilang, "penyebut": penyebut, "penjelasan": None})
    elif tpl.code == "MAKRO":
        # Around Medan's published levels, drifting by year; BPS figures for year N - 1 when N's are
        # not out by the deadline (PDRB).
        base = {
            "MAKRO-IPM": (81.2, 0.45, 2),
            "MAKRO-MISKIN": (8.3, -0.2, 2),
            "MAKRO-TPT": (8.4, -0.3, 2),
            "MAKRO-PE": (4.8, 0.1, 2),
            "MAKRO-PDRBKAP": (95.0, 5.5, 2),
            "MAKRO-GINI": (0.39, -0.004, 3),
        }
        for r in rows["Makro"]:
            level, trend, places = base.get(r["kode_indikator"], (50.0, 0.0, 2))
            tahun_data = tahun - 1 if r["kode_indikator"] == "MAKRO-PDRBKAP" else tahun
            nilai = level + trend * (tahun_data - 2021) + rng.uniform(-abs(trend), abs(trend)) / 2
            out["Makro"].append(
                {
                    **r,
                    "nilai": round(nilai, places),
                    "tahun_data": tahun_data,
                    "sumber": f"BPS Kota Medan, {r['nama_indikator']} {tahun_data}",
                    "tautan": "https://medankota.bps.go.id/id/pressrelease",
                }
            )
    elif tpl.code == "APBD":
        anggaran = {
            "4.1": 2.6e12,
            "4.2": 3.9e12,
            "4.3": 0.25e12,
            "5.1": 5.4e12,
            "5.2": 1.6e12,
            "5.3": 0.05e12,
        }
        anggaran |= {"5.4": 0.02e12, "6.1": 0.45e12, "6.2": 0.03e12}
        for r in rows["APBD"]:
            a = round(anggaran.get(r["kode_akun"], 1e11) * rng.uniform(0.95, 1.05), -6)
            share = rng.uniform(0.86, 1.03) if r["kode_akun"].startswith("4") else rng.uniform(0.78, 0.96)
            out["APBD"].append({**r, "anggaran": a, "realisasi": round(a * share)})
    elif tpl.code == "LKPJ":
        for r in rows["Kinerja"]:
            pagu = rng.randint(2, 400) * 25_000_000
            uraian = str(r["uraian"]).lower()[:80].strip()
            budget = {"pagu": pagu, "realisasi_anggaran": round(pagu * rng.uniform(0.55, 0.99))}
            if rng.random() < 0.1:
                # A negative indicator (lower is better): complaints, cases; now and then none at all.
                target = rng.randint(5, 60)
                realisasi = 0 if rng.random() < 0.15 else round(target * rng.uniform(0.7, 1.3))
                out["Kinerja"].append(
                    {
                        **r,
                        "indikator": f"Jumlah pengaduan atas layanan {uraian}",
                        "arah": "negatif",
                        "satuan": "kasus",
                        "target": target,
                        "realisasi": realisasi,
                        **budget,
                    }
                )
                continue
            target = rng.choice([100, rng.randint(1, 50) * 10])
            out["Kinerja"].append(
                {
                    **r,
                    "indikator": (
                        "Persentase capaian "
                        if r["jenis_indikator"] == "outcome"
                        else "Jumlah dokumen/layanan "
                    )
                    + uraian,
                    "arah": "positif",
                    "satuan": "%" if target == 100 else "unit",
                    "target": target,
                    "realisasi": round(target * rng.uniform(0.6, 1.02), 2),
                    **budget,
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
    elif name == "pembilang_negatif_bukan_pertumbuhan" and numeric:
        # A decline typed as a negative number on an IKK that is a count, not a growth (other
        # templates: a negative amount).
        growth = {i.kode_ikk for i in catalog.ikk if i.pembilang_negatif}
        plain = [r for r in data if r.get("kode_ikk") not in growth] or [target_row]
        key = "pembilang" if "pembilang" in plain[0] else numeric[-1]
        plain[0][key] = -abs(int(plain[0][key] or 0) + 3)
    elif name == "tahap_ditulis_bebas" and rows.get("Penerapan"):
        rows["Penerapan"][0]["tahap_pelaksanaan"] = "sudah"  # typed over the dropdown
    elif name == "gini_dalam_persen":
        for r in data:
            if r.get("kode_indikator") == "MAKRO-GINI":
                r["nilai"] = round(float(r["nilai"]) * 100, 1)  # 0,38 typed as 38
    elif name == "tautan_bukan_alamat" and data:
        target_row["tautan"] = "lihat website BPS"
    elif name == "baris_jumlah_ditambah" and data:
        # A total row as in the printed APBD: its code is not an account group.
        income = [r for r in data if str(r.get("kode_akun", "")).startswith("4")]
        data.append(
            {
                "kode_akun": "4",
                "uraian": "JUMLAH PENDAPATAN",
                "anggaran": sum(r["anggaran"] for r in income),
                "realisasi": sum(r["realisasi"] for r in income),
            }
        )
    elif name == "arah_ditulis_bebas" and data:
        # Typed over the dropdown: "turun" / "naik" instead of negatif / positif.
        key = "arah" if "arah" in target_row else next(iter(target_row))
        target_row[key] = "turun" if key == "arah" else "99.99.99"
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
    triwulan: bool = False,
) -> list[SampleFile]:
    """Write `out/<tahun>/<KODE_PD>/<KODE_PD>_<LAPORAN>_<tahun>.xlsx` for every agency
    (or only the agencies named in `only`); with `triwulan`, also the quarterly e-SPM files
    (`<KODE_PD>_SPMTW_<tahun>_TW<n>.xlsx`) of every agency that hands in the SPM, built up to the
    yearly figures (their own random stream: the yearly files are the same either way)."""
    shares = shares or SampleShares()
    rng = random.Random(f"{seed}-{tahun}-{catalog.city}")
    rng_tw = random.Random(f"{seed}-{tahun}-{catalog.city}-triwulan")
    tw_defects = 0
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
            rows = fill_rows(tpl, prefilled_rows(tpl, catalog, pd), rng, tahun, catalog)
            contact = {
                "nama_kontak": f"Petugas {pd.singkatan}",
                "jabatan_kontak": "Analis",
                "email_kontak": pd.email,
                "telepon_kontak": "061-000000",
            }
            if triwulan and laporan == "SPM":
                made, tw_defects = _quarterly_files(
                    catalog, pd, tahun, out, rows, contact, shares, rng_tw, tw_defects
                )
                files += made
            name = f"{pd.kode_pd}_{laporan}_{tahun}.xlsx"
            path = out / str(tahun) / pd.kode_pd / name
            rel = path.relative_to(out).as_posix()
            if rng.random() < shares.defective:
                pool = DEFECTS + DEFECTS_TEMPLATE.get(laporan, ())
                defect = pool[defect_cycle % len(pool)]
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


def quarter_rows(yearly: dict[str, list[Row]], q: int, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """Quarter `q`'s cumulative figures leading to the yearly ones: the year's target on every
    quarter; recipients served and money spent rising to the yearly totals at quarter IV."""
    if q == 4:
        return {
            "Penerima": [dict(r) for r in yearly["Penerima"]],
            "Penerapan": [dict(r) for r in yearly["Penerapan"]],
        }
    share = q / 4

    def part(total: Any) -> int:
        return round(int(total or 0) * min(1.0, share * rng.uniform(0.85, 1.05)))

    stages = {
        f"tahap_{name}": "selesai" if i < q else "proses" if i == q else "belum"
        for i, (name, _) in enumerate(TAHAP_SPM)
    }
    return {
        "Penerima": [{**r, "terlayani": part(r["terlayani"])} for r in yearly["Penerima"]],
        "Penerapan": [
            {**r, **stages, "realisasi_anggaran": part(r["realisasi_anggaran"])} for r in yearly["Penerapan"]
        ],
    }


def _quarterly_files(
    catalog: Catalog,
    pd: PerangkatDaerah,
    tahun: int,
    out: Path,
    yearly: dict[str, list[Row]],
    contact: dict[str, Any],
    shares: SampleShares,
    rng: random.Random,
    defects: int,
) -> tuple[list[SampleFile], int]:
    """The four quarterly e-SPM files of one agency, received around each closing day."""
    tpl = TEMPLATES["SPMTW"]
    kalender = catalog.kalender_tahun(tahun)
    made: list[SampleFile] = []
    before: dict[str, list[dict[str, Any]]] | None = None
    for q in range(1, 5):
        rows = quarter_rows(yearly, q, rng)
        batas = datetime.combine(kalender.batas_e_spm(q), datetime.min.time(), tzinfo=WIB)
        late = rng.random() < shares.late
        when = batas + timedelta(days=rng.randint(1, 10) if late else -rng.randint(0, 12), hours=9)
        info = {**contact, "triwulan": TRIWULAN[q - 1]}
        kind = "late" if late else "valid"
        if rng.random() < shares.defective * 2:  # quarterly files are typed in a hurry
            defect = DEFECTS_TRIWULAN[defects % len(DEFECTS_TRIWULAN)]
            defects += 1
            if defect == "triwulan_kosong":
                info["triwulan"] = None
            elif defect == "terlayani_per_triwulan" and before is not None and q < 4:
                # This quarter's own count typed instead of the total since January.
                for r, b in zip(rows["Penerima"], before["Penerima"], strict=True):
                    r["terlayani"] = max(0, int(r["terlayani"]) - int(b["terlayani"]))
            elif defect == "triwulan_iv_beda_tahunan" and q == 4 and rows["Penerima"]:
                r = max(rows["Penerima"], key=lambda r: int(r["terlayani"]))
                r["terlayani"] = int(r["terlayani"]) - rng.randint(1, max(1, int(r["terlayani"]) // 10))
            elif defect == "angka_sebagai_teks" and rows["Penerima"]:
                rows["Penerima"][0]["harus_dilayani"] = "1.234"
            else:
                defect = ""
            kind = f"defect:{defect}" if defect else kind
        before = rows
        path = out / str(tahun) / pd.kode_pd / f"{pd.kode_pd}_SPMTW_{tahun}_TW{q}.xlsx"
        _save(path, build_workbook(tpl, catalog, pd, tahun, rows, info), when)
        made.append(
            SampleFile(path.relative_to(out).as_posix(), pd.kode_pd, tpl.code, kind, when.isoformat())
        )
    return made, defects


def as_dicts(files: list[SampleFile]) -> list[dict[str, str]]:
    return [asdict(f) for f in files]


# --- a synthetic national year ----------------------------------------------------------------
SHARED_CATALOGUES = (
    "spm.yaml",
    "lppd_ikk.csv",
    "lkpj_nomenklatur.csv",
    "calendar.yaml",
    "scoring.yaml",
    "makro.yaml",
    "apbd.yaml",
)
PD_COLUMNS = (
    "kode_pd",
    "nama",
    "singkatan",
    "jenis",
    "kode_wilayah",
    "berlaku_dari",
    "berlaku_sampai",
    "email",
)


def synthetic_slug(n: int) -> str:
    return f"sintetis-{n:03d}"


def synthetic_kode(n: int) -> str:
    """A region code no real kota has: provinces 91-96, 99 kota each (enough for 514)."""
    return f"{91 + (n - 1) // 99}.{(n - 1) % 99 + 1:02d}"


def write_synthetic_kota(base: Catalog, n: int, reference: Path) -> str:
    """Write kota number `n` under `reference/cities/<slug>/`, derived from `base` (Medan):
    its own region codes (every code re-rooted under `synthetic_kode(n)`), between 5 and 21 of
    the base's kecamatan and their kelurahan, the base's dinas/badan and one kecamatan office
    per kecamatan. Its catalogues are the shared ones (`reference/*`). Returns the slug."""
    slug, kode = synthetic_slug(n), synthetic_kode(n)
    city = reference / "cities" / slug
    city.mkdir(parents=True, exist_ok=True)
    old = base.kode_wilayah
    kecamatan = base.kecamatan[: 5 + (n * 7) % 17]
    kept = {k.kode for k in kecamatan}

    def recode(code: str) -> str:
        return kode + code[len(old) :] if code.startswith(old) else code

    nama = f"Kota Sintetis {n:03d}"
    (city / "city.yaml").write_text(
        f'kode_wilayah: "{kode}"\nnama: {nama}\nnama_pemda: Pemerintah {nama}\n'
        f"provinsi: Provinsi Sintetis {kode[:2]}\nzona_waktu: {base.zona_waktu}\n",
        encoding="utf-8",
    )
    rows = [("kode", "nama", "tingkat", "induk")]
    for w in base.wilayah:
        if w.tingkat == "kota":
            rows.append((kode, nama, w.tingkat, kode[:2]))
        elif w.kode in kept or (w.tingkat == "kelurahan" and w.induk in kept):
            rows.append((recode(w.kode), w.nama, w.tingkat, recode(w.induk)))
    _write_csv(city / "wilayah.csv", rows)
    pds: list[tuple[str, ...]] = [PD_COLUMNS]
    for pd in base.perangkat_daerah:
        if pd.is_kecamatan and pd.kode_wilayah not in kept:
            continue
        pds.append(
            (
                pd.kode_pd,
                pd.nama,
                pd.singkatan,
                pd.jenis,
                recode(pd.kode_wilayah),
                pd.berlaku_dari.isoformat(),
                pd.berlaku_sampai.isoformat() if pd.berlaku_sampai else "",
                f"{pd.kode_pd.lower()}@{slug}.example",
            )
        )
    _write_csv(city / "perangkat_daerah.csv", pds)
    return slug


def _write_csv(path: Path, rows: Sequence[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def generate_national(
    base: Catalog,
    n_kota: int,
    tahun: int,
    out: Path,
    seed: int = 0,
    shares: SampleShares | None = None,
    pd_per_kota: int | None = None,
) -> list[SampleFile]:
    """A synthetic national year: `n_kota` kota derived from `base`, each with its reference
    folder (`out/reference/cities/<slug>/`, catalogues shared in `out/reference/`) and its own
    drive (`out/<slug>/<tahun>/<KODE_PD>/...`), optionally only `pd_per_kota` agencies per kota
    (picked deterministically). Paths in the result are relative to `out`. Load a kota with
    `load_catalog(slug, out / "reference")`, or `KINERJA_REFERENCE_DIR` and `--city`."""
    from kinerja.catalog.loader import load_catalog

    reference = out / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    for name in SHARED_CATALOGUES:
        (reference / name).write_bytes((base.reference / name).read_bytes())
    files: list[SampleFile] = []
    for n in range(1, n_kota + 1):
        slug = write_synthetic_kota(base, n, reference)
        catalog = load_catalog.__wrapped__(slug, reference)
        only = None
        if pd_per_kota is not None:
            pick = random.Random(f"{seed}-{tahun}-{slug}")
            with_reports = [pd.kode_pd for pd in catalog.pd_aktif(tahun) if catalog.laporan_wajib(pd)]
            only = set(pick.sample(with_reports, min(pd_per_kota, len(with_reports))))
        for f in generate_year(catalog, tahun, out / slug, seed, shares, only):
            files.append(SampleFile(f"{slug}/{f.path}", f.kode_pd, f.laporan, f.kind, f.received_at))
    return files
