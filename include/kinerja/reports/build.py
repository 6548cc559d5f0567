"""Every output of a reporting year, written into one folder (what the tim ahli approves):

    <out>/city.xlsx                 every table of the kota's report, one sheet each
    <out>/laporan.html              the kota's report with charts (one self-contained file)
    <out>/laporan.pdf               the headline report for print (~20 pages, no detail tables)
    <out>/lampiran.xlsx             the detail tables the PDF leaves out (its appendix)
    <out>/draf-{lkpj,lppd,spm}.docx the three documents' editable drafts (reports/docx.py)
    <out>/pd/<KODE_PD>/...          one website bundle per PD (publish/bundle.py)
    <out>/satu-data/...             tidy tables, datapackage.json, catalog.jsonld (satudata/package.py)
                                    and sumber.json, each row's agency files (lineage.py)
    <out>/ringkasan.json            the headline figures returned here

`build_outputs` is the single code path of the `compile_reports` DAG and `kinerja report`; it
returns a JSON-able summary: headline figures (numbers as exact decimal strings), a text
`ringkasan` for the reviewer, the files written (relative to `out`) and the time it took.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from kinerja.catalog.loader import Catalog
from kinerja.lineage import trace_export
from kinerja.publish.bundle import write_pd_bundle
from kinerja.reports.charts import city_charts
from kinerja.reports.docx import write_drafts
from kinerja.reports.marts import YearReport, build_marts, city_tables
from kinerja.reports.numbers import format_id
from kinerja.reports.render_html import page
from kinerja.reports.render_pdf import in_appendix, render_pdf
from kinerja.reports.render_xlsx import write_workbook
from kinerja.satudata.package import FOLDER as SATU_DATA_FOLDER
from kinerja.satudata.package import export_year
from kinerja.satudata.spec import load_spec

APPENDIX = "lampiran.xlsx"
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


def build_outputs(engine: Engine, catalog: Catalog, tahun: int, out_dir: Path) -> dict[str, Any]:
    """Compute the year's marts and write every output into `out_dir`; returns the summary."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = build_marts(engine, catalog, tahun)
    dibuat = datetime.now(catalog.tz).strftime("%d-%m-%Y %H:%M ") + catalog.tz_label
    tables = city_tables(report)
    charts = city_charts(report, catalog.scoring.kategori_spm)
    title = f"Laporan Kinerja {catalog.nama} Tahun {tahun}"
    subtitle = f"SPM, LPPD dan LKPJ · tahun pelaporan {tahun} · kode wilayah {catalog.kode_wilayah}"
    lines = ringkasan_lines(report)
    heading = f"{catalog.nama} · tahun pelaporan {tahun} · dibuat {dibuat}"
    written = [
        write_workbook(tables, heading, out_dir / "city.xlsx"),
        write_workbook([t for t in tables if in_appendix(t)], heading, out_dir / APPENDIX),
    ]
    html = page(
        title,
        subtitle,
        tables,
        charts,
        cards=_cards(report),
        footer=f"{catalog.nama} · dibuat {dibuat} · angka sebelum persetujuan tim ahli bersifat sementara",
    )
    (out_dir / "laporan.html").write_text(html, encoding="utf-8")
    written.append(out_dir / "laporan.html")
    written.append(
        render_pdf(
            title,
            subtitle,
            tables,
            charts,
            out_dir / "laporan.pdf",
            cover_lines=[*lines, "", f"Dibuat {dibuat}."],
            footer=f"{title} · dibuat {dibuat}",
            appendix_file=APPENDIX,
        )
    )
    written += write_drafts(
        catalog.city,
        tables,
        charts,
        out_dir,
        tahun=tahun,
        kota=catalog.nama,
        cover_lines=lines,
        dibuat=dibuat,
        base=catalog.reference,
    )
    for pd in report.pd:
        written += write_pd_bundle(report, pd.kode_pd, out_dir, dibuat)
    # Where `published/` is served, for catalog.jsonld's download links (relative when unset).
    public = os.environ.get("KINERJA_PUBLIC_URL", "").rstrip("/")
    base_url = f"{public}/{tahun}" if public else ""
    written += export_year(
        report, catalog, load_spec(catalog.city, catalog.reference), out_dir / SATU_DATA_FOLDER, base_url
    )
    written.append(trace_export(engine, catalog, out_dir / SATU_DATA_FOLDER))  # row → agency files
    summary = headline(report)
    summary["ringkasan"] = "\n".join(lines)
    summary["pd_bundles"] = len(report.pd)
    summary["files"] = sorted(p.relative_to(out_dir).as_posix() for p in written)
    summary["elapsed_s"] = round(time.perf_counter() - started, 2)
    (out_dir / "ringkasan.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    summary["files"].append("ringkasan.json")
    return summary


def _cards(r: YearReport) -> list[tuple[str, str]]:
    k = r.lkpj.kota
    skor = format_id(r.lppd.skor, 4) if r.lppd.skor is not None else "–"
    return [
        (f"Capaian SPM {r.tahun} ({r.spm.kategori or '–'})", _pct(r.spm.daerah)),
        (f"Skor LPPD gaya EPPD ({r.lppd.status or '–'})", skor),
        ("LKPJ: serapan anggaran program", _pct(k.serapan)),
        ("LKPJ: capaian output / outcome", f"{_pct(k.capaian_output)} / {_pct(k.capaian_outcome)}"),
        ("Laporan masuk tepat waktu", _pct(r.pengumpulan_kota.persen_tepat_waktu)),
    ]
