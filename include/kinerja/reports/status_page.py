"""The "Status Pengumpulan" page: who handed in what for a year, as data and as HTML.

The Airflow UI plugin (`plugins/kinerja_status.py`) only wires these functions to routes. The page
is a PD × report matrix: the status of each report (belum masuk / ditolak / valid / terlambat), how
many versions came in, the newest feedback written for it (linked through the plugin's own route,
which serves only feedback paths recorded in the warehouse) and the days left until the deadline.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from kinerja.catalog.loader import Catalog
from kinerja.intake.refused import RefusedRow, refused_for_board
from kinerja.reports.chain import CHAIN_CSS, PipelineState, Step, chain_steps, latest_review, render_chain
from kinerja.reports.numbers import tanggal, waktu
from kinerja.reports.status import BELUM_MASUK, DITOLAK, TERLAMBAT, VALID, collection_status
from kinerja.schema.model import LAPORAN
from kinerja.sources.base import UnsafePathError, safe_relative
from kinerja.warehouse.models import submission

TAK_DIKENALI = "masuk, tak dikenali"
"""Shown instead of `belum masuk` when the agency's folder holds files that are no template at all
(a CSV or PDF named .xlsx, no Info sheet): something did come in, and it got feedback."""
STATUSES = (BELUM_MASUK, TAK_DIKENALI, DITOLAK, TERLAMBAT, VALID)
FEEDBACK_ROUTE = "umpan-balik"
"""The plugin's route serving a feedback file, relative to the page (`<prefix>/umpan-balik?path=`).
Links open in the same frame: the Airflow UI embeds the page in a sandboxed iframe without
`allow-popups`, and keeps the frame's location in its own URL, so Back returns to the matrix."""


@dataclass(frozen=True)
class Cell:
    """One report of one agency."""

    laporan: str
    status: str
    """belum masuk / ditolak / valid / terlambat."""
    versions: int
    """File versions received for this report (every version, valid or not)."""
    rejected: int
    last_received_at: datetime | None
    terlambat: bool
    """The newest version came in after the deadline day."""
    feedback_path: str | None
    """The newest feedback (.html) written for this report, relative to the drive root."""
    feedback_file: str | None
    """The name of the submitted file that feedback answers."""
    feedback_at: datetime | None
    """When that feedback was written (the version was processed)."""


@dataclass(frozen=True)
class Stray:
    """A file in a folder of the year that is no active agency's: recorded, rejected, shown."""

    path: str
    received_at: datetime
    reason: str
    feedback_path: str | None


@dataclass(frozen=True)
class PdRow:
    kode_pd: str
    nama_pd: str
    cells: Mapping[str, Cell]
    """Only the reports this agency must hand in."""
    mail_problems: tuple[str, ...] = ()
    """Feedback mails that did not reach an address (malformed, refused by the server)."""


@dataclass(frozen=True)
class StatusPage:
    tahun: int
    nama_kota: str
    batas: date
    """The deadline day for agencies (end of day, in the kota's time zone)."""
    hari_ini: date
    days_left: int
    """Days until the deadline day: 0 on the day itself, negative after it."""
    tz: ZoneInfo
    tz_label: str
    rows: list[PdRow]
    years: list[int] = field(default_factory=list)
    """Years the selector offers, newest first."""
    strays: list[Stray] = field(default_factory=list)
    """Files in folders that are no active agency's (a mistyped folder name, a merged PD)."""
    refused: list[RefusedRow] = field(default_factory=list)
    """Files the collection does not take (bad name, directly under the year, in a sub-folder)."""
    chain: list[Step] = field(default_factory=list)
    """Where the year stands: collected → built → review → published → synced (`reports.chain`)."""

    @property
    def ringkasan(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            for cell in row.cells.values():
                counts[cell.status] = counts.get(cell.status, 0) + 1
        return counts


@dataclass(frozen=True)
class _Latest:
    received_at: datetime
    terlambat: bool
    feedback_path: str | None
    feedback_file: str | None
    feedback_at: datetime | None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # SQLite drops the zone


def days_left(batas: date, today: date) -> int:
    """Whole days from `today` to the deadline day: 0 on the day, negative once it has passed."""
    return (batas - today).days


def today_in(tz: ZoneInfo, now: datetime | None = None) -> date:
    """Today's date in the kota's time zone (the deadline is a local day)."""
    return (now or datetime.now(UTC)).astimezone(tz).date()


def default_year(today: date) -> int:
    """The year being collected: January 2026 collects the data of 2025."""
    return today.year - 1


def _latest_versions(engine: Engine, tahun: int) -> dict[tuple[str, str], _Latest]:
    """Per agency and report: the newest version received, and the newest feedback written."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                submission.c.kode_pd,
                submission.c.laporan,
                submission.c.path,
                submission.c.received_at,
                submission.c.processed_at,
                submission.c.terlambat,
                submission.c.feedback_path,
            )
            .where(submission.c.tahun == tahun, submission.c.laporan.is_not(None))
            .order_by(submission.c.received_at, submission.c.id)
        ).all()
    out: dict[tuple[str, str], _Latest] = {}
    for r in rows:
        key = (r.kode_pd, r.laporan)
        before = out.get(key)
        received = r.received_at.replace(tzinfo=UTC) if r.received_at.tzinfo is None else r.received_at
        if r.feedback_path:
            fb_path, fb_file, fb_at = r.feedback_path, r.path.rsplit("/", 1)[-1], _utc(r.processed_at)
        elif before is not None:
            fb_path, fb_file, fb_at = before.feedback_path, before.feedback_file, before.feedback_at
        else:
            fb_path, fb_file, fb_at = None, None, None
        out[key] = _Latest(received, bool(r.terlambat), fb_path, fb_file, fb_at)
    return out


def _unrecognised(engine: Engine, tahun: int) -> dict[str, tuple[int, _Latest]]:
    """Per agency folder: how many versions were no template at all, and the newest of them."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                submission.c.kode_pd,
                submission.c.path,
                submission.c.received_at,
                submission.c.processed_at,
                submission.c.terlambat,
                submission.c.feedback_path,
            )
            .where(submission.c.tahun == tahun, submission.c.laporan.is_(None))
            .order_by(submission.c.received_at, submission.c.id)
        ).all()
    out: dict[str, tuple[int, _Latest]] = {}
    for r in rows:
        n = out[r.kode_pd][0] + 1 if r.kode_pd in out else 1
        name = r.path.rsplit("/", 1)[-1]
        received = _utc(r.received_at)
        assert received is not None
        out[r.kode_pd] = (
            n,
            _Latest(received, bool(r.terlambat), r.feedback_path, name, _utc(r.processed_at)),
        )
    return out


