"""Tindak lanjut: the follow-up of the DPRD's recommendations, per PD (kota only) and each one."""

from __future__ import annotations

from kinerja.reports.table import SEC_TL, Table, columns, of_pd
from kinerja.reports.year import YearReport


def tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    out = []
    if kode_pd is None:
        out.append(
            Table(
                "Tindak Lanjut PD",
                "Tindak lanjut rekomendasi DPRD per perangkat daerah",
                SEC_TL,
                columns(
                    ("kode_pd", "Kode PD", "text", 16),
                    ("pd", "Perangkat Daerah", "text", 40),
                    ("jumlah", "Rekomendasi", "int"),
                    ("selesai", "Selesai", "int"),
                    ("proses", "Proses", "int"),
                    ("belum", "Belum", "int"),
                    ("persen_selesai", "Selesai", "pct"),
                    ("selesai_tanpa_bukti", "Selesai tanpa Bukti", "int"),
                ),
                [
                    (t.kode, t.nama, t.jumlah, t.selesai, t.proses, t.belum, t.persen_selesai, t.tanpa_bukti)
                    for t in [*r.lkpj.tindak_lanjut_pd, r.lkpj.tindak_lanjut_kota]
                ],
            )
        )
    out.append(
        Table(
            "Tindak Lanjut DPRD",
            "Tindak lanjut rekomendasi DPRD atas LKPJ tahun sebelumnya",
            SEC_TL,
            columns(
                ("kode_pd", "PD", "text", 14),
                ("tahun_lkpj", "Tahun LKPJ", "int", 8),
                ("nomor", "No", "int", 5),
                ("rekomendasi", "Rekomendasi DPRD", "text", 44),
                ("komisi", "Komisi", "text", 10),
                ("tindak_lanjut", "Tindak Lanjut", "text", 44),
                ("status", "Status", "text", 9),
                ("bukti", "Bukti", "text", 30),
            ),
            [
                (
                    x.kode_pd,
                    x.tahun_lkpj,
                    x.nomor,
                    x.rekomendasi,
                    x.komisi,
                    x.tindak_lanjut,
                    x.status,
                    x.bukti,
                )
                for x in of_pd(r.lkpj.rekomendasi, kode_pd)
            ],
            detail=kode_pd is None,
        )
    )
    return out
