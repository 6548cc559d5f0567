"""LKPJ tables: programmes and budget per PD and per urusan (kota only), and the detail per level
(program, kegiatan, sub kegiatan) and kind of indicator."""

from __future__ import annotations

from typing import Any

from kinerja.reports.lkpj import JENIS, NAMA_TINGKAT, TINGKAT, LkpjSummary
from kinerja.reports.table import SEC_LKPJ, Table, columns, of_pd
from kinerja.reports.year import YearReport

LKPJ_SUMMARY_COLS = (
    ("jumlah_program", "Program", "int", 9),
    ("jumlah_kegiatan", "Kegiatan", "int", 9),
    ("jumlah_sub_kegiatan", "Sub Kegiatan", "int", 9),
    ("indikator_output", "Indikator Output", "int", 9),
    ("capaian_output", "Capaian Output", "pct"),
    ("indikator_outcome", "Indikator Outcome", "int", 9),
    ("capaian_outcome", "Capaian Outcome", "pct"),
    ("pagu", "Pagu Program (Rp)", "rp"),
    ("realisasi_anggaran", "Realisasi (Rp)", "rp"),
    ("serapan", "Serapan", "pct"),
)


def _summary_row(s: LkpjSummary) -> tuple[Any, ...]:
    return (
        s.kode,
        s.nama,
        s.n_program,
        s.n_kegiatan,
        s.n_sub_kegiatan,
        s.n_output,
        s.capaian_output,
        s.n_outcome,
        s.capaian_outcome,
        s.pagu,
        s.realisasi_anggaran,
        s.serapan,
    )


def tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    out = []
    note = (
        "Capaian output dan outcome dipisah; rata-rata memakai capaian per indikator yang dibatasi batas "
        "atas indeks (scoring.yaml). "
        "Pagu = jumlah pagu tingkat program."
    )
    if kode_pd is None:
        out.append(
            Table(
                "LKPJ PD",
                "Kinerja program dan anggaran per perangkat daerah",
                SEC_LKPJ,
                columns(
                    ("kode_pd", "Kode PD", "text", 16),
                    ("pd", "Perangkat Daerah", "text", 40),
                    *LKPJ_SUMMARY_COLS,
                ),
                [_summary_row(s) for s in r.lkpj.per_pd] + [_summary_row(r.lkpj.kota)],
                note=note,
            )
        )
        out.append(
            Table(
                "LKPJ Urusan",
                "Kinerja program dan anggaran per bidang urusan",
                SEC_LKPJ,
                columns(
                    ("kode_urusan", "Kode", "text", 8),
                    ("urusan", "Bidang Urusan", "text", 44),
                    *LKPJ_SUMMARY_COLS,
                ),
                [_summary_row(s) for s in r.lkpj.per_urusan],
                note=note,
            )
        )
    detail_cols = columns(
        ("kode_pd", "PD", "text", 14),
        ("kode_urusan", "Urusan", "text", 8),
        ("kode", "Kode", "text", 18),
        ("uraian", "Uraian", "text", 40),
        ("indikator", "Indikator", "text", 40),
        ("arah", "Arah", "text", 9),
        ("satuan", "Satuan", "text", 8),
        ("target", "Target", "dec"),
        ("realisasi", "Realisasi", "dec"),
        ("capaian", "Capaian", "pct"),
        ("catatan_capaian", "Catatan Capaian", "text", 30),
        ("pagu", "Pagu (Rp)", "rp"),
        ("realisasi_anggaran", "Realisasi Anggaran (Rp)", "rp"),
        ("serapan", "Serapan", "pct"),
        ("permasalahan", "Permasalahan", "text", 30),
        ("solusi", "Solusi", "text", 30),
    )
    for tingkat in TINGKAT:
        for jenis in JENIS:
            rows = [
                (
                    x.kode_pd,
                    x.kode_urusan,
                    x.kode,
                    x.uraian,
                    x.indikator,
                    x.arah,
                    x.satuan,
                    x.target,
                    x.realisasi,
                    x.capaian,
                    x.catatan,
                    x.pagu,
                    x.realisasi_anggaran,
                    x.serapan,
                    x.permasalahan,
                    x.solusi,
                )
                for x in of_pd(r.lkpj.rows, kode_pd)
                if x.tingkat == tingkat and x.jenis_indikator == jenis
            ]
            # The city report always has every detail table (the drafts of dokumen.yaml name them),
            # empty when nobody handed in such rows; a PD's bundle only the ones it has rows for.
            if rows or kode_pd is None:
                out.append(
                    Table(
                        f"LKPJ {NAMA_TINGKAT[tingkat]} {jenis.capitalize()}",
                        f"{NAMA_TINGKAT[tingkat]}: indikator {jenis}, target dan realisasi, pagu dan serapan",
                        SEC_LKPJ,
                        detail_cols,
                        rows,
                        note="Capaian = realisasi / target × 100; indikator berarah negatif (makin rendah "
                        "makin baik) = target / realisasi × 100.",
                        detail=kode_pd is None and tingkat != "program",
                    )
                )
    return out
