"""LPPD tables: EPPD bands, urusan, the kota's IKK and per PD (kota only), and IKK per PD."""

from __future__ import annotations

from kinerja.reports.table import SEC_LPPD, Table, columns, of_pd
from kinerja.reports.year import YearReport
from kinerja.rules.numbers import exact, round_half_up


def tables(r: YearReport, kode_pd: str | None) -> list[Table]:
    out = []
    lp = r.lppd
    if kode_pd is None:
        out.append(
            Table(
                "LPPD Status",
                f"Pita status EPPD yang berlaku untuk LPPD {r.tahun}",
                SEC_LPPD,
                columns(
                    ("status", "Status", "text", 16),
                    ("skor_min", "Skor Minimal", "dec"),
                    ("sumber", "Sumber", "text", 90),
                ),
                [(b.nama, round_half_up(exact(b.min), 2), lp.sumber_status) for b in lp.bands],
                note="Skor gaya EPPD: perkiraan dari capaian IKK, bukan skor resmi Kemendagri; "
                "tidak dibatasi di 4. Skor per IKK: " + lp.sumber_skor + " Bobot: " + lp.sumber_bobot,
            )
        )
        out.append(
            Table(
                "LPPD Urusan",
                "Capaian IKK dan skor gaya EPPD per urusan",
                SEC_LPPD,
                columns(
                    ("urusan", "Urusan", "text", 44),
                    ("jumlah_ikk", "Jumlah IKK", "int"),
                    ("ikk_berdata", "IKK Berdata", "int"),
                    ("rata_capaian", "Rata-rata Capaian (IKK %)", "pct"),
                    ("skor", "Skor gaya EPPD", "dec"),
                    ("status", "Status", "text", 14),
                ),
                [
                    (g.nama, g.n_ikk, g.n_berdata, g.rata_capaian, g.skor, g.status or "")
                    for g in lp.per_urusan
                ],
            )
        )
        prev = {x.kode_ikk: x.capaian for x in r.sebelumnya.lppd.kota} if r.sebelumnya else {}
        cols = columns(
            ("urusan", "Urusan", "text", 26),
            ("kode_ikk", "Kode IKK", "text", 13),
            ("ikk", "Indikator Kinerja Kunci", "text", 44),
            ("rumus", "Rumus", "text", 20),
            ("satuan", "Satuan", "text", 8),
            ("arah", "Arah", "text", 9),
            ("jenis_ikk", "Jenis IKK", "text", 14),
            ("pembilang", "Pembilang", "dec", 14),
            ("penyebut", "Penyebut", "dec", 14),
            ("capaian", f"Capaian {r.tahun}", "dec"),
            ("skor", "Skor gaya EPPD", "dec"),
            ("pd_pelapor", "PD Pelapor", "int"),
            ("pd_wajib", "PD Wajib", "int"),
        )
        if r.sebelumnya:
            cols += columns(("capaian_sebelumnya", f"Capaian {r.sebelumnya.tahun}", "dec"))
        out.append(
            Table(
                "LPPD IKK",
                "Capaian IKK kota: Σ pembilang / Σ penyebut dari semua PD pelapor",
                SEC_LPPD,
                cols,
                [
                    (
                        x.urusan,
                        x.kode_ikk,
                        x.nama,
                        x.rumus,
                        x.satuan,
                        x.arah,
                        x.jenis_ikk.replace("_", " "),
                        x.pembilang,
                        x.penyebut,
                        x.capaian,
                        x.skor,
                        x.pelapor,
                        x.wajib,
                    )
                    + ((prev.get(x.kode_ikk),) if r.sebelumnya else ())
                    for x in lp.kota
                ],
                note="Capaian = pembilang / penyebut × 100 untuk IKK bersatuan %, selain itu rasio apa "
                "adanya. IKK tanpa satuan % tidak diberi skor.",
            )
        )
        out.append(
            Table(
                "LPPD PD",
                "Capaian IKK dan skor gaya EPPD per perangkat daerah",
                SEC_LPPD,
                columns(
                    ("kode_pd", "Kode PD", "text", 16),
                    ("pd", "Perangkat Daerah", "text", 40),
                    ("jumlah_ikk", "Jumlah IKK", "int"),
                    ("ikk_berdata", "IKK Berdata", "int"),
                    ("rata_capaian", "Rata-rata Capaian (IKK %)", "pct"),
                    ("skor", "Skor gaya EPPD", "dec"),
                    ("status", "Status", "text", 14),
                ),
                [
                    (g.kode, g.nama, g.n_ikk, g.n_berdata, g.rata_capaian, g.skor, g.status or "")
                    for g in lp.per_pd
                ],
            )
        )
    out.append(
        Table(
            "LPPD IKK per PD" if kode_pd is None else "LPPD IKK",
            "Capaian IKK per perangkat daerah"
            if kode_pd is None
            else "Capaian Indikator Kinerja Kunci (IKK)",
            SEC_LPPD,
            columns(
                ("kode_pd", "Kode PD", "text", 16),
                ("urusan", "Urusan", "text", 26),
                ("kode_ikk", "Kode IKK", "text", 13),
                ("ikk", "Indikator Kinerja Kunci", "text", 44),
                ("satuan", "Satuan", "text", 8),
                ("pembilang", "Pembilang", "dec", 14),
                ("penyebut", "Penyebut", "dec", 14),
                ("capaian", "Capaian", "dec"),
                ("skor", "Skor gaya EPPD", "dec"),
                ("penjelasan", "Penjelasan", "text", 30),
                ("data_dukung", "Data Dukung", "text", 30),
            ),
            [
                (
                    x.kode_pd,
                    x.urusan,
                    x.kode_ikk,
                    x.nama,
                    x.satuan,
                    x.pembilang,
                    x.penyebut,
                    x.capaian,
                    x.skor,
                    x.penjelasan if x.capaian is not None else "belum dilaporkan",
                    x.data_dukung,
                )
                for x in of_pd(lp.pd, kode_pd)
            ],
            detail=kode_pd is None,
        )
    )
    return out