def _with_refused(
    unknown: dict[str, tuple[int, _Latest]], refused: list[RefusedRow]
) -> dict[str, tuple[int, _Latest]]:
    """A file refused in an agency's folder (sub-folder, bad name) also means something came in:
    that agency's reports are never "belum masuk" while it waits there."""
    out = dict(unknown)
    for r in refused:
        if r.kode_pd and r.kode_pd not in unknown:
            n = out[r.kode_pd][0] + 1 if r.kode_pd in out else 1
            name = r.path.rsplit("/", 1)[-1]
            out[r.kode_pd] = (n, _Latest(r.received_at, False, r.feedback_path, name, r.first_seen))
    return out


def _strays(engine: Engine, catalog: Catalog, tahun: int) -> list[Stray]:
    from kinerja.warehouse.models import submission_issue

    active = {pd.kode_pd for pd in catalog.pd_aktif(tahun)}
    with engine.connect() as conn:
        rows = conn.execute(
            select(submission.c.id, submission.c.path, submission.c.received_at, submission.c.feedback_path)
            .where(submission.c.tahun == tahun, submission.c.kode_pd.not_in(active))
            .order_by(submission.c.received_at, submission.c.id)
        ).all()
        reasons: dict[int, str] = {}
        if rows:
            for r in conn.execute(
                select(submission_issue.c.submission_id, submission_issue.c.message)
                .where(submission_issue.c.submission_id.in_([r.id for r in rows]))
                .order_by(submission_issue.c.id)
            ):
                reasons.setdefault(r.submission_id, r.message)
    return [
        Stray(r.path, _utc(r.received_at) or datetime.now(UTC), reasons.get(r.id, ""), r.feedback_path)
        for r in rows
    ]


def _mail_problems(engine: Engine, tahun: int) -> dict[str, list[str]]:
    """Per agency: the feedback mails that did not reach someone, newest first, with the file."""
    from kinerja.notify.ledger import KIND, key_for
    from kinerja.warehouse.models import notification_sent as n

    with engine.connect() as conn:
        rows = conn.execute(
            select(n.c.kode_pd, n.c.key, n.c.problem, n.c.sent_at)
            .where(n.c.tahun == tahun, n.c.kind == KIND, n.c.problem.is_not(None))
            .order_by(n.c.sent_at.desc(), n.c.id.desc())
        ).all()
        versions = select(submission.c.id, submission.c.path).where(submission.c.tahun == tahun)
        paths = {key_for(r.id): r.path for r in conn.execute(versions)}
    out: dict[str, list[str]] = {}
    for r in rows:
        name = paths.get(r.key, r.key).rsplit("/", 1)[-1]
        out.setdefault(r.kode_pd, []).append(f"{name}: {r.problem}")
    return out


def _years(engine: Engine, catalog: Catalog, tahun: int) -> list[int]:
    with engine.connect() as conn:
        seen = set(conn.execute(select(submission.c.tahun).distinct()).scalars())
    return sorted(seen | set(catalog.kalender) | {tahun}, reverse=True)


