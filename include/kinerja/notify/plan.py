"""What is due: who gets which e-mail on a given day, and which file versions still await theirs.

* **Reminders** (`pengingat`): to every active PD that still lacks a valid submission for a
  report it must hand in, on the days before the deadline listed in the calendar
  (`Catalog.pengingat_hari`, from `calendar.yaml`; default H-7, H-3, H-1 and the day itself).
* **Digest** (`ringkasan`): once a day to the operators: where the year stands, who was
  reminded, who has no e-mail address in the reference data.
* **Deadline alert** (`batas`): once a year, after the deadline day has ended (in the kota's
  time zone): per report, the PDs whose data is still missing or still rejected.
* **File mails** (`umpan_balik`): every version processed in the last `MAIL_WINDOW` that the
  ledger does not hold yet, to the agency's registered address and to the Info sheet's
  contact **only when that address is in the agency's registered mail domain(s)**. The Info
  sheet is the agency's own input, typed by anyone who has the file: it must never make us send
  mail anywhere else. Addresses are checked to be one plain address each, so no agency text
  reaches a mail header. The body and the attachment are rebuilt from the archived bytes and
  the recorded findings: the same feedback the agency finds on the drive. A file the drive
  refused in an agency's own folder (`intake.refused`) gets one mail too, to the registered
  address only, while it is still there.

`due_reminders`, `operator_digest` and `deadline_alert` are pure functions of the catalogue, the
collection status and a date; `plan_day`, `plan_deadline` and `plan_file_mails` read the
warehouse of the runtime they are handed and leave out what the ledger holds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine, select

from kinerja.catalog.loader import Catalog, PerangkatDaerah
from kinerja.intake.feedback import FeedbackContext, markup_path
from kinerja.intake.markup import render_markup
from kinerja.intake.reader import open_workbook, read_info
from kinerja.intake.refused import agency_of, inside_folder, refused_for_board
from kinerja.notify import wording
from kinerja.notify.ledger import KIND, REVIU, key_for, refused_key, reviu_key, sent_idents, unsent
from kinerja.notify.model import (
    BATAS,
    OPERATOR,
    OUTSTANDING,
    PENGINGAT,
    RINGKASAN,
    FileMail,
    Notification,
    Reminder,
)
from kinerja.runtime import Runtime
from kinerja.schema.issues import Issue, shown
from kinerja.status.collection import ReportStatus, collection_status
from kinerja.warehouse.models import submission as s
from kinerja.warehouse.models import submission_issue as si

log = logging.getLogger(__name__)

MAIL_WINDOW = timedelta(days=3)
"""Versions processed longer ago are not mailed: turning mail on mid-January does not send
the whole month's history, and a version is never mailed days late without anyone noticing."""
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


# --- around the deadline --------------------------------------------------------------------------
def _outstanding(rows: Iterable[ReportStatus]) -> dict[str, list[ReportStatus]]:
    by_pd: dict[str, list[ReportStatus]] = {}
    for r in rows:
        if r.status in OUTSTANDING:
            by_pd.setdefault(r.kode_pd, []).append(r)
    return by_pd


def due_reminders(
    catalog: Catalog,
    status_rows: Sequence[ReportStatus],
    today: date,
    *,
    tahun: int | None = None,
    offsets: Sequence[int] | None = None,
    feedback: Mapping[tuple[str, str], str] | None = None,
) -> list[Reminder]:
    """Reminders due on `today` (a date in the kota's time zone) for reporting year `tahun`
    (default: the year before `today`): one per agency that has an e-mail address and still
    lacks valid data for a report, when the deadline is exactly one of `offsets` days away
    (default: the catalogue's `pengingat_hari`)."""
    tahun = today.year - 1 if tahun is None else tahun
    offsets = catalog.pengingat_hari if offsets is None else offsets
    hari_lagi = (catalog.kalender_tahun(tahun).batas_pengumpulan - today).days
    if hari_lagi not in offsets:
        return []
    reminders = []
    for kode_pd, rows in _outstanding(status_rows).items():
        pd = catalog.pd(kode_pd)
        if pd is None or not pd.email:
            continue
        reminders.append(
            Reminder(
                kind=PENGINGAT,
                tahun=tahun,
                kode_pd=pd.kode_pd,
                key=f"H-{hari_lagi}",
                to=(pd.email,),
                **asdict(wording.reminder(catalog, pd, tahun, today, rows, feedback or {})),
                hari_lagi=hari_lagi,
                laporan=tuple((r.laporan, r.status) for r in rows),
            )
        )
    return reminders


