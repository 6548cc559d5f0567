"""The "Status Pengumpulan" page as HTML: the PD × report matrix of `status_page.StatusPage`, the
chain above it, the deadline, the files that came in elsewhere and the legend."""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import quote

from kinerja.cells import tanggal, waktu
from kinerja.schema.model import LAPORAN
from kinerja.status.collection import BELUM_MASUK, DITOLAK, TERLAMBAT, VALID
from kinerja.status.quarters import BELUM_WAKTUNYA, DIKEMBALIKAN, TAK_TERBACA
from kinerja.web.chain import CHAIN_CSS, render_chain
from kinerja.web.status_page import FEEDBACK_ROUTE, STATUSES, TAK_DIKENALI, Cell, PdRow, StatusPage

STATUS_LABEL = {
    BELUM_MASUK: "Belum masuk",
    TAK_DIKENALI: "Masuk, tak dikenali",
    DITOLAK: "Ditolak",
    DIKEMBALIKAN: "Dikembalikan",
    VALID: "Valid",
    TERLAMBAT: "Terlambat",
    BELUM_WAKTUNYA: "Belum waktunya",
    TAK_TERBACA: "Masuk, triwulan tak terbaca",
}
STATUS_HINT = {
    BELUM_MASUK: "belum ada berkas yang masuk",
    TAK_DIKENALI: (
        "berkas masuk di folder PD tetapi bukan templat laporan (mis. CSV/PDF bernama .xlsx): "
        "PD sudah mendapat umpan balik dan perlu mengirim templat yang benar"
    ),
    DITOLAK: "semua versi yang diterima ditolak: PD perlu memperbaiki dan mengirim ulang",
    DIKEMBALIKAN: (
        "Inspektorat mengembalikan data LPPD dengan catatan (reviu): PD perlu memperbaiki dan mengirim "
        "ulang berkas LPPD"
    ),
    BELUM_WAKTUNYA: "triwulan belum berakhir",
    TAK_TERBACA: (
        "berkas e-SPM triwulanan masuk tetapi isian Triwulan (I-IV) di lembar Info kosong atau salah: "
        "ditolak, tidak masuk triwulan mana pun; PD sudah mendapat umpan balik"
    ),
    VALID: "data valid diterima sebelum batas dan sudah dimuat",
    TERLAMBAT: "data valid sudah dimuat, tetapi diterima setelah batas",
}
STATUS_CLASS = {
    BELUM_MASUK: "belum",
    TAK_DIKENALI: "takdikenali",
    DITOLAK: "ditolak",
    DIKEMBALIKAN: "dikembalikan",
    VALID: "valid",
    TERLAMBAT: "terlambat",
    BELUM_WAKTUNYA: "belum",
    TAK_TERBACA: "takdikenali",
}