def status_page(
    engine: Engine,
    catalog: Catalog,
    tahun: int,
    today: date | None = None,
    pipeline: PipelineState | None = None,
) -> StatusPage:
    """Everything the page shows for `tahun`, as of `today` (default: today in the kota); with
    `pipeline` (Airflow's side, read by the plugin) also where the year stands in the chain."""
    today = today or today_in(catalog.tz)
    batas = catalog.kalender_tahun(tahun).batas_pengumpulan
    latest = _latest_versions(engine, tahun)
    refused = refused_for_board(engine, tahun)
    unknown = _with_refused(_unrecognised(engine, tahun), refused)
    problems = _mail_problems(engine, tahun)
    names: dict[str, str] = {}
    cells: dict[str, dict[str, Cell]] = {}
    for st in collection_status(engine, catalog, tahun):
        names[st.kode_pd] = st.nama_pd
        last = latest.get((st.kode_pd, st.laporan))
        if st.status == BELUM_MASUK and st.kode_pd in unknown:
            count, newest = unknown[st.kode_pd]  # something came in: never "belum masuk"
            cells.setdefault(st.kode_pd, {})[st.laporan] = Cell(
                laporan=st.laporan,
                status=TAK_DIKENALI,
                versions=count,
                rejected=count,
                last_received_at=newest.received_at,
                terlambat=newest.terlambat,
                feedback_path=newest.feedback_path,
                feedback_file=newest.feedback_file,
                feedback_at=newest.feedback_at,
            )
            continue
        cells.setdefault(st.kode_pd, {})[st.laporan] = Cell(
            laporan=st.laporan,
            status=st.status,
            versions=st.received,
            rejected=st.rejected,
            last_received_at=_utc(st.last_received_at),
            terlambat=last.terlambat if last else False,
            feedback_path=last.feedback_path if last else None,
            feedback_file=last.feedback_file if last else None,
            feedback_at=last.feedback_at if last else None,
        )
    chain: list[Step] = []
    if pipeline is not None:
        statuses = [c.status for by_laporan in cells.values() for c in by_laporan.values()]
        collected = sum(1 for st in statuses if st in (VALID, TERLAMBAT))
        chain = chain_steps(tahun, collected, len(statuses), pipeline, latest_review(engine, tahun))
    return StatusPage(
        tahun=tahun,
        nama_kota=catalog.nama,
        batas=batas,
        hari_ini=today,
        days_left=days_left(batas, today),
        tz=catalog.tz,
        tz_label=catalog.tz_label,
        rows=[
            PdRow(kode, names[kode], by_laporan, tuple(problems.get(kode, ())))
            for kode, by_laporan in cells.items()
        ],
        years=_years(engine, catalog, tahun),
        strays=_strays(engine, catalog, tahun),
        refused=refused,
        chain=chain,
    )


def recorded_feedback(engine: Engine, path: str) -> str | None:
    """`path` if the warehouse recorded it as a feedback file, else None.

    The plugin serves only what this returns: a path nobody recorded (another file on the
    drive, `../` tricks, an agency's workbook) is never read.
    """
    try:
        clean = safe_relative(path)
    except UnsafePathError:
        return None
    if clean != path or not clean.lower().endswith(".html"):
        return None
    from kinerja.warehouse.models import drive_refused

    with engine.connect() as conn:
        found = (
            conn.execute(
                select(submission.c.feedback_path).where(submission.c.feedback_path == clean).limit(1)
            ).scalar()
            or conn.execute(
                select(drive_refused.c.feedback_path).where(drive_refused.c.feedback_path == clean).limit(1)
            ).scalar()
        )
    return clean if found else None


# --- HTML ------------------------------------------------------------------------------------------
STATUS_LABEL = {
    BELUM_MASUK: "Belum masuk",
    TAK_DIKENALI: "Masuk, tak dikenali",
    DITOLAK: "Ditolak",
    VALID: "Valid",
    TERLAMBAT: "Terlambat",
}
STATUS_HINT = {
    BELUM_MASUK: "belum ada berkas yang masuk",
    TAK_DIKENALI: (
        "berkas masuk di folder PD tetapi bukan templat laporan (mis. CSV/PDF bernama .xlsx): "
        "PD sudah mendapat umpan balik dan perlu mengirim templat yang benar"
    ),
    DITOLAK: "semua versi yang diterima ditolak: PD perlu memperbaiki dan mengirim ulang",
    VALID: "data valid diterima sebelum batas dan sudah dimuat",
    TERLAMBAT: "data valid sudah dimuat, tetapi diterima setelah batas",
}
STATUS_CLASS = {
    BELUM_MASUK: "belum",
    TAK_DIKENALI: "takdikenali",
    DITOLAK: "ditolak",
    VALID: "valid",
    TERLAMBAT: "terlambat",
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
{strays}
{_refused_html(page)}
</body>
</html>
"""
