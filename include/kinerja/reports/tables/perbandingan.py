"""Perbandingan tahunan: each figure beside the previous year's, with the change in words."""

from __future__ import annotations

from kinerja.reports.table import SEC_YOY, Table, columns
from kinerja.reports.year import YearReport


def tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    """The kota's figures (or one PD's) beside the previous year's, when the warehouse has it."""
    items = r.perubahan if kode_pd is None else r.perubahan_pd.get(kode_pd, [])
    if r.sebelumnya is None or not items:
        return []
    a, b = r.sebelumnya.tahun, r.tahun
    return [
        Table(
            "Perbandingan Tahunan",
            f"Perbandingan {a} dan {b}",
            SEC_YOY,
            columns(
                ("indikator", "Indikator", "text", 44),
                ("kode", "Kode", "text", 14),
                ("satuan", "Satuan", "text", 8),
                (f"nilai_{a}", str(a), "dec"),
                (f"nilai_{b}", str(b), "dec"),
                ("selisih", "Selisih (poin)", "dec"),
                ("relatif_persen", "Perubahan Relatif", "pct"),
                ("keterangan", "Keterangan", "text", 60),
            ),
            [
                (p.indikator, p.kode, p.satuan, p.sebelum, p.sesudah, p.selisih, p.relatif, p.kalimat)
                for p in items
            ],
            note="Perubahan persentase dinyatakan dalam poin persentase; perubahan relatif "
            f"dibandingkan dengan nilai {a}.",
        )
    ]