_CSS = """
:root { color-scheme: light; --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0; padding: 16px 20px 32px; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
.sub { color: var(--muted); margin: 0 0 14px; }
.bar { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: center; margin-bottom: 14px; }
form { display: flex; gap: 8px; align-items: center; }
select, button { font: inherit; padding: 4px 8px; border: 1px solid #d1d5db; border-radius: 6px;
                 background: #fff; }
button { background: #1d4ed8; color: #fff; border-color: #1d4ed8; cursor: pointer; }
.deadline { padding: 6px 12px; border-radius: 8px; background: #eff6ff; border: 1px solid #bfdbfe; }
.deadline.lewat { background: #fef2f2; border-color: #fecaca; }
.deadline.dekat { background: #fffbeb; border-color: #fde68a; }
.deadline strong { font-size: 16px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 14px; padding: 0; list-style: none; }
.summary li { padding: 4px 10px; border-radius: 999px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 8px 10px; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f9fafb; font-size: 12px; text-transform: uppercase;
           letter-spacing: .04em; color: var(--muted); }
td.pd { width: 28%; }
td.pd .kode { font-family: ui-monospace, monospace; font-size: 12px; color: var(--muted); }
td.cell { min-width: 190px; border-left: 4px solid transparent; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-weight: 600; font-size: 12px; }
.meta { color: var(--muted); font-size: 12px; }
.meta a { color: #1d4ed8; }
.meta.berkas { font-family: ui-monospace, monospace; font-size: 11px; word-break: break-all; }
.st-belum { background: #f3f4f6; color: #374151; }
td.st-belum { background: #fafafa; border-left-color: #d1d5db; }
.st-ditolak { background: #fee2e2; color: #991b1b; }
td.st-ditolak { background: #fff5f5; border-left-color: #dc2626; }
.st-valid { background: #dcfce7; color: #166534; }
td.st-valid { background: #f6fef9; border-left-color: #16a34a; }
.st-terlambat { background: #fef3c7; color: #92400e; }
td.st-terlambat { background: #fffbeb; border-left-color: #d97706; }
.st-takdikenali { background: #ede9fe; color: #5b21b6; }
td.st-takdikenali { background: #faf5ff; border-left-color: #7c3aed; }
.st-dikembalikan { background: #ffedd5; color: #9a3412; }
td.st-dikembalikan { background: #fff7ed; border-left-color: #ea580c; }
td.na { color: #9ca3af; }
.surel-gagal { color: #991b1b; } .surel-gagal ul { margin: 2px 0 0 16px; padding: 0; }
h2 { font-size: 16px; margin: 20px 0 6px; }
.legend { margin-top: 16px; color: var(--muted); font-size: 12px; }
.legend span.badge { margin-right: 4px; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def sisa_hari_text(n: int) -> str:
    if n == 0:
        return "hari ini batas terakhir"
    if n > 0:
        return f"sisa {n} hari"
    return f"sudah lewat {-n} hari"


def feedback_href(path: str) -> str:
    """The link to a feedback file through the plugin's route (relative to the page)."""
    return f"{FEEDBACK_ROUTE}?path={quote(path, safe='/')}"


def _cell_html(cell: Cell, page: StatusPage) -> str:
    cls = STATUS_CLASS.get(cell.status, "belum")
    parts = [
        f'<span class="badge st-{cls}" title="{_e(STATUS_HINT.get(cell.status, ""))}">'
        f"{_e(STATUS_LABEL.get(cell.status, cell.status))}</span>"
    ]
    if cell.versions:
        received = f"{cell.versions} versi masuk"
        if cell.rejected:
            received += f", {cell.rejected} ditolak"
        parts.append(f'<div class="meta versi">{_e(received)}</div>')
    if cell.last_received_at is not None:
        late = " (terlambat)" if cell.terlambat else ""
        parts.append(
            f'<div class="meta">terakhir masuk {_e(waktu(cell.last_received_at, page.tz, page.tz_label))}'
            f"{_e(late)}</div>"
        )
    if cell.feedback_path:
        when = f" &middot; {_e(waktu(cell.feedback_at, page.tz, page.tz_label))}" if cell.feedback_at else ""
        parts.append(
            f'<div class="meta umpan-balik"><a href="{_e(feedback_href(cell.feedback_path))}">'
            f"Umpan balik terakhir</a>{when}</div>"
        )
        if cell.feedback_file:
            parts.append(f'<div class="meta berkas">{_e(cell.feedback_file)}</div>')
    return (
        f'<td class="cell st-{cls}" data-laporan="{_e(cell.laporan)}" data-status="{_e(cell.status)}">'
        + "".join(parts)
        + "</td>"
    )


def _mail_html(row: PdRow) -> str:
    if not row.mail_problems:
        return ""
    items = "".join(f"<li>{_e(p)}</li>" for p in row.mail_problems[:5])
    return f'<div class="meta surel-gagal">E-mail umpan balik tidak sampai:<ul>{items}</ul></div>'


