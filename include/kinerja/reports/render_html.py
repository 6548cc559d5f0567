"""Self-contained HTML reports (no template engine, no scripts): the kota's report and a PD's page.

Pages are built from strings with `html.escape` on every value that is not our own markup:
agency-supplied text (names, indicators, problems, evidence) renders as text, so a PD name
containing `<script>` shows those characters. A Content-Security-Policy allowing no script at
all is a second line of defence. Charts are PNGs embedded as base64 `data:` images, so a page is
one file that can be uploaded anywhere. Numbers are in Indonesian format (95,89 %).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from kinerja.cells import doc_text
from kinerja.reports.charts import Chart
from kinerja.reports.table import SECTIONS, Table

FOLD_ROWS = 25
"""Tables longer than this are folded (<details>) so the page stays readable."""

CSS = """
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
 background:#f6f7f9;font-size:15px;line-height:1.45}
header{background:#1f4e78;color:#fff;padding:1.4rem 2rem}
header h1{margin:0 0 .3rem;font-size:1.6rem} header p{margin:0;opacity:.9}
main{max-width:1200px;margin:0 auto;padding:1rem 2rem 3rem}
nav{background:#fff;border:1px solid #dde;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
nav{display:flex;flex-wrap:wrap;gap:.3rem 1.1rem} nav a{color:#1f4e78}
section{background:#fff;border:1px solid #dde;border-radius:6px;padding:1rem 1.4rem;margin:1.2rem 0}
h2{color:#1f4e78;border-bottom:2px solid #1f4e78;padding-bottom:.3rem;font-size:1.3rem}
h3{font-size:1.05rem;margin:1.4rem 0 .3rem}
p.note{color:#555;font-size:.85rem;margin:.2rem 0 .5rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:.6rem 0}
.card{flex:1 1 220px;border:1px solid #dde;border-left:5px solid #1f4e78;border-radius:4px;
 padding:.6rem .8rem}
.card .v{font-size:1.5rem;font-weight:bold;color:#1f4e78} .card .l{font-size:.85rem;color:#444}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.8rem;margin:.3rem 0 .8rem;min-width:50%}
th,td{border:1px solid #d0d4da;padding:.25rem .45rem;vertical-align:top}
thead th{background:#1f4e78;color:#fff;text-align:center;position:sticky;top:0}
tbody tr:nth-child(even){background:#f3f6fa}
td.n{text-align:right;white-space:nowrap}
figure{margin:1rem 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
details summary{cursor:pointer;color:#1f4e78;margin:.3rem 0}
ul.files a{font-weight:bold}
footer{color:#666;font-size:.8rem;text-align:center;padding:1rem}
@media (max-width:640px){main{padding:.5rem} header{padding:1rem} section{padding:.6rem .7rem}}
@media print{body{background:#fff} nav{display:none} section{border:0;padding:0;break-inside:auto}
 thead th{position:static} header{color:#000;background:#fff;border-bottom:2px solid #1f4e78}}
"""

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _anchor(section: str) -> str:
    return "s-" + "".join(c if c.isalnum() else "-" for c in section.lower()).strip("-")


def table_html(table: Table) -> str:
    head = "".join(f"<th>{escape(c.header)}</th>" for c in table.cols)
    body = []
    for row in table.rows:
        cells = []
        for col, value in zip(table.cols, row, strict=True):
            cls = ' class="n"' if col.kind != "text" else ""
            cells.append(f"<td{cls}>{escape(doc_text(value, col.kind))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(table.cols)}">Belum ada data.</td></tr>')
    grid = (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    if len(table.rows) > FOLD_ROWS:
        grid = f"<details><summary>Tampilkan {len(table.rows)} baris</summary>{grid}</details>"
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return f"<h3>{escape(table.title)}</h3>{note}{grid}"


def chart_html(chart: Chart) -> str:
    data = base64.b64encode(chart.png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(chart.alt)}" '
        f'width="{round(chart.width_in * 96)}"><figcaption>{escape(chart.title)}. '
        f"{escape(chart.alt)}</figcaption></figure>"
    )


def cards_html(cards: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<div class="card"><div class="v">{escape(v)}</div><div class="l">{escape(label)}</div></div>'
        for label, v in cards
    )
    return f'<div class="cards">{items}</div>'


def page(
    title: str,
    subtitle: str,
    tables: Sequence[Table],
    charts: Sequence[Chart],
    cards: Sequence[tuple[str, str]] = (),
    downloads: Sequence[tuple[str, str]] = (),
    footer: str = "",
) -> str:
    """A complete page: header, cards, contents, one section per report part (charts first)."""
    sections = [
        s for s in SECTIONS if any(t.section == s for t in tables) or any(c.section == s for c in charts)
    ]
    nav = "".join(f'<a href="#{_anchor(s)}">{escape(s)}</a>' for s in sections)
    parts = []
    if downloads:
        links = "".join(f'<li><a href="{escape(href)}">{escape(label)}</a></li>' for label, href in downloads)
        parts.append(f'<section id="unduh"><h2>Unduh data</h2><ul class="files">{links}</ul></section>')
    for s in sections:
        content = [chart_html(c) for c in charts if c.section == s]
        content += [table_html(t) for t in tables if t.section == s]
        parts.append(f'<section id="{_anchor(s)}"><h2>{escape(s)}</h2>{"".join(content)}</section>')
    return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{escape(title)}</title>
<style>{CSS}</style></head><body>
<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>
<main>
{cards_html(cards) if cards else ""}
<nav>{nav}</nav>
{"".join(parts)}
</main>
<footer>{escape(footer)}</footer>
</body></html>
"""
