"""The agency's own workbook, marked up: each finding shown on its cell.

A copy of the submitted file where every cell with an error is filled red and every cell with
a warning yellow, with a comment giving the message and the fix, and a first sheet "Hasil
Pemeriksaan" listing every finding with a link to its cell. Otherwise their values and
formatting stay as they were, with nothing live: formulas are replaced by the values Excel
cached (what the collection read), links to other workbooks and to the web are dropped.

The copy is made by editing the workbook's parts inside the zip (`intake.xlsx_package`): the styles get
two fills and a few cell formats, the flagged cells point at them, each flagged sheet gets a
comments part (and the VML drawing Excel needs to show comments), and the summary is a new
worksheet part. Every other part is copied as it was, so nothing of theirs is lost in a round
trip through a spreadsheet library, and the cost is a fraction of loading and saving the whole
workbook. A workbook with parts this does not handle (links to other workbooks, data
connections, embedded objects, comments of its own, a summary sheet of ours from an earlier
copy) is first normalised by an openpyxl round trip that drops the live parts, keeps their
comments aside, and is then marked up the same way.

Only bytes that passed the container checks are opened, and only when the worksheets are small
enough (`MAX_MARKUP_XML_BYTES`).
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr, unescape

from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter

from kinerja.intake.container import DEFAULT_LIMITS, Limits, check_container
from kinerja.intake.feedback import heading_styles, verdict
from kinerja.intake.reader import HEADER_SEARCH_ROWS, normalise_header
from kinerja.intake.xlsx_package import (
    CT_COMMENTS,
    CT_VML,
    NS_MAIN,
    NS_REL,
    REL_CALC_CHAIN,
    REL_COMMENTS,
    REL_HYPERLINK,
    REL_VML,
    REL_WORKSHEET,
    WORKBOOK,
    XML_DECL,
    Package,
    Styles,
    Unsupported,
    attr,
    drop_attr,
    set_attr,
    sheet_row,
    worksheet,
)
from kinerja.schema.issues import Issue

log = logging.getLogger(__name__)

SUMMARY_SHEET = "Hasil Pemeriksaan"
AUTHOR = "Laporan Kinerja"
MAX_MARKUP_XML_BYTES = 30 * 1024 * 1024
"""Worksheets + shared strings, uncompressed, above which no marked-up copy is made (the
workbook is held in memory, and the openpyxl normalisation needs ~20-50x that). The declared
sizes bound what zipfile will inflate."""
FILL_RGB = {"error": "FFC7CE", "warning": "FFEB9C"}
SUMMARY_COLUMNS = ("Tingkat", "Lembar", "Sel", "Kolom", "Nilai", "Masalah", "Cara memperbaiki")
SUMMARY_WIDTHS = (12, 14, 10, 22, 22, 50, 50)


LIVE_PARTS = ("xl/externalLinks/", "xl/connections.xml", "xl/queryTables/", "xl/embeddings/", "xl/activeX/")
"""Parts that reach outside the workbook or run something: a workbook with any of them is
normalised by openpyxl (which drops them) before it is marked up."""
_WORKSHEET_AFTER_LEGACY_DRAWING = (
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)
"""Elements a worksheet may have after `legacyDrawing` (the schema fixes their order)."""


@dataclass(frozen=True)
class _Note:
    """A cell comment to write: ours (a finding) or one of theirs kept through normalisation."""

    sheet: str
    coord: str
    author: str
    text: str
    width: int
    height: int


def _small_enough(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        size = sum(
            i.file_size
            for i in zf.infolist()
            if i.filename.startswith("xl/worksheets/") or i.filename == "xl/sharedStrings.xml"
        )
    return size <= MAX_MARKUP_XML_BYTES


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _column_of(grid: list[list[Any]], issue: Issue) -> int | None:
    """The sheet column an issue's column label points at: the cell right of the label on the
    issue's own row (the Info sheet's label/value pairs), else the header found in the top rows."""
    if not issue.column:
        return None
    label = normalise_header(issue.column)
    if issue.row and issue.row <= len(grid):
        for c, value in enumerate(grid[issue.row - 1], start=1):
            if normalise_header(value) == label:
                return c + 1
    for row in grid[:HEADER_SEARCH_ROWS]:
        for c, value in enumerate(row, start=1):
            if normalise_header(value) == label:
                return c
    return None


def _locate(grids: dict[str, list[list[Any]]], issue: Issue) -> tuple[str, str] | None:
    """(sheet, cell) an issue is about; a row without a known column points at its first cell,
    a sheet-wide issue at A1; None when the sheet is not in the workbook."""
    if not issue.sheet or issue.sheet not in grids:
        return None
    if not issue.row:
        return issue.sheet, "A1"
    col = _column_of(grids[issue.sheet], issue) or 1
    return issue.sheet, f"{get_column_letter(col)}{issue.row}"


def _grids(data: bytes, sheets: Iterable[str]) -> dict[str, list[list[Any]]]:
    """The cached values from A1 (what the collection read) of the sheets findings are on, for
    finding their columns."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in sheets}