def operator_digest(
    catalog: Catalog,
    status_rows: Sequence[ReportStatus],
    today: date,
    *,
    operators: Sequence[str],
    tahun: int | None = None,
    reminders: Sequence[Reminder] = (),
) -> Notification:
    """The operators' daily summary (`wording.digest`), naming the agencies that still owe
    something but cannot be reminded (no e-mail address)."""
    tahun = today.year - 1 if tahun is None else tahun
    no_email = sorted(
        k for k in _outstanding(status_rows) if (p := catalog.pd(k)) is not None and not p.email
    )
    return Notification(
        kind=RINGKASAN,
        tahun=tahun,
        kode_pd=OPERATOR,
        key=today.isoformat(),
        to=tuple(operators),
        **asdict(wording.digest(catalog, status_rows, today, tahun, reminders, no_email)),
    )


def deadline_alert(
    catalog: Catalog, status_rows: Sequence[ReportStatus], tahun: int, *, operators: Sequence[str]
) -> Notification:
    """The alert when the deadline day has ended: per report, the PDs whose data is missing
    (`belum masuk`) or still rejected (`ditolak`). Sent even when nothing is missing."""
    return Notification(
        kind=BATAS,
        tahun=tahun,
        kode_pd=OPERATOR,
        key=catalog.kalender_tahun(tahun).batas_pengumpulan.isoformat(),
        to=tuple(operators),
        **asdict(wording.deadline(catalog, status_rows, tahun)),
    )


def latest_feedback(engine: Engine, tahun: int) -> dict[tuple[str, str], str]:
    """(kode_pd, laporan) -> the feedback page of the newest rejected version."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.c.kode_pd, s.c.laporan, s.c.feedback_path)
            .where(s.c.tahun == tahun, s.c.status == "rejected", s.c.laporan.is_not(None))
            .order_by(s.c.received_at, s.c.id)
        )
        return {(r.kode_pd, r.laporan): r.feedback_path for r in rows if r.feedback_path}


def plan_day(runtime: Runtime, tahun: int, today: date) -> list[Notification]:
    """The reminders and the digest due on `today` that were not sent yet."""
    engine, catalog = runtime.engine, runtime.catalog
    rows = collection_status(engine, catalog, tahun)
    reminders = due_reminders(catalog, rows, today, tahun=tahun, feedback=latest_feedback(engine, tahun))
    digest = operator_digest(
        catalog, rows, today, tahun=tahun, operators=runtime.settings.operator_emails, reminders=reminders
    )
    return unsent(engine, [*reminders, digest])


def plan_deadline(runtime: Runtime, tahun: int, today: date) -> list[Notification]:
    """The deadline alert, once `today` is after the deadline day and it was not sent yet."""
    engine, catalog = runtime.engine, runtime.catalog
    if today <= catalog.kalender_tahun(tahun).batas_pengumpulan:
        return []
    rows = collection_status(engine, catalog, tahun)
    return unsent(engine, [deadline_alert(catalog, rows, tahun, operators=runtime.settings.operator_emails)])


# --- on each file version -------------------------------------------------------------------------
def is_address(text: str) -> bool:
    """One plain address (no name, no list, no spaces or line breaks), of a sane length."""
    return len(text) <= 254 and _ADDRESS.fullmatch(text) is not None  # fullmatch: no trailing \n


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[1].lower()


def recipients(pd: PerangkatDaerah, contact: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(addresses to send to, problems): the agency's registered addresses, plus the Info
    sheet's contact when it is in one of their domains."""
    to: list[str] = []
    problems: list[str] = []
    for address in (a.strip() for a in re.split(r"[,;]", pd.email or "") if a.strip()):
        if is_address(address):
            to.append(address)
        else:
            problems.append(f"alamat e-mail PD di perangkat_daerah.csv tidak sah: '{shown(address)}'")
    if not to and not problems:
        problems.append("PD tidak punya alamat e-mail di perangkat_daerah.csv")
    domains = {_domain(a) for a in to}
    text = str(contact).strip() if contact is not None else ""
    if text:
        if not is_address(text):
            problems.append(f"e-mail petugas di lembar Info tidak sah: '{shown(text)}'")
        elif _domain(text) not in domains:
            log.info("%s: Info contact outside %s, not mailed", pd.kode_pd, sorted(domains))
        elif text.lower() not in {a.lower() for a in to}:
            to.append(text)
    return tuple(to), tuple(problems)


def _contact(data: bytes) -> object:
    """The official's address on the Info sheet, as typed (checked by `recipients`)."""
    if not data:
        return None
    wb = open_workbook(data)
    info = None if isinstance(wb, Issue) else read_info(wb)  # an Issue: no workbook
    return info.get("email_kontak") if isinstance(info, dict) else None


