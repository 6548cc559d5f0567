"""Charts of a reporting year as PNG bytes (matplotlib, Agg canvas, no pyplot state).

The kota report tells its story in five: SPM per bidang against the category bands (with the
previous year when there is one), year over year of the headline percentages, submission
timeliness per PD, and the weakest and strongest JPD and IKK. A PD's bundle gets its SPM
per JPD, its IKK achievement and its programmes' achievement and budget absorption.

Labels use Indonesian number format; '$' in any label is escaped (matplotlib would read it as
mathematics). The same PNG is embedded in the HTML (base64) and placed in the PDF.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from kinerja.catalog.scoring import Band
from kinerja.cells import format_id
from kinerja.reports.table import SEC_KUMPUL, SEC_LKPJ, SEC_LPPD, SEC_SPM, SEC_YOY
from kinerja.reports.year import YearReport

BIRU, ABU, HIJAU, JINGGA, MERAH, KELABU = "#1f4e78", "#a6a6a6", "#4e9a06", "#f0a30a", "#c00000", "#d9d9d9"
DPI = 110
CHART_KEYS = ("spm_bidang", "spm_terendah", "ikk_terendah", "perbandingan", "pengumpulan")
"""The kota report's charts, by key (what `dokumen.yaml` may place in a chapter)."""


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    section: str
    png: bytes
    alt: str
    """A sentence saying what the chart shows (alt text, PDF caption)."""
    width_in: float
    height_in: float


def _label(text: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(text.replace("$", r"\$"), width)[:2]) or "-"


def _pct_axis(ax: object) -> None:
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{format_id(Decimal(str(v)), 0)} %"))  # type: ignore[attr-defined]


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _margins(fig: Figure, width: float, height: float, left_in: float, legend: bool) -> None:
    """Fixed margins in inches (one draw per chart; a constrained layout would draw twice)."""
    bottom_in = 0.45 + (0.3 if legend else 0)
    fig.subplots_adjust(
        left=min(left_in, width * 0.55) / width,
        right=1 - 0.15 / width,
        top=1 - 0.35 / height,
        bottom=bottom_in / height,
    )


def _hbars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None], str]],
    title: str,
    xmax: float | None = None,
    width: float = 8.0,
    bands: Sequence[Band] = (),
) -> tuple[bytes, float]:
    """Horizontal grouped bars, first label on top; returns (png, height in inches)."""
    n, k = len(labels), len(series)
    height = max(2.2, 0.32 * n * max(k, 1) ** 0.6 + 1.2)
    fig = Figure(figsize=(width, height))
    wrapped = [_label(t) for t in reversed(labels)]
    longest = max((len(line) for t in wrapped for line in t.split("\n")), default=4)
    _margins(fig, width, height, left_in=0.3 + 0.068 * longest, legend=k > 1)
    ax = fig.add_subplot()
    bar = 0.8 / max(k, 1)
    top = max([float(v) for _, vs, _ in series for v in vs if v is not None] + [1.0])
    limit = xmax if xmax is not None else top * 1.18
    for j, (name, values, color) in enumerate(series):
        ys = [n - 1 - i + (k - 1 - j) * bar - (k - 1) * bar / 2 for i in range(n)]
        xs = [float(v) if v is not None else 0.0 for v in values]
        ax.barh(ys, xs, height=bar * 0.92, color=color, label=name)
        for y, v in zip(ys, values, strict=True):
            text = f"{format_id(v)} %" if v is not None else "tidak ada data"
            ax.text(float(v or 0) + limit * 0.01, y, text, va="center", fontsize=7)
    for band in bands:  # the category limits, so the eye reads which band each bar reaches
        if 0 < band.min <= limit:
            ax.axvline(band.min, color=JINGGA, linewidth=0.8, linestyle="--", zorder=0)
            ax.text(
                band.min, n - 0.45, band.nama, rotation=90, fontsize=6, color="#8a5a00", va="top", ha="right"
            )
    ax.set_yticks(range(n), wrapped, fontsize=8)
    ax.set_xlim(0, max(limit, top * 1.18))
    _pct_axis(ax)
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)
    ax.set_ylim(-0.6, n - 0.4)
    if k > 1:
        fig.legend(fontsize=7, loc="lower center", ncol=k, frameon=False)
    return _png(fig), height


