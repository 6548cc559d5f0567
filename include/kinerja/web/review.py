"""The tim ahli's review of a staged build, in the browser: its data and its HTML page.

`compile_reports` records each staged build in `report_review` when it asks for the review
(`pipeline.request_review`: decision `menunggu`, the SHA-256 of every staged file, the headline
figures). The page (`/kinerja/tinjauan?run=<run_id>` of the UI plugin) shows for that build:

* the headline figures, one per line, as the approval request shows them;
* what moved since the last approved build of the same year, and against the previous year;
* the PDs whose data changed since that approval (versions processed after it was asked for);
* the reports rejected or missing, which the figures therefore lack;
* links to the staged PDF, HTML, appendix workbook, the three .docx drafts and every PD bundle,
  served by the plugin from the recorded staging folder, only for paths in the recorded list
  (no path from the request reaches the filesystem) and only while their checksum still matches;
* links to answer the approval request in Airflow (Setujui / Tolak).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import Engine, func, select

from kinerja.catalog.loader import Catalog
from kinerja.cells import format_id
from kinerja.reports.keputusan import DISETUJUI, MENUNGGU, SETUJUI, TOLAK
from kinerja.status.collection import BELUM_MASUK, DITOLAK, collection_status
from kinerja.warehouse.models import report_review, submission

ROUTE = "tinjauan"
DAG_ID, TASK_ID = "compile_reports", "review_reports"
MAIN_FILES = (
    ("laporan.pdf", "Laporan (PDF, ringkas)"),
    ("laporan.html", "Laporan (HTML)"),
    ("lampiran.xlsx", "Lampiran tabel rinci (xlsx)"),
    ("city.xlsx", "Semua tabel kota (xlsx)"),
    ("draf-lkpj.docx", "Draf LKPJ (docx)"),
    ("draf-lppd.docx", "Draf LPPD (docx)"),
    ("draf-spm.docx", "Draf SPM (docx)"),
)


@dataclass(frozen=True)
class Review:
    id: int
    tahun: int
    run_id: str
    staging: str
    decision: str
    reviewer: str | None
    reason: str | None
    requested_at: datetime | None
    decided_at: datetime | None
    berkas: Mapping[str, str]
    ringkasan: Mapping[str, Any]


def _review(row: Any) -> Review:
    return Review(
        row.id,
        row.tahun,
        row.run_id,
        row.staging,
        row.decision,
        row.reviewer,
        row.reason,
        row.requested_at,
        row.decided_at,
        row.berkas or {},
        row.ringkasan or {},
    )


def find_review(engine: Engine, *, run_id: str | None = None, review_id: int | None = None) -> Review | None:
    """A recorded build by its Airflow run id or its row id (None: never recorded)."""
    query = select(report_review)
    query = (
        query.where(report_review.c.run_id == run_id)
        if run_id is not None
        else query.where(report_review.c.id == review_id)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return _review(row) if row is not None else None


def recent_reviews(engine: Engine, limit: int = 30) -> list[Review]:
    with engine.connect() as conn:
        rows = conn.execute(select(report_review).order_by(report_review.c.id.desc()).limit(limit)).all()
    return [_review(r) for r in rows]


def staged_file(review: Review, path: str) -> tuple[str, str] | None:
    """(the recorded relative path, its SHA-256) when `path` is one of the build's files.

    The path the caller joins to the staging folder is the recorded key, never the request's text.
    """
    for key, digest in review.berkas.items():
        if key == path:
            return key, digest
    return None


def last_approved(engine: Engine, review: Review) -> Review | None:
    """The newest approved build of the same year asked for before this one."""
    with engine.connect() as conn:
        row = conn.execute(
            select(report_review)
            .where(
                report_review.c.tahun == review.tahun,
                report_review.c.decision == DISETUJUI,
                report_review.c.id < review.id,
            )
            .order_by(report_review.c.id.desc())
            .limit(1)
        ).first()
    return _review(row) if row is not None else None


# --- what changed ----------------------------------------------------------------------------
FIGURES = (
    ("Capaian SPM daerah", ("spm", "daerah"), "%"),
    ("Skor LPPD gaya EPPD", ("lppd", "skor"), ""),
    ("IKK berdata", ("lppd", "ikk_berdata"), ""),
    ("LKPJ capaian output", ("lkpj", "capaian_output"), "%"),
    ("LKPJ capaian outcome", ("lkpj", "capaian_outcome"), "%"),
    ("Serapan anggaran program", ("lkpj", "serapan"), "%"),
    ("Tindak lanjut DPRD selesai", ("lkpj", "tindak_lanjut", "persen_selesai"), "%"),
    ("Laporan tepat waktu", ("pengumpulan", "tepat_waktu"), ""),
    ("Laporan terlambat", ("pengumpulan", "terlambat"), ""),
    ("Laporan ditolak", ("pengumpulan", "ditolak"), ""),
    ("Laporan belum masuk", ("pengumpulan", "belum_masuk"), ""),
)


def _dig(data: Mapping[str, Any], path: Sequence[str]) -> Decimal | None:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return Decimal(str(value)) if value is not None else None


def _show(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "–"
    places = max(0, -int(value.as_tuple().exponent)) if isinstance(value.as_tuple().exponent, int) else 2
    return f"{format_id(value, places)}{' %' if unit else ''}"


@dataclass(frozen=True)
class Moved:
    figure: str
    before: str
    after: str
    change: str


def moved_figures(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Moved]:
    """The headline figures that differ between two builds' summaries (SPM per bidang too)."""
    figures = list(FIGURES)
    bidang = sorted(
        set((before.get("spm") or {}).get("bidang") or {}) | set((after.get("spm") or {}).get("bidang") or {})
    )
    figures += [(f"SPM bidang {b}", ("spm", "bidang", b), "%") for b in bidang]
    out = []
    for label, path, unit in figures:
        a, b = _dig(before, path), _dig(after, path)
        if a == b:
            continue
        if a is not None and b is not None:
            diff = b - a
            word = "naik" if diff > 0 else "turun"
            suffix = " poin persentase" if unit else ""
            change = f"{word} {_show(abs(diff), '')}{suffix}"
        else:
            change = "baru ada" if a is None else "tidak ada lagi"
        out.append(Moved(label, _show(a, unit), _show(b, unit), change))
    return out


