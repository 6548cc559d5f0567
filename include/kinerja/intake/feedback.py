"""The agency's feedback for one submitted file: an .xlsx and an .html in Bahasa Indonesia.

Written next to the file, in `<tahun>/<KODE_PD>/umpan-balik/`, so each agency only ever sees
its own. Agency-supplied text is escaped in HTML and neutralised in spreadsheet cells.
"""

from __future__ import annotations

import hashlib
import html
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from kinerja.intake.xlsx_package import Styles, new_workbook, sheet_row, worksheet
from kinerja.schema.issues import Issue
from kinerja.sources.base import FEEDBACK_FOLDER, Drive, safe_relative

COLUMNS = ("Tingkat", "Lembar", "Baris", "Kolom", "Nilai", "Masalah", "Cara memperbaiki")


@dataclass(frozen=True)
class FeedbackContext:
    path: str
    """The submitted file, relative to the drive root."""
    nama_pd: str
    kode_pd: str
    tahun: int
    laporan: str | None
    version: int
    received_at: datetime
    terlambat: bool
    batas: str
    """The deadline, already formatted for people."""
    zona: ZoneInfo
    zona_label: str


MAX_STEM_BYTES = 150
"""Feedback names stay well under the 255-byte limit of file names on every drive."""


def feedback_paths(submitted: str) -> tuple[str, str]:
    """Where the .xlsx and .html feedback for `submitted` go (same agency folder), under a
    name that is one readable path component: NFC, no control or bidi-override characters,
    no separators, cut to `MAX_STEM_BYTES` (a digest keeps cut names apart)."""
    base = _feedback_base(submitted)
    return (f"{base}.umpan-balik.xlsx", f"{base}.umpan-balik.html")


def markup_path(submitted: str) -> str:
    """Where the marked-up copy of `submitted` goes, beside its other feedback."""
    return f"{_feedback_base(submitted)}.ditandai.xlsx"


def _feedback_base(submitted: str) -> str:
    path = PurePosixPath(safe_relative(submitted))
    folder = path.parent / FEEDBACK_FOLDER
    raw = path.name.rsplit(".", 1)[0]
    stem = (
        "".join(
            "_" if c in "/\\" or unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c
            for c in unicodedata.normalize("NFC", raw)
        ).strip(" .")
        or "berkas"
    )
    if len(stem.encode()) > MAX_STEM_BYTES:
        digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        stem = stem.encode()[: MAX_STEM_BYTES - 9].decode("utf-8", "ignore") + "-" + digest
    return f"{folder}/{stem}"


def verdict(issues: Sequence[Issue]) -> tuple[str, str]:
    errors = sum(1 for i in issues if i.severity == "error")
    warnings = len(issues) - errors
    if errors:
        return "DITOLAK", (
            f"{errors} kesalahan harus diperbaiki"
            + (f" dan {warnings} peringatan perlu diperiksa" if warnings else "")
            + ". Perbaiki berkas lalu letakkan kembali di folder yang sama; "
            "data tahun ini belum diterima dari berkas ini."
        )
    if warnings:
        return "DITERIMA", (
            f"Data diterima dan dimuat. {warnings} peringatan perlu diperiksa; "
            "bila angka sudah benar, tidak perlu mengirim ulang."
        )
    return "DITERIMA", "Data diterima dan dimuat tanpa catatan. Terima kasih."


@dataclass(frozen=True)
class FeedbackFiles:
    """What was written for one version, relative to the drive root."""

    xlsx: str
    html: str
    markup: str | None
    """The marked-up copy of the agency's workbook (None: no finding, or not a workbook)."""


def write_feedback(
    drive: Drive, ctx: FeedbackContext, data: bytes, issues: Sequence[Issue], checked: bool = False
) -> FeedbackFiles:
    """Write the feedback of one version beside the agency's file: the list (.xlsx, .html) and
    the marked-up copy of their own workbook when it has something to show (`checked`: `data`
    already passed the container checks)."""
    from kinerja.intake.markup import render_markup

    xlsx, page = feedback_paths(ctx.path)
    drive.write_bytes(xlsx, render_xlsx(ctx, issues))
    marked = render_markup(data, issues, checked=checked)
    markup = markup_path(ctx.path) if marked is not None else None
    if marked is not None and markup is not None:
        drive.write_bytes(markup, marked)
    drive.write_bytes(page, render_html(ctx, issues))  # last: the recorded path means all are there
    return FeedbackFiles(xlsx, page, markup)