def spm_bidang_chart(r: YearReport, bands: Sequence[Band] = ()) -> Chart | None:
    if not r.spm.bidang:
        return None
    labels = [b.nama for b in r.spm.bidang] + [f"Capaian SPM {r.kota}"]
    series: list[tuple[str, Sequence[Decimal | None], str]] = []
    if r.sebelumnya is not None:
        prev = {b.kode: b.nilai for b in r.sebelumnya.spm.bidang}
        series.append(
            (
                str(r.sebelumnya.tahun),
                [prev.get(b.kode) for b in r.spm.bidang] + [r.sebelumnya.spm.daerah],
                ABU,
            )
        )
    series.append((str(r.tahun), [b.nilai for b in r.spm.bidang] + [r.spm.daerah], BIRU))
    title = f"Capaian SPM per bidang, {r.tahun}"
    png, h = _hbars(labels, series, title, xmax=115, bands=bands)
    return Chart(
        "spm_bidang",
        title,
        SEC_SPM,
        png,
        f"Capaian SPM {r.kota} {r.tahun}: {format_id(r.spm.daerah)} % ({r.spm.kategori})"
        if r.spm.daerah is not None
        else "Belum ada data SPM.",
        8.0,
        h,
    )


def yoy_chart(r: YearReport) -> Chart | None:
    if r.sebelumnya is None:
        return None
    keys = ("SPM", "serapan", "capaian_output", "capaian_outcome", "tindak_lanjut", "tepat_waktu")
    items = [p for k in keys for p in r.perubahan if p.kode == k and p.satuan == "%"]
    if not items:
        return None
    title = f"Perbandingan {r.sebelumnya.tahun} dan {r.tahun}"
    png, h = _hbars(
        [p.indikator for p in items],
        [
            (str(r.sebelumnya.tahun), [p.sebelum for p in items], ABU),
            (str(r.tahun), [p.sesudah for p in items], BIRU),
        ],
        title,
        xmax=115,
    )
    return Chart("perbandingan", title, SEC_YOY, png, items[0].indikator + ": " + items[0].kalimat, 8.0, h)


