"""Ringkasan: the headline figures of the kota or of one PD, first in every report."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kinerja.reports.table import SEC_RINGKASAN, Table, columns
from kinerja.reports.year import YearReport


def _kota_rows(r: YearReport) -> list[tuple[Any, ...]]:
    k, tl, kumpul = r.lkpj.kota, r.lkpj.tindak_lanjut_kota, r.pengumpulan_kota
    lppd_note = f"{r.lppd.status or '-'}; perkiraan dari capaian IKK, bukan skor resmi Kemendagri"
    return [
        ("Capaian SPM daerah", r.spm.daerah, "%", r.spm.kategori or "belum ada data SPM"),
        ("Skor LPPD gaya EPPD (perkiraan)", r.lppd.skor, "skor", lppd_note),
        ("IKK LPPD berdata", Decimal(r.lppd.n_berdata), "IKK", f"dari {r.lppd.n_ikk} IKK"),
        ("LKPJ: capaian rata-rata indikator output", k.capaian_output, "%", f"{k.n_output} indikator"),
        ("LKPJ: capaian rata-rata indikator outcome", k.capaian_outcome, "%", f"{k.n_outcome} indikator"),
        ("LKPJ: pagu program", k.pagu, "Rp", f"{k.n_program} program"),
        ("LKPJ: realisasi anggaran program", k.realisasi_anggaran, "Rp", ""),
        (
            "LKPJ: serapan anggaran program",
            k.serapan,
            "%",
            r.apbd.peringatan if r.apbd and r.apbd.peringatan else "",
        ),
        (
            "Rekomendasi DPRD selesai ditindaklanjuti",
            tl.persen_selesai,
            "%",
            f"{tl.selesai} dari {tl.jumlah}",
        ),
        (
            "Laporan wajib masuk tepat waktu",
            kumpul.persen_tepat_waktu,
            "%",
            f"{kumpul.tepat_waktu} dari {kumpul.wajib}; terlambat {kumpul.terlambat}, "
            f"ditolak {kumpul.ditolak}, belum masuk {kumpul.belum_masuk}",
        ),
    ]


RINGKASAN_COLS = columns(
    ("indikator", "Indikator", "text", 44),
    ("nilai", "Nilai", "dec", 18),
    ("satuan", "Satuan", "text", 10),
    ("keterangan", "Keterangan", "text", 60),
)


def _pd_rows(r: YearReport, kode_pd: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    jpd = [j for j in r.spm.jpd if j.kode_pd == kode_pd]
    for j in jpd:
        rows.append((f"SPM: {j.nama}", j.nilai, "%", j.kategori))
    g = next((g for g in r.lppd.per_pd if g.kode == kode_pd), None)
    if g is not None:
        rows.append(("LPPD: IKK berdata", Decimal(g.n_berdata), "IKK", f"dari {g.n_ikk} IKK"))
        rows.append(("LPPD: skor gaya EPPD (perkiraan)", g.skor, "skor", g.status or ""))
    s = next((s for s in r.lkpj.per_pd if s.kode == kode_pd), None)
    if s is not None:
        rows += [
            ("LKPJ: capaian rata-rata indikator output", s.capaian_output, "%", f"{s.n_output} indikator"),
            ("LKPJ: capaian rata-rata indikator outcome", s.capaian_outcome, "%", f"{s.n_outcome} indikator"),
            ("LKPJ: pagu program", s.pagu, "Rp", f"{s.n_program} program"),
            ("LKPJ: realisasi anggaran program", s.realisasi_anggaran, "Rp", ""),
            ("LKPJ: serapan anggaran program", s.serapan, "%", ""),
        ]
    t = next((t for t in r.lkpj.tindak_lanjut_pd if t.kode == kode_pd), None)
    if t is not None:
        rows.append(
            (
                "Rekomendasi DPRD selesai ditindaklanjuti",
                t.persen_selesai,
                "%",
                f"{t.selesai} dari {t.jumlah}",
            )
        )
    return rows


def tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    """The headline figures of the kota, or of one PD."""
    if kode_pd is None:
        return [
            Table(
                "Ringkasan",
                f"Ringkasan kinerja {r.kota} tahun {r.tahun}",
                SEC_RINGKASAN,
                RINGKASAN_COLS,
                _kota_rows(r),
            )
        ]
    title = f"Ringkasan {r.nama_pd(kode_pd)} tahun {r.tahun}"
    return [Table("Ringkasan", title, SEC_RINGKASAN, RINGKASAN_COLS, _pd_rows(r, kode_pd))]
