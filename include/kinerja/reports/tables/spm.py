"""SPM tables: per bidang (kota only), per JPD, quality indicators, recipients and application."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kinerja.reports.table import SEC_SPM, Table, columns, of_pd
from kinerja.reports.year import YearReport
from kinerja.schema.model import TAHAP_SPM


def _minus(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return a - b if a is not None and b is not None else None


def tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    jpd_names = {j.kode_jpd: j.nama for j in r.spm.jpd}
    out = []
    if kode_pd is None:
        prev: dict[str, Decimal | None] = (
            {b.kode: b.nilai for b in r.sebelumnya.spm.bidang} if r.sebelumnya else {}
        )
        cols = columns(
            ("kode_bidang", "Kode", "text", 14),
            ("bidang", "Bidang", "text", 28),
            ("jumlah_jpd", "Jumlah JPD", "int"),
            ("nilai", f"Capaian {r.tahun}", "pct"),
            ("kategori", "Kategori", "text", 18),
        )
        rows: list[tuple[Any, ...]] = [(b.kode, b.nama, b.n_jpd, b.nilai, b.kategori) for b in r.spm.bidang]
        rows.append(("DAERAH", f"Capaian SPM {r.kota}", len(r.spm.jpd), r.spm.daerah, r.spm.kategori or ""))
        if r.sebelumnya:
            cols += columns(
                ("nilai_sebelumnya", f"Capaian {r.sebelumnya.tahun}", "pct"),
                ("selisih_poin", "Perubahan (poin persentase)", "dec", 14),
            )
            prev["DAERAH"] = r.sebelumnya.spm.daerah
            rows = [(*row, prev.get(row[0]), _minus(row[3], prev.get(row[0]))) for row in rows]
        out.append(
            Table(
                "SPM Bidang",
                f"Capaian SPM per bidang dan daerah, {r.tahun}",
                SEC_SPM,
                cols,
                rows,
                note=f"Nilai JPD = {r.spm.rumus}; bidang = rata-rata JPD; daerah = rata-rata bidang. "
                f"Kategori: {r.spm.pita_kategori} (bobot dan kategori: konfigurasi scoring.yaml).",
            )
        )
    out.append(
        Table(
            "SPM JPD",
            "Capaian SPM per jenis pelayanan dasar (JPD)",
            SEC_SPM,
            columns(
                ("bidang", "Bidang", "text", 14),
                ("kode_jpd", "Kode JPD", "text", 16),
                ("jpd", "Jenis Pelayanan Dasar", "text", 40),
                ("kode_pd", "PD", "text", 14),
                ("satuan", "Satuan", "text", 10),
                ("harus_dilayani", "Harus Dilayani", "int"),
                ("terlayani", "Terlayani", "int"),
                ("belum_terlayani", "Belum Terlayani", "int"),
                ("capaian_penerima_mentah", "Capaian Penerima (mentah)", "pct"),
                ("capaian_penerima", "Capaian Penerima (indeks)", "pct"),
                ("capaian_mutu", "Capaian Mutu", "pct"),
                ("nilai", "Nilai", "pct"),
                ("kategori", "Kategori", "text", 18),
            ),
            [
                (
                    j.bidang,
                    j.kode_jpd,
                    j.nama,
                    j.kode_pd,
                    j.satuan,
                    j.harus_dilayani,
                    j.terlayani,
                    j.belum_terlayani,
                    j.capaian_penerima_mentah,
                    j.capaian_penerima,
                    j.capaian_mutu,
                    j.nilai,
                    j.kategori,
                )
                for j in of_pd(r.spm.jpd, kode_pd)
            ],
            note="Capaian penerima mentah boleh di atas 100 (lebih banyak terlayani daripada sasaran); "
            "indeks membatasinya di 100.",
        )
    )
    out.append(
        Table(
            "SPM Mutu",
            "Mutu barang/jasa dan SDM per indikator",
            SEC_SPM,
            columns(
                ("kode_jpd", "Kode JPD", "text", 16),
                ("jpd", "JPD", "text", 30),
                ("kode_indikator", "Kode Indikator", "text", 20),
                ("indikator", "Indikator Mutu", "text", 40),
                ("jenis", "Jenis", "text", 12),
                ("satuan", "Satuan", "text", 10),
                ("target", "Target", "dec"),
                ("realisasi", "Realisasi", "dec"),
                ("capaian", "Capaian", "pct"),
                ("status", "Status", "text", 14),
            ),
            [
                (
                    m.kode_jpd,
                    jpd_names.get(m.kode_jpd, ""),
                    m.kode,
                    m.nama,
                    m.jenis,
                    m.satuan,
                    m.target,
                    m.realisasi,
                    m.capaian,
                    m.status,
                )
                for m in of_pd(r.spm.mutu, kode_pd)
            ],
            detail=True,
        )
    )
    out.append(
        Table(
            "SPM Penerima",
            "Penerima layanan per JPD dan kecamatan",
            SEC_SPM,
            columns(
                ("kode_jpd", "Kode JPD", "text", 16),
                ("jpd", "JPD", "text", 30),
                ("kode_wilayah", "Kode Wilayah", "text", 12),
                ("kecamatan", "Kecamatan", "text", 22),
                ("harus_dilayani", "Harus Dilayani", "int"),
                ("terlayani", "Terlayani", "int"),
                ("belum_terlayani", "Belum Terlayani", "int"),
                ("capaian", "Capaian", "pct"),
            ),
            [
                (
                    p.kode_jpd,
                    jpd_names.get(p.kode_jpd, ""),
                    p.kode_wilayah,
                    p.kecamatan,
                    p.harus_dilayani,
                    p.terlayani,
                    p.belum_terlayani,
                    p.capaian,
                )
                for p in of_pd(r.spm.penerima, kode_pd)
            ],
            detail=True,
        )
    )
    out.append(
        Table(
            "SPM Penerapan",
            "Penerapan SPM per JPD: anggaran, tahapan, permasalahan dan rencana aksi",
            SEC_SPM,
            columns(
                ("kode_jpd", "Kode JPD", "text", 16),
                ("jpd", "JPD", "text", 30),
                ("kode_pd", "PD", "text", 12),
                ("alokasi", "Alokasi (Rp)", "rp"),
                ("realisasi", "Realisasi (Rp)", "rp"),
                ("selisih", "Selisih (Rp)", "rp"),
                ("serapan", "Realisasi", "pct"),
                *((f"tahap_{name}", label, "text", 12) for name, label in TAHAP_SPM),
                ("permasalahan", "Permasalahan", "text", 30),
                ("solusi", "Solusi", "text", 30),
                ("rencana_aksi", "Rencana Aksi", "text", 30),
            ),
            [
                (
                    p.kode_jpd,
                    jpd_names.get(p.kode_jpd, ""),
                    p.kode_pd,
                    p.alokasi,
                    p.realisasi,
                    p.alokasi - p.realisasi,
                    p.serapan,
                    *(p.tahap[name] for name, _ in TAHAP_SPM),
                    p.permasalahan,
                    p.solusi,
                    p.rencana_aksi,
                )
                for p in of_pd(r.spm.penerapan, kode_pd)
            ],
            note="Tahapan penerapan SPM (Permendagri 59/2021): selesai, proses atau belum, seperti e-SPM.",
        )
    )
    return out