def _rows(issues: Sequence[Issue]) -> list[tuple[Any, ...]]:
    ordered = sorted(issues, key=lambda i: (i.severity != "error", i.sheet or "", i.row or 0))
    return [
        (
            "Kesalahan" if i.severity == "error" else "Peringatan",
            i.sheet or "-",
            i.row or "-",
            i.column or "-",
            i.value if i.value is not None else "-",
            i.message,
            i.fix,
        )
        for i in ordered
    ]


def facts(ctx: FeedbackContext) -> list[tuple[str, str]]:
    received = ctx.received_at.astimezone(ctx.zona).strftime("%d-%m-%Y %H:%M ") + ctx.zona_label
    return [
        ("Perangkat Daerah", f"{ctx.nama_pd} ({ctx.kode_pd})"),
        ("Berkas", PurePosixPath(ctx.path).name),
        ("Laporan", ctx.laporan or "tidak dikenali"),
        ("Tahun pelaporan", str(ctx.tahun)),
        ("Versi berkas", str(ctx.version)),
        ("Masuk", received + (f" — TERLAMBAT (batas {ctx.batas})" if ctx.terlambat else "")),
    ]


def heading_styles(styles: Styles, status: str) -> tuple[int, int, int]:
    """Cell formats of our sheets (the feedback workbook, the summary of the marked-up copy): the
    verdict line in the verdict's colour, the column headings, wrapped text."""
    title = styles.ours(
        font=styles.font(bold=True, size=14, rgb="9C0006" if status == "DITOLAK" else "006100")
    )
    head = styles.ours(font=styles.font(bold=True, rgb="FFFFFF"), fill=styles.fill("1F4E78"))
    return title, head, styles.ours(wrap=True)


def render_xlsx(ctx: FeedbackContext, issues: Sequence[Issue]) -> bytes:
    """The feedback workbook: one sheet "Umpan Balik", the verdict, the facts of the file and
    every finding; written as xlsx parts directly (`intake.xlsx_package`)."""
    status, summary = verdict(issues)
    pkg = new_workbook()
    styles = Styles(pkg)
    title, head, wrap = heading_styles(styles, status)
    label = styles.ours(font=styles.font(bold=True, rgb="000000"))
    known = facts(ctx)
    rows = [sheet_row(1, [(f"Hasil pemeriksaan: {status}", title)]), sheet_row(2, [(summary, 0)])]
    rows += [sheet_row(r, [(name, label), (value, 0)]) for r, (name, value) in enumerate(known, start=4)]
    header_row = 4 + len(known) + 1
    rows.append(sheet_row(header_row, [(name, head) for name in COLUMNS]))
    rows += [
        sheet_row(r, [(value, wrap) for value in values])
        for r, values in enumerate(_rows(issues), start=header_row + 1)
    ]
    pkg.add_sheet("Umpan Balik", worksheet(rows, (12, 14, 7, 22, 22, 50, 50), frozen=header_row))
    styles.save()
    return pkg.save()


def render_html(ctx: FeedbackContext, issues: Sequence[Issue]) -> bytes:
    status, summary = verdict(issues)
    esc = html.escape
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts(ctx))
    head = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS)
    body = (
        "".join(
            f'<tr class="{"err" if row[0] == "Kesalahan" else "warn"}">'
            + "".join(f"<td>{esc(str(v))}</td>" for v in row)
            + "</tr>"
            for row in _rows(issues)
        )
        or f'<tr><td colspan="{len(COLUMNS)}">Tidak ada catatan.</td></tr>'
    )
    page = f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Umpan balik {esc(PurePosixPath(ctx.path).name)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}
h1.DITOLAK{{color:#9c0006}} h1.DITERIMA{{color:#006100}}
table{{border-collapse:collapse;margin:1rem 0}} th,td{{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}} thead th{{background:#1f4e78;color:#fff}}
tr.err td:first-child{{color:#9c0006;font-weight:bold}} tr.warn td:first-child{{color:#9c6500}}
</style></head><body>
<h1 class="{status}">Hasil pemeriksaan: {status}</h1>
<p>{esc(summary)}</p>
<table>{rows}</table>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
</body></html>
"""
    return page.encode("utf-8")