# -- nothing live -------------------------------------------------------------------------------

_CELL_WITH_CONTENT = re.compile(r"<c\b([^>/]*)>(.*?)</c>", re.S)
_FORMULA_START = re.compile(r"<f[\s>/]")
_FORMULA = re.compile(r"<f\b[^>]*?(?:/>|>.*?</f>)", re.S)
_VALUE = re.compile(r"<v\b[^>]*?(?:/>|>(.*?)</v>)", re.S)


def _cached_value(m: re.Match[str]) -> str:
    """A cell with a formula as the value Excel cached for it (what the collection read)."""
    attrs, inner = m.group(1), m.group(2)
    if "<f" not in inner:
        return m.group(0)
    inner = _FORMULA.sub("", inner)
    tag = f"<c{attrs}>"
    value = _VALUE.search(inner)
    if value is None or not value.group(1):
        return drop_attr(tag, "t")[:-1] + "/>"
    if attr(tag, "t") == "str":  # a formula's text result: kept as an inline string
        text = unescape(value.group(1))
        tag = set_attr(tag, "t", "inlineStr")
        return f'{tag}<is><t xml:space="preserve">{escape(text)}</t></is></c>'
    return f"{tag}{inner}</c>"


def _without_formulas(xml: str) -> str:
    """The worksheet with each cell that holds a formula rewritten as its cached value."""
    out: list[str] = []
    pos = 0
    for m in _FORMULA_START.finditer(xml):
        if m.start() < pos:  # a second formula element of a cell already rewritten
            continue
        start, end = xml.rfind("<c ", 0, m.start()), xml.find("</c>", m.start())
        cell = (
            _CELL_WITH_CONTENT.fullmatch(xml, start, end + len("</c>")) if start >= 0 and end >= 0 else None
        )
        if cell is None:
            raise Unsupported("a formula outside a cell")
        out.append(xml[pos:start])
        out.append(_cached_value(cell))
        pos = cell.end()
    out.append(xml[pos:])
    return "".join(out)


def _strip_live(pkg: Package, sheet_parts: dict[str, str]) -> None:
    """No formula, no calculation chain, no hyperlink out of the workbook."""
    for part in sheet_parts.values():
        xml = pkg.xml(part)
        xml = _without_formulas(xml)
        external = {
            rid for rid, kind, _, mode in pkg.rels(part) if mode == "External" and kind == REL_HYPERLINK
        }
        if external:
            xml = re.sub(r"<hyperlink\b[^>]*?(?:/>|>\s*</hyperlink>)", partial(_local_link, external), xml)
            xml = re.sub(r"<hyperlinks\b[^>]*>\s*</hyperlinks>", "", xml)
            pkg.drop_rels(part, external)
        pkg.put(part, xml)
    for rid, kind, target, _ in pkg.rels(WORKBOOK):
        if kind == REL_CALC_CHAIN:
            pkg.drop(target)
            pkg.drop_content_type(target)
            pkg.drop_rels(WORKBOOK, {rid})