@dataclass(frozen=True)
class ChangedPd:
    kode_pd: str
    laporan: str
    versions: int
    last_processed: datetime


def changed_pds(engine: Engine, tahun: int, since: datetime | None) -> list[ChangedPd]:
    """PD reports with versions processed after `since` (None: every PD that sent data)."""
    query = select(
        submission.c.kode_pd,
        submission.c.laporan,
        func.count().label("n"),
        func.max(submission.c.processed_at).label("last"),
    ).where(submission.c.tahun == tahun, submission.c.laporan.is_not(None))
    if since is not None:
        query = query.where(submission.c.processed_at > since)
    query = query.group_by(submission.c.kode_pd, submission.c.laporan).order_by(
        submission.c.kode_pd, submission.c.laporan
    )
    with engine.connect() as conn:
        return [ChangedPd(r.kode_pd, r.laporan, r.n, r.last) for r in conn.execute(query)]


@dataclass(frozen=True)
class ReviewPage:
    review: Review
    approved_before: Review | None
    moved: list[Moved]
    year_on_year: list[str]
    changed: list[ChangedPd]
    lacking: list[tuple[str, str, str, str]]
    """(kode_pd, nama_pd, laporan, status) of reports ditolak or belum masuk."""
    files: list[tuple[str, str]]
    """(recorded path, label) of the main files, in reading order."""
    bundles: list[str]
    """PD codes with a bundle (pd/<KODE>/index.html)."""


def review_page(engine: Engine, catalog: Catalog, review: Review) -> ReviewPage:
    before = last_approved(engine, review)
    moved = moved_figures(before.ringkasan, review.ringkasan) if before is not None else []
    yoy = [
        f"{p.get('indikator')}: {p.get('kalimat')}"
        for p in review.ringkasan.get("perubahan") or []
        if isinstance(p, Mapping)
    ]
    since = before.requested_at if before is not None else None
    lacking = [
        (s.kode_pd, s.nama_pd, s.laporan, s.status)
        for s in collection_status(engine, catalog, review.tahun)
        if s.status in (DITOLAK, BELUM_MASUK)
    ]
    files = [(path, label) for path, label in MAIN_FILES if path in review.berkas]
    bundles = sorted(
        p.split("/")[1]
        for p in review.berkas
        if p.startswith("pd/") and p.endswith("/index.html") and p.count("/") == 2
    )
    return ReviewPage(
        review, before, moved, yoy, changed_pds(engine, review.tahun, since), lacking, files, bundles
    )


