"""Editing an xlsx package (a zip of XML parts) as text: parts read and replaced, relationships
and content types added or dropped, attributes of a start tag set; every part not touched is
written back byte for byte. What `intake.markup` builds the agency's marked-up copy with.

Edits are string edits at element boundaries found by regular expressions (attributes read by
name, whatever their order); parts are parsed with ElementTree only to read them, so prefixes,
`mc:Ignorable` lists and everything else of theirs stay as they were.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr, unescape

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_WORKSHEET = f"{NS_REL}/worksheet"
REL_COMMENTS = f"{NS_REL}/comments"
REL_VML = f"{NS_REL}/vmlDrawing"
REL_HYPERLINK = f"{NS_REL}/hyperlink"
REL_CALC_CHAIN = f"{NS_REL}/calcChain"
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

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            self.order = [i.filename for i in zf.infolist() if not i.is_dir()]
            self.parts: dict[str, bytes] = {name: zf.read(name) for name in self.order}
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
