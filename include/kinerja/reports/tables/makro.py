"""Macro indicators (Bappeda) and the APBD totals (BPKAD), in the LKPJ section."""

from __future__ import annotations

from typing import Any

from kinerja.reports.table import SEC_LKPJ, Table, columns
from kinerja.reports.year import YearReport


def _wajib(r: YearReport, kode_pd: str) -> list[str]:
    return [s.laporan for s in r.pengumpulan if s.kode_pd == kode_pd]


MAKRO_COLS = (
    ("kode", "Kode", "text", 14),
    ("indikator", "Indikator", "text", 44),
    ("satuan", "Satuan", "text", 12),
    ("arah", "Arah", "text", 9),
)


def tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    """Macro indicators (Bappeda) and the APBD totals (BPKAD): in the city report and in the bundle
    of the PD that handed them in."""
    out = []
    pd_makro = next((p.kode_pd for p in r.pd if "MAKRO" in _wajib(r, p.kode_pd)), None)
    if r.makro and (kode_pd is None or kode_pd == pd_makro):
        prev = {m.kode: m for m in r.sebelumnya.makro} if r.sebelumnya else {}
        cols = columns(
            *MAKRO_COLS, ("nilai", f"Nilai {r.tahun}", "dec"), ("tahun_data", "Tahun Data", "text", 10)
        )
        if r.sebelumnya:
            cols += columns(("nilai_sebelumnya", f"Nilai {r.sebelumnya.tahun}", "dec"))
        cols += columns(("sumber", "Sumber (BPS)", "text", 40), ("tautan", "Tautan", "text", 40))
        rows = []
        for m in r.makro:
            row: tuple[Any, ...] = (m.kode, m.nama, m.satuan, m.arah, m.nilai, str(m.tahun_data or ""))
            if r.sebelumnya:
                row += (prev[m.kode].nilai if m.kode in prev else None,)
            rows.append((*row, m.sumber, m.tautan))
        out.append(
            Table(
                "Indikator Makro",
                f"Indikator makro daerah {r.kota} (angka BPS, diisi Bappeda)",
                SEC_LKPJ,
                cols,
                rows,
                note="Arah negatif: makin rendah makin baik (kemiskinan, pengangguran, Gini). "
                "Perubahan dan artinya: tabel Perbandingan Tahunan.",
            )
        )
    apbd = r.apbd
    pd_apbd = next((p.kode_pd for p in r.pd if "APBD" in _wajib(r, p.kode_pd)), None)
    # Always in the city report (empty cells until BPKAD hands in): the drafts name the table.
    if apbd and apbd.rows and (kode_pd is None or (kode_pd == pd_apbd and apbd.ada_data)):
        note = (
            "Jumlah dan SILPA dihitung dari kelompok akun (SILPA = pendapatan − belanja + pembiayaan netto)."
        )
        if apbd.peringatan and kode_pd is None:
            note += " PERINGATAN: " + apbd.peringatan
        out.append(
            Table(
                "APBD",
                f"Anggaran dan realisasi APBD {r.kota} tahun {r.tahun}",
                SEC_LKPJ,
                columns(
                    ("kode", "Kode", "text", 12),
                    ("uraian", "Uraian", "text", 44),
                    ("anggaran", "Anggaran (Rp)", "rp"),
                    ("realisasi", "Realisasi (Rp)", "rp"),
                    ("persen", "Realisasi", "pct"),
                ),
                [(x.kode, x.uraian, x.anggaran, x.realisasi, x.persen) for x in apbd.rows],
                note=note,
            )
        )
    return out