def _local_link(external: set[str], m: re.Match[str]) -> str:
    """A hyperlink element, or nothing when it points out of the workbook (by relationship)."""
    tag = m.group(0)
    prefixes = re.findall(r"\s(\w+):id\s*=", tag)
    return "" if any(attr(tag, f"{p}:id") in external for p in prefixes) else tag


def _check_supported(pkg: Package, sheets: dict[str, str]) -> None:
    if SUMMARY_SHEET in sheets:
        raise Unsupported("a summary sheet of an earlier copy")
    for name in pkg.order:
        if name.startswith(LIVE_PARTS) or name.startswith(("xl/comments", "xl/pivotCache")):
            raise Unsupported(name)
    names = re.search(r"<definedNames\b.*?</definedNames>", pkg.xml(WORKBOOK), re.S)
    if names and "[" in names.group(0):
        raise Unsupported("a defined name that refers to another workbook or a table")
    for part in [WORKBOOK, *sheets.values()]:
        for _, kind, _, mode in pkg.rels(part):
            if mode == "External" and kind != REL_HYPERLINK:
                raise Unsupported(f"an external {kind}")
            if kind in (REL_COMMENTS, REL_VML):
                raise Unsupported("comments of their own")
    for part in sheets.values():
        if "<legacyDrawing" in pkg.xml(part):
            raise Unsupported("comments of their own")


def _sheet_parts(pkg: Package) -> dict[str, str]:
    """Sheet name -> worksheet part, in workbook order (chart sheets are not listed)."""
    targets = {rid: target for rid, kind, target, _ in pkg.rels(WORKBOOK) if kind == REL_WORKSHEET}
    out: dict[str, str] = {}
    for sheet in ET.fromstring(pkg.xml(WORKBOOK)).iter(f"{{{NS_MAIN}}}sheet"):
        rid = sheet.get(f"{{{NS_REL}}}id")
        if rid in targets:
            out[sheet.get("name", "")] = targets[rid]
    return out


# -- the flagged cells ----------------------------------------------------------------------------

_ROW_START = re.compile(r"<row\b[^>]*>")
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)


def _flag_cells(xml: str, flags: dict[str, str], styles: Styles) -> str:
    """The worksheet with each cell of `flags` (coordinate -> severity) in a format with the
    severity's fill."""
    by_row: dict[int, dict[int, str]] = {}
    for coord, severity in flags.items():
        r, c = coordinate_to_tuple(coord)
        by_row.setdefault(r, {})[c] = FILL_RGB[severity]
    data = re.search(r"<sheetData\b[^>]*?(/>|>(.*?)</sheetData>)", xml, re.S)
    if not data:
        raise Unsupported("no sheetData")
    body = data.group(2) or ""
    out: list[str] = []
    pos = 0
    pending = sorted(by_row)

    def new_row(r: int) -> str:
        cells = "".join(_empty_flagged(r, c, by_row[r][c], styles) for c in sorted(by_row[r]))
        return f'<row r="{r}">{cells}</row>'

    for m in _ROW_START.finditer(body):
        if not pending:
            break
        start = m.group(0)
        number = attr(start, "r")
        if number is None:
            raise Unsupported("a row without its number")
        r = int(number)
        if r < pending[0]:
            continue
        out.append(body[pos : m.start()])
        pos = m.start()
        while pending and pending[0] < r:
            out.append(new_row(pending.pop(0)))
        if pending and pending[0] == r:
            pending.pop(0)
            end = m.end() if start.endswith("/>") else body.index("</row>", m.end()) + len("</row>")
            out.append(_flag_row(body[m.start() : end], start, r, by_row[r], styles))
            pos = end
    out.append(body[pos:])
    out.extend(new_row(r) for r in pending)
    return xml[: data.start()] + "<sheetData>" + "".join(out) + "</sheetData>" + xml[data.end() :]


