"""Editable drafts of the three documents the tim ahli finish and sign: LKPJ, LPPD and SPM (.docx).

The chapters, and which tables and charts go into which chapter, come from `dokumen.yaml`
(`reference/`, or the kota's own copy in its folder); styles, letterhead, headers and footers
from the kota's `templat_dokumen.docx` when it has one, else from the built-in template
(`default_template`). Each draft has a cover, a table-of-contents field (Word fills it on
opening; LibreOffice: Tools → Update), the chapters numbered BAB I, II, ..., in each a marked
place for every narrative sub-section the tim ahli write, then the chapter's tables and charts
with numbered captions (SEQ fields, as Word's own "Insert Caption" makes them). Numbers are in
Indonesian format (`95,89 %`, `1.234.567`), the same text as the PDF and HTML.

python-docx rather than docxtpl: the drafts are assembled from data (a configurable number of
chapters, tables of any length), which python-docx does in code; a docxtpl template would carry
Jinja loops in the Word file that a kota replacing its letterhead would have to keep intact.
Here a kota's template is any Word document: only its styles, headers and footers are used.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.text.paragraph import Paragraph

from kinerja.catalog.loader import catalogue_file
from kinerja.cells import doc_text
from kinerja.reports.charts import CHART_KEYS, Chart
from kinerja.reports.render_pdf import SHORT
from kinerja.reports.table import Table

CONFIG_FILE = "dokumen.yaml"
TEMPLATE_FILE = "templat_dokumen.docx"
DOKUMEN = ("LKPJ", "LPPD", "SPM")
FILE_NAMES = {kode: f"draf-{kode.lower()}.docx" for kode in DOKUMEN}
NARASI_STYLE = "Narasi Tim Ahli"
CELL_STYLE = "Isi Tabel"
NOTE_STYLE = "Catatan Tabel"
PENANDA = "[DIISI TIM AHLI]"
"""Marks every place the tim ahli write; search for it to find what is left."""
WIDE = 9
"""Tables with more columns than this go on landscape pages (16 columns in portrait wrap every
number digit by digit)."""
ROMAWI = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


@dataclass(frozen=True)
class Bab:
    judul: str
    narasi: tuple[str, ...] = ()
    tabel: tuple[str, ...] = ()
    grafik: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kerangka:
    """The skeleton of one document."""

    kode: str
    judul: str
    bab: tuple[Bab, ...]


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{CONFIG_FILE}: {where} harus daftar teks")
    return tuple(v.strip() for v in value)


def load_kerangka(city: str, table_names: Sequence[str], base: Path | None = None) -> dict[str, Kerangka]:
    """The three documents' skeletons for `city`, checked against the tables and charts that
    exist, so a misspelt name fails the build with the place to fix instead of a silent gap."""
    import yaml

    path = catalogue_file(city, CONFIG_FILE, base)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    docs = raw.get("dokumen") or {}
    out: dict[str, Kerangka] = {}
    for kode in DOKUMEN:
        spec = docs.get(kode)
        if not isinstance(spec, dict) or not spec.get("bab"):
            raise ValueError(f"{CONFIG_FILE}: dokumen {kode} tidak ada atau tanpa bab ({path.name})")
        chapters = []
        for i, b in enumerate(spec["bab"], start=1):
            where = f"{kode} bab {i}"
            if not isinstance(b, dict) or not str(b.get("judul") or "").strip():
                raise ValueError(f"{CONFIG_FILE}: {where} tanpa judul")
            bab = Bab(
                str(b["judul"]).strip(),
                _strings(b.get("narasi"), f"{where} narasi"),
                _strings(b.get("tabel"), f"{where} tabel"),
                _strings(b.get("grafik"), f"{where} grafik"),
            )
            for name in bab.tabel:
                if name not in table_names:
                    known = ", ".join(table_names)
                    raise ValueError(
                        f"{CONFIG_FILE}: {where}: tabel '{name}' tidak dikenal; pilihan: {known}"
                    )
            for key in bab.grafik:
                if key not in CHART_KEYS:
                    known = ", ".join(CHART_KEYS)
                    raise ValueError(
                        f"{CONFIG_FILE}: {where}: grafik '{key}' tidak dikenal; pilihan: {known}"
                    )
            chapters.append(bab)
        if len(chapters) > len(ROMAWI):
            raise ValueError(f"{CONFIG_FILE}: {kode} punya lebih dari {len(ROMAWI)} bab")
        out[kode] = Kerangka(kode, str(spec.get("judul") or kode), tuple(chapters))
    return out


# --- the template ----------------------------------------------------------------------------
def _style(doc: DocxDocument, name: str, kind: WD_STYLE_TYPE, base: str = "Normal") -> Any:
    """A style of the template, added when the template lacks it (a kota's own template may
    carry only some of them; Word keeps the rest as latent styles python-docx cannot use)."""
    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, kind)
        if kind == WD_STYLE_TYPE.PARAGRAPH:
            style.base_style = doc.styles[base]
        return style


def _ensure_styles(doc: DocxDocument) -> None:
    """The styles the drafts use; existing ones (from a kota's template) are left as they are."""
    names = {s.name for s in doc.styles}
    for name, base in (("Heading 1", "Normal"), ("Heading 2", "Normal"), ("Caption", "Normal")):
        if name not in names:
            _style(doc, name, WD_STYLE_TYPE.PARAGRAPH, base)
    if NARASI_STYLE not in names:
        s = _style(doc, NARASI_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        s.font.italic = True
        s.font.color.rgb = RGBColor(0x80, 0x4A, 0x00)
    if CELL_STYLE not in names:
        s = _style(doc, CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        s.font.size = Pt(7.5)
        s.paragraph_format.space_after = Pt(0)
        s.paragraph_format.space_before = Pt(0)
    if NOTE_STYLE not in names:
        s = _style(doc, NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        s.font.size = Pt(8)
        s.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def default_template() -> DocxDocument:
    """The built-in look: A4 portrait, Arial, blue headings, each chapter on a new page, a
    footer with the page number. A kota replaces it with its own `templat_dokumen.docx`."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin = section.bottom_margin = Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Arial")
    for name, size in (("Title", 24), ("Heading 1", 15), ("Heading 2", 12)):
        st = doc.styles[name]
        st.font.name = "Arial"
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0x1F, 0x4E, 0x78)
    doc.styles["Heading 1"].paragraph_format.page_break_before = True
    doc.styles["Caption"].font.size = Pt(9)
    _ensure_styles(doc)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Halaman ")
    _field(footer, "PAGE", "1")
    return doc


def open_template(city: str, base: Path | None = None) -> DocxDocument:
    """The kota's template with its body emptied (styles, headers and footers kept), else the
    built-in one."""
    path = catalogue_file(city, TEMPLATE_FILE, base)
    if not path.exists():
        return default_template()
    doc = Document(str(path))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _ensure_styles(doc)
    return doc


# --- building blocks -------------------------------------------------------------------------
def _field(paragraph: Paragraph, instruction: str, result: str) -> None:
    """A Word field (TOC, SEQ, PAGE) with `result` as its current text until updated."""

    def char(kind: str) -> None:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(el)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run(result)
    char("end")


def _caption(doc: DocxDocument, label: str, number: int, text: str) -> None:
    p = doc.add_paragraph(style="Caption")
    p.add_run(f"{label} ")
    _field(p, f"SEQ {label} \\* ARABIC", str(number))
    p.add_run(f". {text}")


def _placeholder(doc: DocxDocument, what: str) -> None:
    p = doc.add_paragraph(style=NARASI_STYLE)
    mark = p.add_run(PENANDA)
    mark.bold = True
    mark.font.highlight_color = WD_COLOR_INDEX.YELLOW
    p.add_run(f" {what}: tuliskan uraian di sini, lalu hapus penanda ini.")


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


CHAR, PAD = Pt(4.3), Pt(12)
"""Width of one character of the table font (7.5 pt), and a cell's left + right margins."""


def _widths(table: Table, texts: list[list[str]], total: int, size: float) -> list[int]:
    """Column widths (EMU) filling `total`: numbers and short codes as wide as their longest
    value plus padding (they must not wrap), text columns sharing the rest by configured width."""
    fixed: dict[int, int] = {}
    for i, col in enumerate(table.cols):
        longest = max((len(row[i]) for row in texts), default=0)
        header = max((len(w) for w in col.header.split()), default=0)
        if col.kind != "text" or col.width <= SHORT:  # the PDF's rule: codes, units, statuses
            fixed[i] = int(CHAR * size / 7.5 * min(max(longest, header, 3), 24) + PAD)
    room = total - sum(fixed.values())
    flexible = {i: max(c.width, 6) for i, c in enumerate(table.cols) if i not in fixed}
    minimum = int(Cm(1.6))
    if flexible and room < minimum * len(flexible):  # too wide: everything shrinks alike
        room = minimum * len(flexible)
    weight = sum(flexible.values()) or 1
    widths = [fixed[i] if i in fixed else int(room * flexible[i] / weight) for i in range(len(table.cols))]
    scale = min(1.0, total / sum(widths))
    return [int(w * scale) for w in widths]


def _table(doc: DocxDocument, table: Table, text_width: int) -> None:
    grid = doc.add_table(rows=1, cols=len(table.cols))
    grid.autofit = False
    with contextlib.suppress(KeyError):  # a template without it: Word's default table look
        grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    # The style id set on the XML directly: python-docx's `paragraph.style = ...` looks the
    # style up anew each time, seconds per large table.
    cell_style = doc.styles[CELL_STYLE].style_id
    head = grid.rows[0]
    _repeat_header(head)
    for cell, col in zip(head.cells, table.cols, strict=True):
        p = cell.paragraphs[0]
        p._p.style = cell_style
        run = p.add_run(col.header)
        run.bold = True
        if len(table.cols) > WIDE:
            run.font.size = Pt(6.5)
    right = [c.kind != "text" for c in table.cols]
    rows = table.rows or [("Belum ada data.",) + ("",) * (len(table.cols) - 1)]
    texts = [[doc_text(v, c.kind) for c, v in zip(table.cols, values, strict=True)] for values in rows]
    # Wide tables (landscape pages) in a smaller font, so numbers keep to one line.
    size = 6.5 if len(table.cols) > WIDE else None
    widths = [Emu(w) for w in _widths(table, texts, text_width, size or 7.5)]
    for gc, width in zip(grid._tbl.tblGrid.gridCol_lst, widths, strict=True):
        gc.w = width
    for cell, width in zip(head.cells, widths, strict=True):
        cell.width = width
    for values in texts:
        cells = grid.add_row().cells
        for cell, text, is_number, width in zip(cells, values, right, widths, strict=True):
            cell.width = width
            p = cell.paragraphs[0]
            p._p.style = cell_style
            if is_number:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = p.add_run(text)
            if size:
                run.font.size = Pt(size)
    if table.note:
        doc.add_paragraph(table.note, style=NOTE_STYLE)


def _orientation(doc: DocxDocument, landscape: bool) -> None:
    """Continue on a new page in the given orientation (a new section, same header/footer)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    width, height = section.page_width, section.page_height
    if width is not None and height is not None and landscape != (width > height):
        section.page_width, section.page_height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    if landscape:  # wide tables get the room of narrower side margins
        section.left_margin = section.right_margin = Cm(1.5)
    else:
        section.left_margin, section.right_margin = doc.sections[0].left_margin, doc.sections[0].right_margin


def _picture(doc: DocxDocument, chart: Chart, width_cm: float) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run().add_picture(BytesIO(chart.png), width=Cm(width_cm))


def _cover(doc: DocxDocument, judul: str, kota: str, lines: Sequence[str], dibuat: str) -> None:
    for _ in range(3):
        doc.add_paragraph()
    doc.add_paragraph(judul, style="Title")
    doc.add_paragraph(kota).runs[0].font.size = Pt(16)
    doc.add_paragraph()
    draft = doc.add_paragraph()
    mark = draft.add_run("DRAF")
    mark.bold = True
    mark.font.highlight_color = WD_COLOR_INDEX.YELLOW
    draft.add_run(
        f" disusun otomatis dari data perangkat daerah pada {dibuat}. Angka bersifat sementara "
        "sampai disetujui tim ahli; bagian bertanda "
        f"{PENANDA} diisi tim ahli."
    )
    for line in lines:
        doc.add_paragraph(
            line, style="List Bullet" if "List Bullet" in {s.name for s in doc.styles} else None
        )
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    toc_title = doc.add_paragraph()
    toc_title.add_run("Daftar Isi").bold = True
    _field(
        doc.add_paragraph(),
        'TOC \\o "1-2" \\h \\z \\u',
        "Daftar isi diperbarui saat dokumen dibuka (Word) atau lewat Alat → Perbarui (LibreOffice).",
    )


def _ask_to_update_fields(doc: DocxDocument) -> None:
    """Word recomputes the TOC and caption numbers when the file is opened."""
    settings = doc.settings.element
    el = settings.find(qn("w:updateFields"))
    if el is None:
        el = OxmlElement("w:updateFields")
        settings.append(el)
    el.set(qn("w:val"), "true")


def render_draft(
    doc: DocxDocument,
    kerangka: Kerangka,
    tables: Sequence[Table],
    charts: Sequence[Chart],
    *,
    tahun: int,
    kota: str,
    cover_lines: Sequence[str],
    dibuat: str,
) -> DocxDocument:
    by_name = {t.name: t for t in tables}
    by_key = {c.key: c for c in charts}
    section = doc.sections[-1]
    margins = (section.left_margin or 0) + (section.right_margin or 0)
    text_width = ((section.page_width or Cm(21)) - margins) / 360000  # EMU → cm
    judul = kerangka.judul.format(tahun=tahun, kota=kota)
    _cover(doc, judul, kota, cover_lines, dibuat)
    n_tabel = n_gambar = 0
    landscape = False
    for i, bab in enumerate(kerangka.bab, start=1):
        if landscape:
            landscape = False
            _orientation(doc, landscape)
        doc.add_paragraph(
            f"BAB {ROMAWI[i - 1]}  {bab.judul.format(tahun=tahun, kota=kota).upper()}", "Heading 1"
        )
        for j, narasi in enumerate(bab.narasi, start=1):
            doc.add_paragraph(f"{i}.{j}  {narasi}", "Heading 2")
            _placeholder(doc, narasi)
        for key in bab.grafik:
            chart = by_key.get(key)
            if chart is None:
                doc.add_paragraph(f"Grafik '{key}' belum dapat dibuat untuk tahun ini (datanya belum ada).")
                continue
            n_gambar += 1
            _picture(doc, chart, min(15.5, text_width))
            _caption(doc, "Gambar", n_gambar, f"{chart.title}. {chart.alt}")
        for name in bab.tabel:
            wide = len(by_name[name].cols) > WIDE
            if wide != landscape:
                landscape = wide
                _orientation(doc, landscape)
            n_tabel += 1
            _caption(doc, "Tabel", n_tabel, by_name[name].title)
            section = doc.sections[-1]
            usable = (section.page_width or Cm(21)) - (section.left_margin or 0) - (section.right_margin or 0)
            _table(doc, by_name[name], int(usable))
    _ask_to_update_fields(doc)
    props = doc.core_properties
    props.title, props.subject, props.author = judul, f"Draf {kerangka.kode} {kota} {tahun}", kota
    return doc


def write_drafts(
    city: str,
    tables: Sequence[Table],
    charts: Sequence[Chart],
    out_dir: Path,
    *,
    tahun: int,
    kota: str,
    cover_lines: Sequence[str],
    dibuat: str,
    base: Path | None = None,
) -> list[Path]:
    """The three drafts (draf-lkpj.docx, draf-lppd.docx, draf-spm.docx) in `out_dir`."""
    kerangka = load_kerangka(city, [t.name for t in tables], base)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kode in DOKUMEN:
        doc = render_draft(
            open_template(city, base),
            kerangka[kode],
            tables,
            charts,
            tahun=tahun,
            kota=kota,
            cover_lines=cover_lines,
            dibuat=dibuat,
        )
        path = out_dir / FILE_NAMES[kode]
        doc.save(str(path))
        written.append(path)
    return written
