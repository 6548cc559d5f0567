"""Editing an xlsx package (a zip of XML parts) as text: parts read and replaced, relationships
and content types added or dropped, attributes of a start tag set; every part not touched is
written back byte for byte. What `intake.markup` builds the agency's marked-up copy with, and
`intake.feedback` the feedback workbook (a new package: `new_workbook`): the one place where
xlsx parts are written, without a round trip through a spreadsheet library.

Edits are string edits at element boundaries found by regular expressions (attributes read by
name, whatever their order); parts are parsed with ElementTree only to read them, so prefixes,
`mc:Ignorable` lists and everything else of theirs stay as they were.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr, unescape

from openpyxl.utils.cell import get_column_letter

from kinerja.cells import safe_cell

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_WORKSHEET = f"{NS_REL}/worksheet"
REL_COMMENTS = f"{NS_REL}/comments"
REL_VML = f"{NS_REL}/vmlDrawing"
REL_HYPERLINK = f"{NS_REL}/hyperlink"
REL_CALC_CHAIN = f"{NS_REL}/calcChain"
REL_STYLES = f"{NS_REL}/styles"
REL_OFFICE_DOCUMENT = f"{NS_REL}/officeDocument"
NS_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
CT_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
WORKBOOK = "xl/workbook.xml"
CONTENT_TYPES = "[Content_Types].xml"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Unsupported(Exception):
    """A part, or a shape of one, that these text edits do not handle."""


def attr(tag: str, name: str) -> str | None:
    """The value of attribute `name` of a start tag, unescaped; None when it has none."""
    m = re.search(rf'\s{re.escape(name)}\s*=\s*("([^"]*)"|\'([^\']*)\')', tag)
    if not m:
        return None
    return unescape(m.group(2) if m.group(2) is not None else m.group(3), {"&quot;": '"', "&apos;": "'"})


def set_attr(tag: str, name: str, value: str) -> str:
    """`tag` (a start tag, `<x ...>` or `<x .../>`) with attribute `name` set to `value`."""
    pattern = rf'(\s{re.escape(name)}\s*=\s*)("[^"]*"|\'[^\']*\')'
    if re.search(pattern, tag):
        return re.sub(pattern, lambda m: m.group(1) + quoteattr(value), tag, count=1)
    end = -2 if tag.endswith("/>") else -1
    return f"{tag[:end]} {name}={quoteattr(value)}{tag[end:]}"


def drop_attr(tag: str, name: str) -> str:
    """`tag` without attribute `name`."""
    return re.sub(rf'\s{re.escape(name)}\s*=\s*("[^"]*"|\'[^\']*\')', "", tag)


def insert_before_close(xml: str, element: str, content: str, count: int | None = None) -> str:
    """`content` appended inside `<element ...>...</element>` (or a self-closed one), with its
    `count` attribute set when given."""
    m = re.search(rf"<{element}\b[^>]*?(/?)>", xml)
    if not m:
        raise Unsupported(f"no <{element}>")
    start = m.group(0)
    if count is not None and attr(start, "count") is not None:
        start = set_attr(start, "count", str(count))
    if m.group(1):  # <element/>
        new = start[:-2].rstrip() + ">" + content + f"</{element}>"
        return xml[: m.start()] + new + xml[m.end() :]
    close = xml.index(f"</{element}>", m.end())
    return xml[: m.start()] + start + xml[m.end() : close] + content + xml[close:]


class Package:
    """The parts of an xlsx, edited as text and written back with every other part as it was."""

    def __init__(self, data: bytes | None = None) -> None:
        """The package of `data` (an xlsx); an empty one when None."""
        self.order: list[str] = []
        self.parts: dict[str, bytes] = {}
        if data is not None:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                self.order = [i.filename for i in zf.infolist() if not i.is_dir()]
                self.parts = {name: zf.read(name) for name in self.order}
        self.text: dict[str, str] = {}

    def xml(self, name: str) -> str:
        if name not in self.text:
            self.text[name] = self.parts[name].decode("utf-8")
        return self.text[name]

    def put(self, name: str, xml: str) -> None:
        if name not in self.parts and name not in self.text:
            self.order.append(name)
        self.text[name] = xml

    def drop(self, name: str) -> None:
        self.parts.pop(name, None)
        self.text.pop(name, None)
        if name in self.order:
            self.order.remove(name)

    def new_name(self, pattern: str) -> str:
        n = 1
        while pattern.format(n) in self.parts or pattern.format(n) in self.text:
            n += 1
        return pattern.format(n)

    def save(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in self.order:
                zf.writestr(name, self.text[name].encode("utf-8") if name in self.text else self.parts[name])
        return buf.getvalue()

    # relationships

    @staticmethod
    def rels_of(part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", f"{name}.rels")

    def rels(self, part: str) -> list[tuple[str, str, str, str | None]]:
        """(id, type, resolved target, TargetMode) of each relationship of `part`."""
        name = self.rels_of(part)
        if name not in self.parts and name not in self.text:
            return []
        out = []
        for rel in ET.fromstring(self.xml(name)).findall(f"{{{NS_PKG_REL}}}Relationship"):
            target, mode = rel.get("Target", ""), rel.get("TargetMode")
            if mode != "External":
                base = posixpath.dirname(part)
                target = (
                    target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
                )
            out.append((rel.get("Id", ""), rel.get("Type", ""), target, mode))
        return out

    def add_rel(self, part: str, rel_type: str, target: str) -> str:
        name = self.rels_of(part)
        if name not in self.parts and name not in self.text:
            self.put(
                name,
                f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}"></Relationships>',
            )
        taken = {r[0] for r in self.rels(part)}
        n = 1
        while f"rIdK{n}" in taken:
            n += 1
        rid = f"rIdK{n}"
        self.put(
            name,
            insert_before_close(
                self.xml(name),
                "Relationships",
                f'<Relationship Id="{rid}" Type="{rel_type}" Target="/{target}"/>',
            ),
        )
        return rid

    def drop_rels(self, part: str, ids: set[str]) -> None:
        if not ids:
            return
        name = self.rels_of(part)
        self.put(
            name,
            re.sub(
                r"<Relationship\b[^>]*?(?:/>|>\s*</Relationship>)",
                lambda m: "" if attr(m.group(0), "Id") in ids else m.group(0),
                self.xml(name),
            ),
        )

    # content types

    def add_content_type(self, part: str, content_type: str) -> None:
        self.put(
            CONTENT_TYPES,
            insert_before_close(
                self.xml(CONTENT_TYPES),
                "Types",
                f'<Override PartName="/{part}" ContentType="{content_type}"/>',
            ),
        )

    def ensure_default(self, extension: str, content_type: str) -> None:
        xml = self.xml(CONTENT_TYPES)
        for m in re.finditer(r"<Default\b[^>]*>", xml):
            if (attr(m.group(0), "Extension") or "").lower() == extension:
                return
        self.put(
            CONTENT_TYPES,
            insert_before_close(
                xml, "Types", f'<Default Extension="{extension}" ContentType="{content_type}"/>'
            ),
        )

    def drop_content_type(self, part: str) -> None:
        self.put(
            CONTENT_TYPES,
            re.sub(
                r"<Override\b[^>]*?/>",
                lambda m: "" if attr(m.group(0), "PartName") == f"/{part}" else m.group(0),
                self.xml(CONTENT_TYPES),
            ),
        )

    # sheets

    def add_sheet(self, name: str, xml: str) -> str:
        """Worksheet `xml` added as the first sheet, named `name`; its part name."""
        part = self.new_name("xl/worksheets/sheet{}.xml")
        self.put(part, xml)
        self.add_content_type(part, CT_WORKSHEET)
        rid = self.add_rel(WORKBOOK, REL_WORKSHEET, part)
        book = self.xml(WORKBOOK)
        ids = [int(i) for i in re.findall(r'<sheet\b[^>]*?\ssheetId="(\d+)"', book)]
        sheet_id = max(ids, default=0) + 1
        entry = f'<sheet xmlns:r="{NS_REL}" name={quoteattr(name)} sheetId="{sheet_id}" r:id="{rid}"/>'
        m = re.search(r"<sheets\b[^>]*>", book)
        if not m:
            raise Unsupported("no <sheets>")
        self.put(WORKBOOK, book[: m.end()] + entry + book[m.end() :])
        return part


_STYLES_XML = (
    f'{XML_DECL}<styleSheet xmlns="{NS_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def new_workbook() -> Package:
    """A workbook with no sheet yet (add them with `Package.add_sheet`) and the default styles
    (add formats with `Styles`)."""
    pkg = Package()
    pkg.put(
        CONTENT_TYPES,
        f'{XML_DECL}<Types xmlns="{NS_CONTENT_TYPES}">'
        f'<Default Extension="rels" ContentType="{CT_RELS}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{WORKBOOK}" ContentType="{CT_WORKBOOK}"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/></Types>',
    )
    pkg.put(
        "_rels/.rels",
        f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL_OFFICE_DOCUMENT}" Target="{WORKBOOK}"/></Relationships>',
    )
    pkg.put(
        WORKBOOK,
        f'{XML_DECL}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews><sheets></sheets></workbook>',
    )
    pkg.put("xl/styles.xml", _STYLES_XML)
    pkg.add_rel(WORKBOOK, REL_STYLES, "xl/styles.xml")
    return pkg


class Styles:
    """A workbook's styles part, with the fills, fonts and cell formats we add (written by `save`)."""

    def __init__(self, pkg: Package) -> None:
        styles = [t for _, kind, t, _ in pkg.rels(WORKBOOK) if kind == REL_STYLES]
        if not styles:
            raise Unsupported("no styles part")
        self.pkg, self.part = pkg, styles[0]
        root = ET.fromstring(pkg.xml(self.part))

        def count(section: str, item: str) -> int:
            el = root.find(f"{{{NS_MAIN}}}{section}")
            if el is None:
                raise Unsupported(f"no {section}")
            return len(el.findall(f"{{{NS_MAIN}}}{item}"))

        self.n = {
            "fills": count("fills", "fill"),
            "fonts": count("fonts", "font"),
            "cellXfs": count("cellXfs", "xf"),
        }
        section = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", pkg.xml(self.part), re.S)
        self.xfs = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", section.group(1), re.S) if section else []
        if len(self.xfs) != self.n["cellXfs"]:
            raise Unsupported("cell formats not as expected")
        self.added: dict[str, list[str]] = {"fills": [], "fonts": [], "cellXfs": []}
        self.fills: dict[str, int] = {}
        self.fonts: dict[str, int] = {}
        self.formats: dict[tuple[Any, ...], int] = {}

    def _add(self, section: str, xml: str) -> int:
        self.added[section].append(xml)
        return self.n[section] + len(self.added[section]) - 1

    def fill(self, rgb: str) -> int:
        if rgb not in self.fills:
            xml = (
                f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
                '<bgColor indexed="64"/></patternFill></fill>'
            )
            self.fills[rgb] = self._add("fills", xml)
        return self.fills[rgb]

    def font(
        self, bold: bool = False, size: int = 11, rgb: str | None = None, underline: bool = False
    ) -> int:
        """A font; without `rgb`, the theme's text colour (a workbook of `new_workbook`, which
        has no theme, gives an `rgb`)."""
        key = f"{bold}{size}{rgb}{underline}"
        if key not in self.fonts:
            xml = (
                "<font>"
                + ("<b/>" if bold else "")
                + ("<u/>" if underline else "")
                + f'<sz val="{size}"/>'
                + (f'<color rgb="FF{rgb}"/>' if rgb else '<color theme="1"/>')
                + '<name val="Calibri"/><family val="2"/></font>'
            )
            self.fonts[key] = self._add("fonts", xml)
        return self.fonts[key]

    def flagged(self, style: int, rgb: str) -> int:
        """A copy of their cell format `style` with a fill of `rgb`: number format, font,
        borders, alignment and protection as they were."""
        key = ("flag", style, rgb)
        if key not in self.formats:
            base = (
                self.xfs[style]
                if 0 <= style < len(self.xfs)
                else '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            )
            start = re.match(r"<xf\b[^>]*?/?>", base)
            assert start is not None
            tag = set_attr(set_attr(start.group(0), "fillId", str(self.fill(rgb))), "applyFill", "1")
            self.formats[key] = self._add("cellXfs", tag + base[start.end() :])
        return self.formats[key]

    def ours(self, font: int = 0, fill: int = 0, wrap: bool = False) -> int:
        """A cell format of a sheet of ours."""
        key = ("ours", font, fill, wrap)
        if key not in self.formats:
            xml = f'<xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"'
            xml += ' applyFont="1" applyFill="1"'
            xml += ' applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>' if wrap else "/>"
            self.formats[key] = self._add("cellXfs", xml)
        return self.formats[key]

    def save(self) -> None:
        xml = self.pkg.xml(self.part)
        for section in ("fonts", "fills", "cellXfs"):
            if self.added[section]:
                total = self.n[section] + len(self.added[section])
                xml = insert_before_close(xml, section, "".join(self.added[section]), count=total)
        self.pkg.put(self.part, xml)


def cell(ref: str, value: Any, style: int) -> str:
    """A cell of a sheet of ours: agency text made safe (`safe_cell`), numbers as numbers, text
    inline."""
    value = safe_cell(value)
    if value is None:
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
    text = escape(str(value))
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def sheet_row(r: int, cells: Sequence[tuple[Any, int]]) -> str:
    """Row `r` of a sheet of ours: (value, style) for column A onwards."""
    return (
        f'<row r="{r}">'
        + "".join(cell(f"{get_column_letter(c)}{r}", v, s) for c, (v, s) in enumerate(cells, 1))
        + "</row>"
    )


def worksheet(
    rows: Sequence[str], widths: Sequence[float], frozen: int, hyperlinks: Sequence[str] = ()
) -> str:
    """A worksheet of ours, its tab selected: `rows` (of `sheet_row`), column widths from A, the first
    `frozen` rows kept in view, `<hyperlink>` elements."""
    cols = "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>' for c, w in enumerate(widths, 1))
    top = f"A{frozen + 1}"
    return (
        f'{XML_DECL}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        f'<pane ySplit="{frozen}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData>'
        + (f"<hyperlinks>{''.join(hyperlinks)}</hyperlinks>" if hyperlinks else "")
        + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
    )
