"""Pengumpulan: timeliness per PD (kota only) and the status of every report to hand in."""

from __future__ import annotations

from datetime import UTC, datetime

from kinerja.reports.table import SEC_KUMPUL, Table, columns, of_pd
from kinerja.reports.year import YearReport


def _local(r: YearReport, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite returns UTC without its zone
        value = value.replace(tzinfo=UTC)
    return value.astimezone(r._tz) if r._tz is not None else value


def tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    out = []
    if kode_pd is None:
        out.append(
            Table(
                "Pengumpulan PD",
                f"Ketepatan waktu pengumpulan data per PD (batas {r.batas_pengumpulan:%d-%m-%Y})",
                SEC_KUMPUL,
                columns(
                    ("kode_pd", "Kode PD", "text", 16),
                    ("pd", "Perangkat Daerah", "text", 40),
                    ("wajib", "Laporan Wajib", "int"),
                    ("tepat_waktu", "Tepat Waktu", "int"),
                    ("terlambat", "Terlambat", "int"),
                    ("ditolak", "Ditolak", "int"),
                    ("belum_masuk", "Belum Masuk", "int"),
                    ("persen_tepat_waktu", "Tepat Waktu", "pct"),
                ),
                [
                    (
                        p.kode_pd,
                        p.nama,
                        p.wajib,
                        p.tepat_waktu,
                        p.terlambat,
                        p.ditolak,
                        p.belum_masuk,
                        p.persen_tepat_waktu,
                    )
                    for p in [*r.pengumpulan_pd, r.pengumpulan_kota]
                ],
            )
        )
    out.append(
        Table(
            "Pengumpulan",
            f"Status pengumpulan per laporan (batas {r.batas_pengumpulan:%d-%m-%Y})",
            SEC_KUMPUL,
            columns(
                ("kode_pd", "Kode PD", "text", 16),
                ("pd", "Perangkat Daerah", "text", 40),
                ("laporan", "Laporan", "text", 8),
                ("status", "Status", "text", 12),
                ("versi_diterima", "Versi Masuk", "int"),
                ("versi_ditolak", "Versi Ditolak", "int"),
                ("versi_dimuat", "Versi Dimuat", "int"),
                ("terakhir_diterima", f"Terakhir Masuk ({r.zona})", "datetime"),
            ),
            [
                (
                    s.kode_pd,
                    s.nama_pd,
                    s.laporan,
                    s.status,
                    s.received,
                    s.rejected,
                    s.loaded,
                    _local(r, s.last_received_at),
                )
                for s in of_pd(r.pengumpulan, kode_pd)
            ],
            detail=kode_pd is None,
        )
    )
    return out