def plan_file_mails(
    engine: Engine,
    catalog: Catalog,
    tahun: int,
    archive_dir: Path,
    now: datetime | None = None,
    window: timedelta = MAIL_WINDOW,
) -> list[FileMail]:
    """The mails of versions of `tahun` processed within `window` that were not sent yet, then
    those of files refused within `window` (`plan_refused_mails`)."""
    since = (now or datetime.now(UTC)) - window
    done = sent_idents(engine, tahun)
    with engine.connect() as conn:
        rows = [
            r
            for r in conn.execute(
                select(s).where(s.c.tahun == tahun, s.c.processed_at >= since).order_by(s.c.id)
            )
            if (tahun, KIND, r.kode_pd, key_for(r.id)) not in done
        ]
        found: dict[int, list[Issue]] = {}
        if rows:
            for i in conn.execute(
                select(si).where(si.c.submission_id.in_([r.id for r in rows])).order_by(si.c.id)
            ):
                found.setdefault(i.submission_id, []).append(
                    Issue(i.severity, i.message, i.fix or "", i.sheet, i.row, i.column, i.value)
                )
    batas = catalog.kalender_tahun(tahun).batas_pengumpulan
    mails = []
    for r in rows:
        pd = catalog.pd(r.kode_pd)
        if pd is None:
            continue  # a folder that is no agency's: nobody registered to write to (status page)
        issues = found.get(r.id, [])
        archived = archive_dir / r.archive_key
        data = archived.read_bytes() if archived.is_file() else b""
        to, problems = recipients(pd, _contact(data))
        received = r.received_at if r.received_at.tzinfo else r.received_at.replace(tzinfo=UTC)
        ctx = FeedbackContext(
            path=r.path,
            nama_pd=pd.nama,
            kode_pd=pd.kode_pd,
            tahun=tahun,
            laporan=r.laporan,
            version=r.version,
            received_at=received,
            terlambat=bool(r.terlambat),
            batas=batas.strftime("%d-%m-%Y"),
            zona=catalog.tz,
            zona_label=catalog.tz_label,
        )
        marked = render_markup(data, issues) if data else None
        name = PurePosixPath(r.path).name
        mails.append(
            FileMail(
                kind=KIND,
                tahun=tahun,
                kode_pd=pd.kode_pd,
                key=key_for(r.id),
                to=to,
                **asdict(
                    wording.file_mail(ctx, issues, r.feedback_path, marked is not None, name, pd.singkatan)
                ),
                attachment=marked,
                attachment_name=PurePosixPath(markup_path(r.path)).name if marked else "",
                problems=problems,
            )
        )
    return mails + plan_refused_mails(engine, catalog, tahun, since, done)


def plan_refused_mails(
    engine: Engine,
    catalog: Catalog,
    tahun: int,
    since: datetime,
    done: set[tuple[int, str, str, str]],
) -> list[FileMail]:
    """A mail on each file refused in an agency's own folder (`intake.refused`) first seen since
    `since` and still on the drive, not in `done` (the ledger): to the agency's registered
    addresses only, since the file is never opened. A file directly under the year or in a
    folder that is no agency's goes to nobody: the operators see it on the board."""
    mails = []
    for r in refused_for_board(engine, tahun):
        pd = agency_of(catalog, r.kode_pd)
        if pd is None or r.first_seen < since or (tahun, KIND, pd.kode_pd, refused_key(r.id)) in done:
            continue
        name = inside_folder(r.path, tahun, pd.kode_pd)
        text = wording.refused_mail(catalog, pd, tahun, name, r.received_at, r.reason, r.fix, r.feedback_path)
        mails.append(_to_registered(KIND, tahun, pd, refused_key(r.id), text))
    return mails


def plan_reviu_mails(engine: Engine, catalog: Catalog, tahun: int) -> list[FileMail]:
    """One mail per PD the Inspektorat returned and decision of `tahun` not mailed yet, to the
    PD's registered addresses only (nothing the reviewer typed picks an address)."""
    from kinerja.warehouse.models import reviu_inspektorat as r

    done = sent_idents(engine, tahun)
    with engine.connect() as conn:
        rows = conn.execute(
            select(r).where(r.c.tahun == tahun, r.c.keputusan == "dikembalikan").order_by(r.c.id)
        ).all()
    mails = []
    for row in rows:
        pd = catalog.pd(row.kode_pd)
        if pd is None or (tahun, REVIU, pd.kode_pd, reviu_key(row.id)) in done:
            continue
        text = wording.reviu_dikembalikan(catalog, pd, tahun, row.catatan or "", row.feedback_path)
        mails.append(_to_registered(REVIU, tahun, pd, reviu_key(row.id), text))
    return mails


def _to_registered(kind: str, tahun: int, pd: PerangkatDaerah, key: str, text: wording.Wording) -> FileMail:
    """A mail to the PD's registered addresses only: nothing from the agency's file or the
    reviewer's note picks an address."""
    to, problems = recipients(pd, None)
    return FileMail(
        kind=kind, tahun=tahun, kode_pd=pd.kode_pd, key=key, to=to, **asdict(text), problems=problems
    )
