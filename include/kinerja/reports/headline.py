"""The year's headline figures: the JSON summary the reviewer and `kinerja report --json` get
(numbers as exact decimal strings), the lines in Bahasa Indonesia (the reviewer, the CLI, the PDF
cover) and the cards at the top of the HTML report."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kinerja.cells import format_id
from kinerja.reports.year import YearReport

HEADLINE_KODE = (
    "SPM",
    "LPPD",
    "serapan",
    "capaian_output",
    "capaian_outcome",
    "tindak_lanjut",
    "tepat_waktu",
)


def _s(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _pct(value: Decimal | None) -> str:
    return f"{format_id(value)} %" if value is not None else "–"


def headline(r: YearReport) -> dict[str, Any]:
    k, tl, c = r.lkpj.kota, r.lkpj.tindak_lanjut_kota, r.pengumpulan_kota
    return {
        "tahun": r.tahun,
        "kota": r.kota,
        "kode_wilayah": r.kode_wilayah,
        "tahun_sebelumnya": r.sebelumnya.tahun if r.sebelumnya else None,
        "spm": {
            "daerah": _s(r.spm.daerah),
            "kategori": r.spm.kategori,
            "bidang": {b.kode: _s(b.nilai) for b in r.spm.bidang},
            "kategori_bidang": {b.kode: b.kategori for b in r.spm.bidang},
        },
        "lppd": {
            "skor": _s(r.lppd.skor),
            "status": r.lppd.status,
            "sumber_status": r.lppd.sumber_status,
            "ikk": r.lppd.n_ikk,
            "ikk_berdata": r.lppd.n_berdata,
        },
        "lkpj": {
            "program": k.n_program,
            "kegiatan": k.n_kegiatan,
            "sub_kegiatan": k.n_sub_kegiatan,
            "capaian_output": _s(k.capaian_output),
            "capaian_outcome": _s(k.capaian_outcome),
            "pagu": _s(k.pagu),
            "realisasi_anggaran": _s(k.realisasi_anggaran),
            "serapan": _s(k.serapan),
            "tindak_lanjut": {
                "jumlah": tl.jumlah,
                "selesai": tl.selesai,
                "proses": tl.proses,
                "belum": tl.belum,
                "persen_selesai": _s(tl.persen_selesai),
            },
        },
        "makro": {
            m.kode: {"nilai": _s(m.nilai), "satuan": m.satuan, "tahun_data": m.tahun_data, "sumber": m.sumber}
            for m in r.makro
        },
        "apbd": {
            x.kode: {"anggaran": _s(x.anggaran), "realisasi": _s(x.realisasi), "persen": _s(x.persen)}
            for x in (r.apbd.rows if r.apbd and r.apbd.ada_data else [])
        },
        "peringatan": [r.apbd.peringatan] if r.apbd and r.apbd.peringatan else [],
        "pengumpulan": {
            "wajib": c.wajib,
            "tepat_waktu": c.tepat_waktu,
            "terlambat": c.terlambat,
            "ditolak": c.ditolak,
            "belum_masuk": c.belum_masuk,
            "persen_tepat_waktu": _s(c.persen_tepat_waktu),
        },
        "perubahan": [
            {
                "indikator": p.indikator,
                "satuan": p.satuan,
                "sebelum": _s(p.sebelum),
                "sesudah": _s(p.sesudah),
                "selisih": _s(p.selisih),
                "relatif_persen": _s(p.relatif),
                "kalimat": p.kalimat,
            }
            for p in r.perubahan
            if p.kode in HEADLINE_KODE
        ],
    }


def _apbd_lines(r: YearReport) -> list[str]:
    if r.apbd is None or not r.apbd.ada_data:
        return []
    row = {x.kode: x for x in r.apbd.rows}
    belanja, silpa = row["BELANJA"], row["SILPA"]

    def rp(value: Decimal | None) -> str:
        return f"Rp {format_id(value, 0)}" if value is not None else "–"

    lines = [
        f"APBD: realisasi belanja {_pct(belanja.persen)} ({rp(belanja.realisasi)} dari "
        f"{rp(belanja.anggaran)}); SILPA {rp(silpa.realisasi)}"
    ]
    if r.apbd.peringatan:
        lines.append(f"PERINGATAN: {r.apbd.peringatan}")
    return lines


def ringkasan_lines(r: YearReport) -> list[str]:
    """The headline figures in Bahasa Indonesia, for the reviewer, the CLI and the PDF cover."""
    k, tl, c = r.lkpj.kota, r.lkpj.tindak_lanjut_kota, r.pengumpulan_kota
    skor = format_id(r.lppd.skor, 4) if r.lppd.skor is not None else "–"
    lines = [
        f"Capaian SPM {r.kota} {r.tahun}: {_pct(r.spm.daerah)} ({r.spm.kategori or 'belum ada data'})",
        f"LPPD: skor gaya EPPD {skor} ({r.lppd.status or '–'}), "
        f"{r.lppd.n_berdata} dari {r.lppd.n_ikk} IKK berdata",
        f"LKPJ: capaian output {_pct(k.capaian_output)}, outcome {_pct(k.capaian_outcome)}; "
        f"serapan anggaran program {_pct(k.serapan)} (Rp {format_id(k.realisasi_anggaran, 0)} dari "
        f"Rp {format_id(k.pagu, 0)})",
        *_apbd_lines(r),
        f"Tindak lanjut rekomendasi DPRD: {tl.selesai} selesai, {tl.proses} proses, {tl.belum} belum "
        f"dari {tl.jumlah}",
        f"Pengumpulan: {c.tepat_waktu} dari {c.wajib} laporan wajib tepat waktu, {c.terlambat} terlambat, "
        f"{c.ditolak} ditolak, {c.belum_masuk} belum masuk",
    ]
    for p in r.perubahan:
        if p.kode in ("SPM", "LPPD"):
            lines.append(f"{p.indikator}: {p.kalimat}")
    return lines


def cards(r: YearReport) -> list[tuple[str, str]]:
    k = r.lkpj.kota
    skor = format_id(r.lppd.skor, 4) if r.lppd.skor is not None else "–"
    return [
        (f"Capaian SPM {r.tahun} ({r.spm.kategori or '–'})", _pct(r.spm.daerah)),
        (f"Skor LPPD gaya EPPD ({r.lppd.status or '–'})", skor),
        ("LKPJ: serapan anggaran program", _pct(k.serapan)),
        ("LKPJ: capaian output / outcome", f"{_pct(k.capaian_output)} / {_pct(k.capaian_outcome)}"),
        ("Laporan masuk tepat waktu", _pct(r.pengumpulan_kota.persen_tepat_waktu)),
    ]