def _empty_flagged(r: int, c: int, rgb: str, styles: Styles) -> str:
    """A cell they left empty (not in the sheet), flagged."""
    return f'<c r="{get_column_letter(c)}{r}" s="{styles.flagged(0, rgb)}"/>'


def _flag_row(row_xml: str, start: str, r: int, cols: dict[int, str], styles: Styles) -> str:
    """`row_xml` with the cells of `cols` (column -> fill rgb) flagged."""
    if row_xml.endswith("/>") and start == row_xml:
        inner = ""
        start = start[:-2].rstrip() + ">"
    else:
        inner = row_xml[len(start) : -len("</row>")]
    start = drop_attr(start, "spans")  # a hint of the row's first and last cell: ours may widen it
    todo = dict(cols)
    out: list[str] = []
    pos = 0
    for m in _CELL.finditer(inner):
        out.append(inner[pos : m.start()])
        pos = m.end()
        cell = m.group(0)
        tag = re.match(r"<c\b[^>]*?/?>", cell)
        assert tag is not None
        ref = attr(tag.group(0), "r")
        if ref is None:
            raise Unsupported("a cell without its reference")
        _, c = coordinate_to_tuple(ref)
        for missing in sorted(k for k in todo if k < c):
            out.append(_empty_flagged(r, missing, todo.pop(missing), styles))
        if c in todo:
            style = int(attr(tag.group(0), "s") or 0)
            cell = set_attr(tag.group(0), "s", str(styles.flagged(style, todo.pop(c)))) + cell[tag.end() :]
        out.append(cell)
    out.append(inner[pos:])
    out.extend(_empty_flagged(r, c, todo[c], styles) for c in sorted(todo))
    return start + "".join(out) + "</row>"


# -- comments ---------------------------------------------------------------------------------------


def _comments_xml(notes: Sequence[_Note]) -> str:
    authors = list(dict.fromkeys(n.author for n in notes))
    body = "".join(
        f'<comment ref="{n.coord}" authorId="{authors.index(n.author)}"><text>'
        f'<t xml:space="preserve">{escape(n.text)}</t></text></comment>'
        for n in notes
    )
    names = "".join(f"<author>{escape(a)}</author>" for a in authors)
    return (
        f'{XML_DECL}<comments xmlns="{NS_MAIN}"><authors>{names}</authors>'
        f"<commentList>{body}</commentList></comments>"
    )


def _vml(notes: Sequence[_Note], shape_base: int) -> str:
    """The legacy drawing Excel needs to show the comments (hidden until pointed at)."""
    shapes = []
    for n, note in enumerate(notes):
        r, c = coordinate_to_tuple(note.coord)
        shapes.append(
            f'<v:shape id="_x0000_s{shape_base + n}" type="#_x0000_t202" style="position:absolute;'
            f"margin-left:59.25pt;margin-top:1.5pt;width:{note.width}px;height:{note.height}px;z-index:1;"
            'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:AutoFill>False</x:AutoFill><x:Row>{r - 1}</x:Row><x:Column>{c - 1}</x:Column>"
            "</x:ClientData></v:shape>"
        )
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{shape_base // 1024}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        + "".join(shapes)
        + "</xml>"
    )


def _add_comments(pkg: Package, part: str, notes: Sequence[_Note], shape_base: int) -> None:
    comments = pkg.new_name("xl/comments{}.xml")
    pkg.put(comments, _comments_xml(notes))
    pkg.add_content_type(comments, CT_COMMENTS)
    drawing = pkg.new_name("xl/drawings/vmlDrawingK{}.vml")
    pkg.put(drawing, _vml(notes, shape_base))
    pkg.ensure_default("vml", CT_VML)
    pkg.add_rel(part, REL_COMMENTS, comments)
    rid = pkg.add_rel(part, REL_VML, drawing)
    legacy = f'<legacyDrawing xmlns:r="{NS_REL}" r:id="{rid}"/>'
    xml = pkg.xml(part)
    after = [m.start() for e in _WORKSHEET_AFTER_LEGACY_DRAWING if (m := re.search(rf"<{e}\b", xml))]
    at = min(after) if after else xml.rindex("</worksheet>")
    pkg.put(part, xml[:at] + legacy + xml[at:])


