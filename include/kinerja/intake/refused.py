"""Files on the drive the collection does not take: recorded, answered where that is safe, shown.

The drive's survey (`sources.base.ListedDrive.survey`) reports each file it refuses and why: a
name it will not open (`nama`), a file directly under `<tahun>/` (`tempat`), a file in a
sub-folder of an agency's folder (`subfolder`). Each is recorded once per path, size and mtime
(`drive_refused`), and marked gone (`gone_at`) once a listing no longer shows it: the board shows
what is on the drive now. The agency gets one page,
`<tahun>/<KODE_PD>/umpan-balik/berkas-tidak-diproses.html`, listing what of its folder is not
processed, rewritten whenever that changes.
Where we write is decided by the catalogue, never by the agency's names: only a folder whose name
is exactly a catalogue PD code gets the page, under a fixed file name. A file directly under
`<tahun>/` belongs to no agency: it is only shown to the operators on the status board.
"""

from __future__ import annotations

import hashlib
import html
import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from sqlalchemy import Engine, insert, select, update

from kinerja.catalog.loader import Catalog, PerangkatDaerah
from kinerja.sources.base import FEEDBACK_FOLDER, REFUSALS, Drive, RefusedFile
from kinerja.warehouse.models import drive_refused

log = logging.getLogger(__name__)

PAGE_NAME = "berkas-tidak-diproses.html"
FIXES = {
    "nama": "Ganti nama berkas (atau folder) hanya dengan huruf, angka, spasi, titik, garis bawah atau "
    "tanda hubung, mis. {kode}_SPM_{tahun}.xlsx, lalu letakkan langsung di folder {kode}.",
    "subfolder": "Pindahkan berkas langsung ke folder {kode} (bukan ke sub-folder di dalamnya); "
    "berkas akan diperiksa dan Anda menerima umpan baliknya.",
    "tempat": "Pindahkan berkas ke folder PD pengirimnya: {tahun}/<KODE_PD>/.",
}
"""What to do, per reason: shown to the agency (nama, subfolder) and to the operators."""


def path_key(f: RefusedFile) -> str:
    return hashlib.sha256(f.raw or f.path.encode("utf-8", "surrogatepass")).hexdigest()


def agency_of(catalog: Catalog, kode: str | None) -> PerangkatDaerah | None:
    """The agency whose folder is named exactly `kode`: only then do we write or mail to it."""
    owner = catalog.pd(kode) if kode else None
    return owner if owner is not None and owner.kode_pd == kode else None


def page_path(tahun: int, kode_pd: str) -> str:
    return f"{tahun}/{kode_pd}/{FEEDBACK_FOLDER}/{PAGE_NAME}"


def record_refused(
    engine: Engine,
    drive: Drive,
    catalog: Catalog,
    tahun: int,
    refused: Sequence[RefusedFile],
    now: datetime,
    write_feedback: bool = True,
    folders: Collection[str] = (),
) -> list[RefusedFile]:
    """Bring the record in line with one complete listing of the year: the refused files not
    recorded before (same path, size and mtime: nothing to do) are added, those the listing no
    longer shows are marked gone (`gone_at`), those back again unmarked. Each agency folder
    where that changed anything gets its page rewritten first, listing what is refused there now
    (when nothing is left, only if `folders`, the agency folders the listing showed, holds it:
    we never create a folder that is gone). Returns the newly recorded ones."""
    keys = {(path_key(f), f.size, f.mtime) for f in refused}
    with engine.connect() as conn:
        seen = {
            (r.path_sha256, r.size, r.mtime): r
            for r in conn.execute(
                select(
                    drive_refused.c.id,
                    drive_refused.c.path_sha256,
                    drive_refused.c.size,
                    drive_refused.c.mtime,
                    drive_refused.c.kode_pd,
                    drive_refused.c.gone_at,
                ).where(drive_refused.c.drive == drive.name, drive_refused.c.tahun == tahun)
            )
        }
    new = [f for f in refused if (path_key(f), f.size, f.mtime) not in seen]
    back = [r for k, r in seen.items() if k in keys and r.gone_at is not None]
    gone = [r for k, r in seen.items() if k not in keys and r.gone_at is None]
    if not (new or back or gone):
        return []
    changed = {f.kode_pd_folder for f in new} | {r.kode_pd for r in back + gone}
    pages: dict[str, str] = {}
    for kode in sorted(k for k in changed if k):
        owner = agency_of(catalog, kode)
        if owner is None:
            continue  # no agency we know: the operators see it on the board, nothing is written
        pages[kode] = page_path(tahun, owner.kode_pd)
        mine = [f for f in refused if f.kode_pd_folder == kode]
        if write_feedback and (mine or kode in folders):
            # first: if writing fails nothing is recorded and the next run redoes it
            drive.write_bytes(pages[kode], render_page(catalog, tahun, owner.nama, kode, mine, now))
    with engine.begin() as conn:
        for f in new:
            log.warning("tidak diproses (%s): %s", f.reason, f.path)
            key = {"drive": drive.name, "path_sha256": path_key(f), "size": f.size, "mtime": f.mtime}
            values = {
                **key,
                "tahun": tahun,
                "path": f.path,
                "reason": f.reason,
                "kode_pd": f.kode_pd_folder,
                "first_seen": now,
                "feedback_path": pages.get(f.kode_pd_folder or "") if write_feedback else None,
            }
            # Another run may have recorded it meanwhile: then only the page it points at is newer.
            done = conn.execute(
                update(drive_refused)
                .where(*(drive_refused.c[k] == v for k, v in key.items()))
                .values(feedback_path=values["feedback_path"], gone_at=None)
            )
            if not done.rowcount:
                conn.execute(insert(drive_refused).values(**values))
        if back:
            conn.execute(
                update(drive_refused).where(drive_refused.c.id.in_([r.id for r in back])).values(gone_at=None)
            )
        if gone:
            conn.execute(
                update(drive_refused)
                .where(drive_refused.c.id.in_([r.id for r in gone]), drive_refused.c.gone_at.is_(None))
                .values(gone_at=now)
            )
    return new


