"""The kota's report as a PDF (reportlab): A4 landscape, the headline report with its charts.

Reading order follows the HTML report: summary, SPM, LPPD, LKPJ, DPRD follow-up, collection,
year over year; each section shows its charts, then its tables. Long detail tables (SPM per
kecamatan, LKPJ kegiatan and sub-kegiatan, every recommendation...) are not printed: they go to
an appendix workbook, which the last page ("Lampiran") names sheet by sheet, so the PDF reads in
about 20 pages instead of 100. Table headers repeat on each page; the outline lists the sections.

Text reaches reportlab's paragraph parser escaped, so agency-supplied markup is printed as
text. The font is DejaVu Sans shipped with matplotlib (full Unicode, no system font needed).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from kinerja.cells import doc_text
from kinerja.reports.charts import Chart
from kinerja.reports.table import SECTIONS, Table

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
PAGE = landscape(A4)
MARGIN = 1.4 * cm
BIRU = colors.HexColor("#1f4e78")
CHAR_PT = 4.2
SHORT = 16
"""Text columns this narrow (codes, units, statuses) are sized to their content, like numbers."""
"""Points per unit of a column's width (its xlsx width in characters) at the table font size."""
LONG_TABLES = frozenset(
    ("LPPD PD", "LKPJ Program Outcome", "LKPJ Program Output", "Pengumpulan PD", "Perbandingan Tahunan")
)
"""Main tables of 50+ rows whose story a chart or a shorter table already tells: appendix too."""


def in_appendix(table: Table) -> bool:
    """Whether a table goes to the appendix workbook rather than into the PDF."""
    return table.detail or table.name in LONG_TABLES


@functools.cache
def _fonts() -> None:
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(ttf / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=22, leading=28, textColor=BIRU
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=16),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=15,
            leading=19,
            textColor=BIRU,
            spaceBefore=6,
            spaceAfter=6,
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=FONT_BOLD, fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=3
        ),
        "note": ParagraphStyle(
            "note", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#555555"), spaceAfter=3
        ),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=6.6, leading=8),
        "num": ParagraphStyle("num", parent=base, fontSize=6.6, leading=8, alignment=TA_RIGHT),
        "head": ParagraphStyle(
            "head", parent=base, fontName=FONT_BOLD, fontSize=6.6, leading=8, textColor=colors.white
        ),
    }


class _Doc(SimpleDocTemplate):
    """Adds an outline entry for every h1/h2 paragraph."""

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Paragraph) and flowable.style.name in ("h1", "h2"):
            text = flowable.getPlainText()
            key = f"b{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=0 if flowable.style.name == "h1" else 1, closed=True)


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), _styles()[style])


def _widths(table: Table, width: float) -> list[float]:
    """Number and short text columns as wide as their widest value (they do not wrap); long text
    columns share the rest of the page in proportion to their configured widths."""
    size, pad = 6.6, 6.0
    widths: list[float] = []
    for i, c in enumerate(table.cols):
        if c.kind == "text" and c.width > SHORT:
            widths.append(0.0)
            continue
        head = max(pdfmetrics.stringWidth(w, FONT_BOLD, size) for w in (c.header.split() or [""]))
        cells = [pdfmetrics.stringWidth(doc_text(row[i], c.kind), FONT, size) for row in table.rows]
        widths.append(min(max([head, *cells]) + pad, 120.0))
    text = [i for i, c in enumerate(table.cols) if c.kind == "text" and c.width > SHORT]
    natural = sum(table.cols[i].width * CHAR_PT for i in text)
    room = width - sum(widths)
    if text and natural:
        # Fill the page only when the text needs it; short tables keep their natural width.
        factor = min(room / natural, 1.0) if room < natural else 1.0
        for i in text:
            widths[i] = max(table.cols[i].width * CHAR_PT * factor, 28.0)
    total = sum(widths)
    return [w * width / total for w in widths] if total > width else widths