def _finding_note(sheet: str, coord: str, found: Sequence[Issue]) -> _Note:
    text = "\n\n".join(
        ("KESALAHAN: " if i.severity == "error" else "PERINGATAN: ")
        + i.message
        + (f"\nCara memperbaiki: {i.fix}" if i.fix else "")
        for i in found
    )
    return _Note(sheet, coord, AUTHOR, text, 320, min(60 + 40 * len(found) + len(text) // 2, 600))


# -- the summary sheet ----------------------------------------------------------------------------


def _summary_xml(
    placed: Sequence[tuple[Issue, tuple[str, str] | None]], heading: tuple[str, str], styles: Styles
) -> str:
    status, summary = heading
    title, head, wrap = heading_styles(styles, status)
    link = styles.ours(font=styles.font(rgb="0563C1", underline=True), wrap=True)
    tingkat = {s: styles.ours(fill=styles.fill(rgb), wrap=True) for s, rgb in FILL_RGB.items()}
    rows = [
        sheet_row(1, [(f"Hasil pemeriksaan: {status}", title)]),
        sheet_row(2, [(summary, 0)]),
        sheet_row(
            3,
            [
                (
                    "Sel bermasalah diberi warna merah (kesalahan) atau kuning (peringatan) dengan "
                    "komentar. Klik alamat sel untuk melompat ke sana. Perbaikan sebaiknya dilakukan di "
                    "berkas asli Anda.",
                    0,
                )
            ],
        ),
        sheet_row(5, [(name, head) for name in SUMMARY_COLUMNS]),
    ]
    links = []
    ordered = sorted(placed, key=lambda p: (p[0].severity != "error", p[0].sheet or "", p[0].row or 0))
    for r, (issue, where) in enumerate(ordered, start=6):
        sel = where[1] if where and issue.row else "-"
        if where and sel == "-":
            sel = "buka lembar"
        values = (
            "Kesalahan" if issue.severity == "error" else "Peringatan",
            issue.sheet or "-",
            sel,
            issue.column or "-",
            issue.value if issue.value is not None else "-",
            issue.message,
            issue.fix,
        )
        styles_of = (tingkat[issue.severity], wrap, link if where else wrap, wrap, wrap, wrap, wrap)
        rows.append(sheet_row(r, list(zip(values, styles_of, strict=True))))
        if where:
            location = f"{_quote(where[0])}!{where[1]}"
            links.append(
                f'<hyperlink ref="C{r}" location={quoteattr(location)} display={quoteattr(str(sel))}/>'
            )
    return worksheet(rows, SUMMARY_WIDTHS, frozen=5, hyperlinks=links)


def _add_summary(pkg: Package, sheets: dict[str, str], xml: str) -> None:
    pkg.add_sheet(SUMMARY_SHEET, xml)
    book = pkg.xml(WORKBOOK)
    # Sheet-local names (print areas, filters) follow their sheet one place to the right.
    book = re.sub(r'(\slocalSheetId=")(\d+)"', lambda n: f'{n.group(1)}{int(n.group(2)) + 1}"', book)
    book = re.sub(
        r"<workbookView\b[^>]*?/?>",
        lambda v: set_attr(drop_attr(v.group(0), "firstSheet"), "activeTab", "0"),
        book,
    )
    pkg.put(WORKBOOK, book)
    for other in sheets.values():  # ours is the one selected
        sheet = pkg.xml(other)
        if "tabSelected" in sheet:
            pkg.put(other, re.sub(r'\stabSelected\s*=\s*"(1|true)"', "", sheet))


# -- putting it together ----------------------------------------------------------------------------


def _mark_up(data: bytes, issues: Sequence[Issue], kept: Sequence[_Note] = ()) -> bytes:
    """The marked-up copy, made by editing the package's parts; raises `Unsupported`."""
    pkg = Package(data)
    sheets = _sheet_parts(pkg)
    _check_supported(pkg, sheets)
    grids = _grids(data, {i.sheet for i in issues if i.sheet in sheets})
    placed = [(i, _locate(grids, i)) for i in issues]
    found: dict[tuple[str, str], list[Issue]] = {}
    for issue, where in placed:
        if where and issue.row:
            found.setdefault(where, []).append(issue)
    styles = Styles(pkg)
    _strip_live(pkg, sheets)
    notes: dict[str, dict[str, _Note]] = {}
    for note in kept:  # theirs, where no finding of ours takes the cell
        notes.setdefault(note.sheet, {})[note.coord] = note
    for (sheet, coord), on_cell in found.items():
        notes.setdefault(sheet, {})[coord] = _finding_note(sheet, coord, on_cell)
    for n, (sheet, on_sheet) in enumerate(notes.items(), start=1):
        part = sheets[sheet]
        flags = {
            coord: "error" if any(i.severity == "error" for i in found[(sheet, coord)]) else "warning"
            for coord in on_sheet
            if (sheet, coord) in found
        }
        if flags:
            pkg.put(part, _flag_cells(pkg.xml(part), flags, styles))
        _add_comments(pkg, part, list(on_sheet.values()), shape_base=1024 * n + 1)
    _add_summary(pkg, sheets, _summary_xml(placed, verdict(issues), styles))
    styles.save()
    return pkg.save()


def _normalised(data: bytes) -> tuple[bytes, list[_Note]]:
    """The workbook through openpyxl: cached values, no links to other workbooks, no data
    connections or embedded objects, no summary of an earlier copy; their own comments are
    taken off the cells and returned, to be written back beside ours."""
    from openpyxl import load_workbook

    # data_only: the values Excel cached instead of formulas; keep_links=False: no external links.
    wb = load_workbook(io.BytesIO(data), data_only=True, keep_links=False, keep_vba=False)
    wb._external_links = []
    for name in list(wb.defined_names):
        if "[" in str(wb.defined_names[name].value):  # refers to another workbook
            del wb.defined_names[name]
    if SUMMARY_SHEET in wb.sheetnames:  # a marked-up copy handed in again: ours is replaced
        del wb[SUMMARY_SHEET]
    kept: list[_Note] = []
    for ws in wb.worksheets:
        for name in list(ws.defined_names):
            if "[" in str(ws.defined_names[name].value):
                del ws.defined_names[name]
        for row in ws.iter_rows():
            for cell in row:
                if cell.hyperlink is not None and cell.hyperlink.target:  # web, file; not a location
                    cell.hyperlink = None
                if cell.comment is not None:
                    c = cell.comment
                    kept.append(
                        _Note(ws.title, cell.coordinate, c.author or "", c.text, int(c.width), int(c.height))
                    )
                    cell.comment = None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), kept


def render_markup(
    data: bytes, issues: Sequence[Issue], limits: Limits = DEFAULT_LIMITS, checked: bool = False
) -> bytes | None:
    """The marked-up copy of the workbook in `data`, or None when there is nothing to mark
    (no finding) or no workbook we can safely open and rewrite. `checked`: `data` already
    passed `check_container` with these limits (a collection checks every file first)."""
    if not issues or not (checked or check_container(data, limits) is None) or not _small_enough(data):
        return None
    try:
        return _mark_up(data, issues)
    except Unsupported as why:
        log.info("marked-up copy through openpyxl first: %s", why)
    except Exception:  # the collection read it with another reader; this edit may still refuse
        log.warning("marked-up copy through openpyxl first: the direct edit failed", exc_info=True)
    try:
        normal, kept = _normalised(data)
        return _mark_up(normal, issues, kept)
    except Exception:
        log.warning("no marked-up copy: the workbook cannot be rewritten", exc_info=True)
        return None