# --- the approval request ----------------------------------------------------------------------
def review_link(base_path: str, run_id: str) -> str:
    """The review page of a run, under the Airflow UI's base path (e.g. '/' or '/airflow/')."""
    return f"{base_path.rstrip('/')}/kinerja/{ROUTE}?{urlencode({'run': run_id})}"


def answer_link(base_path: str, run_id: str, option: str) -> str:
    """Airflow's Required Action page of the run's review, with `option` chosen."""
    query = urlencode({"_options": option, "map_index": -1})
    task = f"dags/{DAG_ID}/runs/{quote(run_id, safe='')}/tasks/{TASK_ID}"
    return f"{base_path.rstrip('/')}/{task}/required_actions?{query}"


def request_body(link: str, ringkasan: str, instructions: str) -> str:
    """The approval request (Markdown): the review page's link, then one figure per line."""
    figures = "\n".join(f"- {line}" for line in ringkasan.splitlines() if line.strip())
    return f"**[Buka halaman tinjauan laporan]({link})**\n\n{figures}\n\n{instructions}".strip()


# --- HTML -------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,sans-serif;margin:20px;color:#1f2933;max-width:1100px}
h1{font-size:1.4rem;color:#1f4e78}h2{font-size:1.1rem;margin-top:1.6rem;color:#1f4e78}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #d0d5dc;padding:4px 8px;text-align:left}
th{background:#1f4e78;color:#fff}.num{text-align:right}.muted{color:#666}
.status{display:inline-block;padding:2px 8px;border-radius:4px;background:#eef2f7}
a.tombol{display:inline-block;padding:6px 14px;margin-right:8px;border-radius:4px;color:#fff;
text-decoration:none}
a.setujui{background:#2e7d32}a.tolak{background:#c62828}ul.berkas li{margin:3px 0}
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _head(table_id: str, *cols: str) -> str:
    return f'<table id="{table_id}"><tr>' + "".join(f"<th>{c}</th>" for c in cols) + "</tr>"


def _table_or(table_id: str, cols: Sequence[str], rows: list[str], empty: str) -> list[str]:
    """An HTML table of `rows` under `cols`, or a paragraph with the same id saying why there is none."""
    if not rows:
        return [f'<p id="{table_id}">{empty}</p>']
    return [_head(table_id, *cols), *rows, "</table>"]


def _when(value: datetime | None, catalog: Catalog) -> str:
    return value.astimezone(catalog.tz).strftime("%d-%m-%Y %H:%M ") + catalog.tz_label if value else "–"


def file_href(review: Review, path: str) -> str:
    """Relative to the review page (`<prefix>/tinjauan`): `<prefix>/tinjauan/<id>/berkas/<path>`."""
    return f"{ROUTE}/{review.id}/berkas/{quote(path)}"


def render_review_page(page: ReviewPage, catalog: Catalog, base_path: str = "/") -> str:
    r = page.review
    lines = str(r.ringkasan.get("ringkasan") or "").splitlines()
    out = [
        '<!doctype html><html lang="id"><head><meta charset="utf-8">',
        f"<title>Tinjauan laporan {r.tahun}</title><style>{CSS}</style></head><body>",
        f"<h1>Tinjauan laporan kinerja tahun {r.tahun}</h1>",
        f'<p class="muted">Run <code>{_e(r.run_id)}</code> · diminta {_when(r.requested_at, catalog)} · '
        f'keputusan: <span class="status" id="keputusan">{_e(r.decision)}</span>',
    ]
    if r.decision != MENUNGGU:
        out.append(f" oleh {_e(r.reviewer or '–')} ({_when(r.decided_at, catalog)})")
        if r.reason:
            out.append(f": {_e(r.reason)}")
    out.append("</p>")
    if r.decision == MENUNGGU:
        out.append(
            '<p id="jawab">'
            f'<a class="tombol setujui" href="{_e(answer_link(base_path, r.run_id, SETUJUI))}">Setujui</a>'
            f'<a class="tombol tolak" href="{_e(answer_link(base_path, r.run_id, TOLAK))}">'
            "Tolak (dengan alasan)</a>"
            "</p>"
        )
    out += ["<h2>Angka utama</h2>", '<ul id="angka">', *[f"<li>{_e(x)}</li>" for x in lines], "</ul>"]

    out.append("<h2>Berkas untuk ditinjau</h2>")
    out.append('<ul class="berkas" id="berkas">')
    out += [f'<li><a href="{_e(file_href(r, p))}">{_e(label)}</a></li>' for p, label in page.files]
    out.append("</ul>")
    if page.bundles:
        links = ", ".join(
            f'<a href="{_e(file_href(r, f"pd/{k}/index.html"))}">{_e(k)}</a>' for k in page.bundles
        )
        out.append(f'<p id="bundel">Bundel situs web per PD ({len(page.bundles)}): {links}</p>')

    out.append("<h2>Perubahan sejak versi terakhir yang disetujui</h2>")
    if page.approved_before is None:
        out.append(f'<p id="perubahan">Belum ada versi tahun {r.tahun} yang disetujui.</p>')
    else:
        a = page.approved_before
        out.append(
            f'<p class="muted">Dibandingkan dengan run <code>{_e(a.run_id)}</code> '
            f"(disetujui {_when(a.decided_at, catalog)}).</p>"
        )
        out += _table_or(
            "perubahan",
            ("Angka", "Disetujui", "Sekarang", "Perubahan"),
            [
                f'<tr><td>{_e(m.figure)}</td><td class="num">{_e(m.before)}</td>'
                f'<td class="num">{_e(m.after)}</td><td>{_e(m.change)}</td></tr>'
                for m in page.moved
            ],
            "Tidak ada angka utama yang berubah.",
        )

    out.append("<h2>Dibanding tahun sebelumnya</h2>")
    out.append(
        '<ul id="tahunan">' + "".join(f"<li>{_e(x)}</li>" for x in page.year_on_year) + "</ul>"
        if page.year_on_year
        else "<p>Belum ada data tahun sebelumnya.</p>"
    )

    title = "sejak versi yang disetujui" if page.approved_before else "yang masuk tahun ini"
    out.append(f"<h2>Data PD yang berubah ({title})</h2>")
    out += _table_or(
        "pd-berubah",
        ("PD", "Laporan", "Versi diproses", "Terakhir"),
        [
            f'<tr><td>{_e(c.kode_pd)}</td><td>{_e(c.laporan)}</td><td class="num">{c.versions}</td>'
            f"<td>{_when(c.last_processed, catalog)}</td></tr>"
            for c in page.changed
        ],
        "Tidak ada data PD yang berubah.",
    )

    out.append("<h2>Laporan ditolak atau belum masuk (tidak ada dalam angka)</h2>")
    out += _table_or(
        "kurang",
        ("PD", "Nama", "Laporan", "Status"),
        [
            f"<tr><td>{_e(k)}</td><td>{_e(n)}</td><td>{_e(lap)}</td><td>{_e(s)}</td></tr>"
            for k, n, lap, s in page.lacking
        ],
        "Semua laporan wajib masuk dan valid.",
    )
    out.append("</body></html>")
    return "\n".join(out)


def render_review_list(reviews: Sequence[Review], catalog: Catalog) -> str:
    rows = "".join(
        f'<tr><td>{r.tahun}</td><td><a href="{ROUTE}?{_e(urlencode({"run": r.run_id}))}">'
        f"{_e(r.run_id)}</a></td><td>{_when(r.requested_at, catalog)}</td><td>{_e(r.decision)}</td>"
        f"<td>{_e(r.reviewer or '')}</td></tr>"
        for r in reviews
    )
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Tinjauan Laporan</title>'
        f"<style>{CSS}</style></head><body><h1>Tinjauan Laporan</h1>"
        "<p>Keluaran compile_reports yang menunggu atau sudah mendapat keputusan tim ahli.</p>"
        + _head("daftar", "Tahun", "Run", "Diminta", "Keputusan", "Peninjau")
        + f"{rows}</table></body></html>"
    )