def _table(table: Table, width: float) -> list[Flowable]:
    st = _styles()
    widths = _widths(table, width)
    data: list[list[Any]] = [[Paragraph(escape(c.header), st["head"]) for c in table.cols]]
    for row in table.rows:
        data.append(
            [
                Paragraph(escape(doc_text(v, c.kind)), st["cell"])
                if c.kind == "text"
                else doc_text(v, c.kind)
                for c, v in zip(table.cols, row, strict=True)
            ]
        )
    if not table.rows:
        data.append([Paragraph("Belum ada data.", st["cell"])] + [""] * (len(table.cols) - 1))
    grid = RLTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 6.6),
        ("BACKGROUND", (0, 0), (-1, 0), BIRU),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c0c4ca")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f1f4f8")]),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]
    style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i, c in enumerate(table.cols) if c.kind != "text"]
    grid.setStyle(TableStyle(style))
    head = [_p(table.title, "h2")]
    if table.note:
        head.append(_p(table.note, "note"))
    return [KeepTogether([*head, Spacer(1, 2)]), grid, Spacer(1, 8)]


def _chart(chart: Chart, width: float, height: float) -> list[Flowable]:
    scale = min(width * 0.8 / (chart.width_in * 72), height * 0.86 / (chart.height_in * 72), 1.6)
    img = Image(io.BytesIO(chart.png), width=chart.width_in * 72 * scale, height=chart.height_in * 72 * scale)
    return [KeepTogether([img, _p(f"{chart.title}. {chart.alt}", "note")]), Spacer(1, 6)]


def render_pdf(
    title: str,
    subtitle: str,
    tables: Sequence[Table],
    charts: Sequence[Chart],
    path: Path,
    cover_lines: Sequence[str] = (),
    footer: str = "",
    appendix_file: str = "lampiran.xlsx",
) -> Path:
    """Tables `in_appendix` are listed on the last page as sheets of `appendix_file`."""
    styles = _styles()
    width, height = PAGE[0] - 2 * MARGIN, PAGE[1] - 2 * MARGIN - 0.6 * cm
    story: list[Flowable] = [
        Spacer(1, 2.5 * cm),
        Paragraph(escape(title), styles["title"]),
        Spacer(1, 0.4 * cm),
        _p(subtitle, "subtitle"),
        Spacer(1, 0.8 * cm),
        *[_p(line, "body") if line else Spacer(1, 8) for line in cover_lines],
        PageBreak(),
    ]
    for section in SECTIONS:
        main = [t for t in tables if t.section == section and not in_appendix(t)]
        figs = [c for c in charts if c.section == section]
        if not main and not figs:
            continue
        if story and not isinstance(story[-1], PageBreak):
            story.append(PageBreak())
        body: list[Flowable] = []
        for c in figs:
            body += _chart(c, width, height - 1.2 * cm)  # room for the section heading
        for t in main:
            body += _table(t, width)
        # The heading stays on the page of what follows it.
        story += [KeepTogether([_p(section, "h1"), body[0]]), *body[1:]]
    appendix = [t for t in tables if in_appendix(t)]
    if appendix:
        story += [
            PageBreak(),
            _p("Lampiran", "h1"),
            _p(f"Tabel rinci ada di berkas {appendix_file}, satu sheet per tabel:", "body"),
            Spacer(1, 4),
            *[_p(f"• {t.name}: {t.title} ({len(t.rows)} baris)", "body") for t in appendix],
        ]

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(MARGIN, 0.8 * cm, footer or title)
        canvas.drawRightString(PAGE[0] - MARGIN, 0.8 * cm, f"Halaman {doc.page}")
        canvas.restoreState()

    path.parent.mkdir(parents=True, exist_ok=True)
    doc = _Doc(
        str(path),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 0.4 * cm,
        title=title,
        author=footer,
        subject=subtitle,
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return path