def _unplaced_html(page: StatusPage, kode: str) -> str:
    """Under the PD's name: quarterly files rejected with no readable quarter, which no quarter
    cell shows (like the yearly cells' "masuk, tak dikenali"), linked to their feedback."""
    u = page.triwulan_tak_terbaca.get(kode)
    if u is None:
        return ""
    when = _e(waktu(u.last_received_at, page.tz, page.tz_label))
    parts = [
        f'<div class="meta tanpa-triwulan" data-status="{_e(TAK_TERBACA)}">'
        f'<span class="badge st-takdikenali" title="{_e(STATUS_HINT[TAK_TERBACA])}">'
        f"{_e(STATUS_LABEL[TAK_TERBACA])}</span> "
        f"{u.versions} berkas ditolak, Triwulan (I-IV) tak terbaca &middot; terakhir {when}</div>"
    ]
    if u.feedback_path:
        parts.append(
            f'<div class="meta umpan-balik"><a href="{_e(feedback_href(u.feedback_path))}">'
            f"Umpan balik terakhir</a> &middot; {_e(u.feedback_file or '')}</div>"
        )
    return "".join(parts)


def _quarters_html(page: StatusPage) -> str:
    """The optional quarterly e-SPM files (SPMTW) of every PD owing the SPM, per quarter."""
    if not page.triwulan:
        return ""
    names = {row.kode_pd: row.nama_pd for row in page.rows}
    rows = []
    for kode, cells in page.triwulan.items():
        tds = []
        for c in cells:
            cls = STATUS_CLASS.get(c.status, "belum")
            meta = f"batas {tanggal(c.batas)}"
            if c.last_received_at is not None:
                when = waktu(c.last_received_at, page.tz, page.tz_label)
                meta += f" &middot; {c.versions} versi, terakhir {_e(when)}"
            tds.append(
                f'<td class="cell st-{cls}" data-triwulan="{c.triwulan}" data-status="{_e(c.status)}">'
                f'<span class="badge st-{cls}">{_e(STATUS_LABEL.get(c.status, c.status))}</span>'
                f'<div class="meta">{meta}</div></td>'
            )
        rows.append(
            f'<tr data-pd="{_e(kode)}"><td class="pd"><div class="nama">{_e(names.get(kode, kode))}</div>'
            f'<div class="kode">{_e(kode)}</div>{_unplaced_html(page, kode)}</td>{"".join(tds)}</tr>'
        )
    return (
        '<h2 id="triwulan">Laporan SPM triwulanan (e-SPM, tidak wajib di sini)</h2>'
        "<table><thead><tr><th>Perangkat Daerah</th><th>Triwulan I</th><th>Triwulan II</th>"
        f"<th>Triwulan III</th><th>Triwulan IV</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _strays_html(page: StatusPage) -> str:
    """Files in folders that are no active agency's: ditolak, listed so nobody misses them."""
    if not page.strays:
        return ""
    rows = []
    for s in page.strays:
        href = _e(feedback_href(s.feedback_path)) if s.feedback_path else None
        link = f'<a href="{href}">Umpan balik</a>' if href else "&ndash;"
        rows.append(
            f'<tr class="stray"><td class="meta berkas">{_e(s.path)}</td>'
            f"<td>{_e(waktu(s.received_at, page.tz, page.tz_label))}</td><td>{_e(s.reason)}</td>"
            f'<td class="meta">{link}</td></tr>'
        )
    return (
        f'<h2 id="berkas-lain">Berkas di folder yang bukan folder PD aktif ({len(page.strays)})</h2>'
        "<table><thead><tr><th>Berkas</th><th>Masuk</th><th>Alasan ditolak</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _refused_html(page: StatusPage) -> str:
    """Files the collection does not take: the operators see each one, and its page if any."""
    if not page.refused:
        return ""
    rows = []
    for r in page.refused:
        href = _e(feedback_href(r.feedback_path)) if r.feedback_path else None
        link = f'<a href="{href}">Umpan balik</a>' if href else "hanya di halaman ini"
        rows.append(
            f'<tr class="tidak-diproses"><td class="meta berkas">{_e(r.path)}</td>'
            f"<td>{_e(r.kode_pd or '-')}</td><td>{_e(waktu(r.received_at, page.tz, page.tz_label))}</td>"
            f'<td>{_e(r.reason)}</td><td>{_e(r.fix)}</td><td class="meta">{link}</td></tr>'
        )
    return (
        f'<h2 id="tidak-diproses">Berkas yang tidak diproses ({len(page.refused)})</h2>'
        "<table><thead><tr><th>Berkas</th><th>Folder PD</th><th>Masuk</th><th>Alasan</th>"
        f"<th>Cara memperbaiki</th><th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _deadline_html(page: StatusPage) -> str:
    n = page.days_left
    cls = "lewat" if n < 0 else "dekat" if n <= 7 else ""
    return (
        f'<div class="deadline {cls}" id="sisa-hari" data-days-left="{n}">'
        f"Batas pengumpulan: {_e(tanggal(page.batas))} pukul 23.59 {_e(page.tz_label)} &middot; "
        f"<strong>{_e(sisa_hari_text(n))}</strong></div>"
    )


def _options(years: Iterable[int], selected: int) -> str:
    return "".join(f'<option value="{y}"{" selected" if y == selected else ""}>{y}</option>' for y in years)


def render_status_page(page: StatusPage) -> str:
    """The page as one self-contained HTML document (inline CSS, no script, all text escaped)."""
    counts = page.ringkasan
    total = sum(counts.values())
    summary = "".join(
        f'<li class="st-{STATUS_CLASS[s]}" data-status="{_e(s)}">'
        f"{_e(STATUS_LABEL[s])}: {counts.get(s, 0)}</li>"
        for s in STATUSES
    )
    head = "".join(f"<th>{_e(lap)}</th>" for lap in LAPORAN)
    body = []
    for row in page.rows:
        cells = []
        for lap in LAPORAN:
            cell = row.cells.get(lap)
            cells.append(
                _cell_html(cell, page)
                if cell is not None
                else f'<td class="na" data-laporan="{_e(lap)}" title="tidak wajib">&ndash;</td>'
            )
        body.append(
            f'<tr data-pd="{_e(row.kode_pd)}"><td class="pd"><div class="nama">{_e(row.nama_pd)}</div>'
            f'<div class="kode">{_e(row.kode_pd)}</div>{_mail_html(row)}</td>{"".join(cells)}</tr>'
        )
    if not body:
        body.append(f'<tr><td colspan="{1 + len(LAPORAN)}">Tidak ada PD aktif pada tahun ini.</td></tr>')
    strays = _strays_html(page)
    legend = " ".join(
        f'<span class="badge st-{STATUS_CLASS[s]}">{_e(STATUS_LABEL[s])}</span>{_e(STATUS_HINT[s])}.'
        for s in STATUSES
    )
    return f"""<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Status Pengumpulan {page.tahun} &middot; {_e(page.nama_kota)}</title>
<style>{_CSS}{CHAIN_CSS}</style>
</head>
<body>
<h1>Status Pengumpulan Data Tahun {page.tahun}</h1>
<p class="sub">{_e(page.nama_kota)} &middot; LKPJ, LPPD dan SPM &middot;
keadaan per {_e(tanggal(page.hari_ini))}</p>
<div class="bar">
<form method="get" action="">
<label for="tahun">Tahun pelaporan</label>
<select id="tahun" name="tahun">{_options(page.years, page.tahun)}</select>
<button type="submit">Tampilkan</button>
</form>
{_deadline_html(page)}
</div>
{render_chain(page.tahun, page.chain)}
<ul class="summary" aria-label="Ringkasan {total} laporan wajib">{summary}</ul>
<table>
<thead><tr><th>Perangkat Daerah</th>{head}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
<p class="legend">{legend} Sel &ldquo;&ndash;&rdquo;: laporan tidak wajib bagi PD itu.</p>
{_quarters_html(page)}
{strays}
{_refused_html(page)}
</body>
</html>
"""