def timeliness_chart(r: YearReport) -> Chart | None:
    rows = r.pengumpulan_pd
    if not rows:
        return None
    n = len(rows)
    height = 0.2 * n + 1.4
    fig = Figure(figsize=(8.0, height))
    _margins(fig, 8.0, height, left_in=0.3 + 0.06 * max(len(p.kode_pd) for p in rows), legend=True)
    fig.subplots_adjust(bottom=0.95 / height)  # room for the axis label and the legend
    ax = fig.add_subplot()
    ys = list(range(n - 1, -1, -1))
    left = [0.0] * n
    for name, attr, color in (
        ("tepat waktu", "tepat_waktu", HIJAU),
        ("terlambat", "terlambat", JINGGA),
        ("ditolak", "ditolak", MERAH),
        ("belum masuk", "belum_masuk", KELABU),
    ):
        values = [float(getattr(p, attr)) for p in rows]
        ax.barh(ys, values, left=left, color=color, label=name, height=0.75)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(ys, [p.kode_pd for p in rows], fontsize=6.5)
    ax.set_xlabel("jumlah laporan wajib (SPM, LPPD, LKPJ)", fontsize=8)
    ax.set_xticks(range(0, 4))
    ax.set_xlim(0, 3.2)
    k = r.pengumpulan_kota
    title = f"Ketepatan waktu pengumpulan per PD (batas {r.batas_pengumpulan:%d-%m-%Y})"
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_ylim(-0.6, n - 0.4)
    fig.legend(fontsize=7, loc="lower center", ncol=4, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    alt = (
        f"{k.tepat_waktu} dari {k.wajib} laporan wajib masuk tepat waktu, {k.terlambat} terlambat, "
        f"{k.ditolak} ditolak, {k.belum_masuk} belum masuk."
    )
    return Chart("pengumpulan", title, SEC_KUMPUL, _png(fig), alt, 8.0, height)


def _ends(items: Sequence[tuple[str, Decimal]], n: int) -> list[tuple[str, Decimal]]:
    """The `n` lowest then the `n` highest (each once when there are few)."""
    ranked = sorted(items, key=lambda x: (x[1], x[0]))
    low = ranked[:n]
    return low + [x for x in ranked[-n:] if x not in low]


def spm_ends_chart(r: YearReport, n: int = 5) -> Chart | None:
    ends = _ends([(f"{j.nama} ({j.kode_pd})", j.nilai) for j in r.spm.jpd], n)
    if not ends:
        return None
    title = f"JPD dengan nilai SPM terendah dan tertinggi, {r.tahun}"
    png, h = _hbars([t for t, _ in ends], [(str(r.tahun), [v for _, v in ends], BIRU)], title, xmax=115)
    alt = f"Nilai terendah: {ends[0][0]}, {format_id(ends[0][1])} %."
    return Chart("spm_terendah", title, SEC_SPM, png, alt, 8.0, h)


def ikk_ends_chart(r: YearReport, n: int = 5) -> Chart | None:
    pct = [x for x in r.lppd.kota if x.satuan == "%" and x.capaian is not None]
    ends = _ends([(f"{x.kode_ikk} {x.nama}", x.capaian) for x in pct if x.capaian is not None], n)
    if not ends:
        return None
    title = f"IKK (satuan %) dengan capaian terendah dan tertinggi, {r.tahun}"
    png, h = _hbars([t for t, _ in ends], [(str(r.tahun), [v for _, v in ends], BIRU)], title)
    alt = f"Capaian terendah: {ends[0][0]}, {format_id(ends[0][1])} %."
    return Chart("ikk_terendah", title, SEC_LPPD, png, alt, 8.0, h)


def city_charts(r: YearReport, bands: Sequence[Band] = ()) -> list[Chart]:
    """The kota report's charts in reading order; `bands`: the SPM categories to draw."""
    charts = (
        spm_bidang_chart(r, bands),
        spm_ends_chart(r),
        ikk_ends_chart(r),
        yoy_chart(r),
        timeliness_chart(r),
    )
    return [c for c in charts if c is not None]


def pd_charts(r: YearReport, kode_pd: str) -> list[Chart]:
    out = []
    jpd = [j for j in r.spm.jpd if j.kode_pd == kode_pd]
    if jpd:
        title = f"Nilai SPM per JPD, {r.tahun}"
        png, h = _hbars(
            [j.nama for j in jpd], [(str(r.tahun), [j.nilai for j in jpd], BIRU)], title, xmax=115
        )
        out.append(Chart("spm_jpd", title, SEC_SPM, png, f"Nilai SPM {len(jpd)} JPD.", 8.0, h))
    ikk = [x for x in r.lppd.pd if x.kode_pd == kode_pd and x.satuan == "%"]
    if ikk:
        title = f"Capaian IKK (satuan %), {r.tahun}"
        png, h = _hbars(
            [f"{x.kode_ikk} {x.nama}" for x in ikk], [(str(r.tahun), [x.capaian for x in ikk], BIRU)], title
        )
        out.append(Chart("lppd_ikk", title, SEC_LPPD, png, f"Capaian {len(ikk)} IKK bersatuan %.", 8.0, h))
    program = [x for x in r.lkpj.rows if x.kode_pd == kode_pd and x.tingkat == "program"]
    seen: dict[str, tuple[str, Decimal | None, Decimal | None]] = {}
    for x in program:
        if x.kode not in seen:
            seen[x.kode] = (f"{x.kode} {x.uraian}", x.capaian, x.serapan)
    if seen:
        rows = list(seen.values())
        title = f"Program: capaian indikator utama dan serapan anggaran, {r.tahun}"
        png, h = _hbars(
            [t for t, _, _ in rows],
            [
                ("capaian indikator", [c for _, c, _ in rows], BIRU),
                ("serapan anggaran", [s for _, _, s in rows], ABU),
            ],
            title,
        )
        out.append(
            Chart("lkpj_program", title, SEC_LKPJ, png, f"Capaian dan serapan {len(rows)} program.", 8.0, h)
        )
    return out