def render_page(
    catalog: Catalog, tahun: int, nama_pd: str, kode: str, files: Iterable[RefusedFile], now: datetime
) -> bytes:
    """The agency's page: every file of its folder the collection does not process, and why."""
    esc = html.escape

    def when(ts: float) -> str:
        moment = datetime.fromtimestamp(ts, UTC).astimezone(catalog.tz)
        return moment.strftime("%d-%m-%Y %H:%M ") + catalog.tz_label

    rows = "".join(
        f"<tr><td>{esc(inside_folder(f.path, tahun, kode))}</td><td>{esc(when(f.mtime))}</td>"
        f"<td>{esc(REFUSALS[f.reason])}</td>"
        f"<td>{esc(FIXES[f.reason].format(kode=kode, tahun=tahun))}</td></tr>"
        for f in files
    )
    stamp = now.astimezone(catalog.tz).strftime("%d-%m-%Y %H:%M ") + catalog.tz_label
    who = f"{esc(nama_pd)} ({esc(kode)}), tahun pelaporan {tahun}."
    if rows:
        head = "Berkas yang tidak diproses: DITOLAK"
        body = f"""<p>{who} Berkas di bawah ini ada di folder Anda tetapi
tidak diperiksa dan datanya belum diterima. Keadaan per {esc(stamp)}.</p>
<table><thead><tr><th>Berkas</th><th>Masuk</th><th>Masalah</th><th>Cara memperbaiki</th></tr></thead>
<tbody>{rows}</tbody></table>"""
    else:  # what was listed here was moved away or deleted: say so rather than leave it stale
        head = "Berkas yang tidak diproses: tidak ada lagi"
        body = f"""<p>{who} Tidak ada lagi berkas di folder Anda yang tidak diproses: yang
sebelumnya tercantum di sini sudah dipindahkan atau dihapus. Keadaan per {esc(stamp)}.</p>"""
    page = f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Berkas yang tidak diproses: {esc(kode)} {tahun}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}} h1{{color:#9c0006}}
table{{border-collapse:collapse;margin:1rem 0}} th,td{{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}} thead th{{background:#1f4e78;color:#fff}}
</style></head><body>
<h1>{head}</h1>
{body}
</body></html>
"""
    return page.encode("utf-8")


def inside_folder(path: str, tahun: int, kode: str) -> str:
    """The path as the agency sees it from its own folder."""
    prefix = f"{tahun}/{kode}/"
    return path[len(prefix) :] if path.startswith(prefix) else PurePosixPath(path).name


@dataclass(frozen=True)
class RefusedRow:
    """One refused file as the status board shows it (and its mail says it)."""

    id: int
    path: str
    reason: str
    """Why, in words (`REFUSALS`)."""
    fix: str
    kode_pd: str | None
    received_at: datetime
    """The file's modification time on the drive."""
    first_seen: datetime
    feedback_path: str | None


def refused_for_board(engine: Engine, tahun: int) -> list[RefusedRow]:
    """The year's refused files still on the drive (the last listing showed them), newest state
    of each path (all drives), oldest first."""
    r = drive_refused.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.id, r.path, r.reason, r.kode_pd, r.mtime, r.first_seen, r.feedback_path, r.path_sha256)
            .where(r.tahun == tahun, r.gone_at.is_(None))
            .order_by(r.first_seen, r.id)
        ).all()
    latest = {row.path_sha256: row for row in rows}
    return [
        RefusedRow(
            id=row.id,
            path=row.path,
            reason=REFUSALS.get(row.reason, row.reason),
            fix=FIXES.get(row.reason, "").format(kode=row.kode_pd or "<KODE_PD>", tahun=tahun),
            kode_pd=row.kode_pd,
            received_at=datetime.fromtimestamp(row.mtime, UTC),
            first_seen=row.first_seen if row.first_seen.tzinfo else row.first_seen.replace(tzinfo=UTC),
            feedback_path=row.feedback_path,
        )
        for row in sorted(latest.values(), key=lambda row: (row.mtime, row.path))
    ]
