"""A mail on every processed file version: its feedback, with the marked-up workbook attached.

Sent to the agency's registered address (`perangkat_daerah.csv`) and to the contact on the
workbook's Info sheet **only when that address is in the agency's registered mail domain(s)**
(the domains of its registered addresses). The Info sheet is the agency's own input, typed by
anyone who has the file: it must never make us send mail anywhere else (a third party's
address, a list, an attacker's mailbox collecting other agencies' data). Addresses are checked
to be one plain address each, so no agency text reaches a mail header.

Planned from the warehouse, not from the run that processed the file: every version processed
in the last `MAIL_WINDOW` that the sent-ledger (`notification_sent`, kind `umpan_balik`, key
`berkas-<submission id>`) does not hold yet. So a mail that could not go out (server down) goes
with the next run, and one that went out is never sent again. An address the server refuses
for good (5xx) or a malformed one is recorded with the problem, shown on the status page, and
not retried. The body and the attachment are rebuilt from the archived bytes and the recorded
findings: the same feedback the agency finds on the drive.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, select

from kinerja.catalog.loader import Catalog, PerangkatDaerah
from kinerja.intake.feedback import FeedbackContext, facts, markup_path, verdict
from kinerja.intake.markup import render_markup
from kinerja.intake.reader import open_workbook, read_info
from kinerja.notify.reminders import MailClient, Notification, _html, _text, dispatch, sent_idents, unsent
from kinerja.schema.issues import Issue, shown

log = logging.getLogger(__name__)

KIND = "umpan_balik"
MAIL_WINDOW = timedelta(days=3)
"""Versions processed longer ago are not mailed: turning mail on mid-January does not send
the whole month's history, and a version is never mailed days late without anyone noticing."""
MAX_LISTED = 30
"""Findings written out in the body; the attachment and the drive's feedback have them all."""
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
SMTP_URL_ENV = "KINERJA_SMTP_URL"
SMTP_USER_ENV, SMTP_PASSWORD_ENV = "KINERJA_SMTP_USER", "KINERJA_SMTP_PASSWORD"
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


def key_for(submission_id: int) -> str:
    return f"berkas-{submission_id}"


@dataclass(frozen=True)
class FileMail(Notification):
    """The mail about one file version (a Notification, so the reminders' ledger and sending
    code carry it), with the marked-up workbook attached when there is one."""

    attachment: bytes | None = None
    attachment_name: str = ""
    problems: tuple[str, ...] = ()
    """Addresses we would not send to (malformed), recorded with the mail."""

    def message(self, sender: str, reply_to: Sequence[str] = ()) -> EmailMessage:
        msg = super().message(sender, reply_to)
        if self.attachment:
            msg.add_attachment(
                self.attachment, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=self.attachment_name
            )
        return msg

    def known_problems(self) -> tuple[str, ...]:
        return self.problems


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


def _body(
    ctx: FeedbackContext, issues: Sequence[Issue], feedback: str | None, attached: bool
) -> list[str | list[str]]:
    status, summary = verdict(issues)
    lines: list[str | list[str]] = [
        f"Yth. pengelola data {ctx.nama_pd} ({ctx.kode_pd})",
        f"Berkas Anda sudah diperiksa: {status}. {summary}",
        [f"{k}: {v}" for k, v in facts(ctx)],
    ]
    ordered = sorted(issues, key=lambda i: (i.severity != "error", i.sheet or "", i.row or 0))
    if ordered:
        listed = []
        for i in ordered[:MAX_LISTED]:
            where = ", ".join(
                p
                for p in (
                    f"lembar {i.sheet}" if i.sheet else "",
                    f"baris {i.row}" if i.row else "",
                    f"kolom {i.column}" if i.column else "",
                    f"nilai '{i.value}'" if i.value is not None else "",
                )
                if p
            )
            kind = "KESALAHAN" if i.severity == "error" else "Peringatan"
            listed.append(f"{kind}{' (' + where + ')' if where else ''}: {i.message} {i.fix}".strip())
        lines += ["Catatan pemeriksaan:", listed]
        if len(ordered) > MAX_LISTED:
            lines.append(f"... dan {len(ordered) - MAX_LISTED} catatan lain (lihat lampiran / umpan balik).")
    if attached:
        lines.append(
            "Terlampir salinan buku kerja Anda dengan sel bermasalah diberi warna dan komentar; "
            "lembar pertama 'Hasil Pemeriksaan' memuat semua catatan dengan tautan ke selnya."
        )
    if feedback:
        lines.append(f"Umpan balik lengkap juga ada di drive bersama: {feedback}")
    lines += [
        "Pesan ini dikirim otomatis untuk setiap berkas yang diproses. Pertanyaan dapat dikirim "
        "dengan membalas e-mail ini.",
        "Salam,\nTim Laporan Kinerja",
    ]
    return lines


def plan_file_mails(
    engine: Engine,
    catalog: Catalog,
    tahun: int,
    archive_dir: Path,
    now: datetime | None = None,
    window: timedelta = MAIL_WINDOW,
) -> list[FileMail]:
    """The mails of versions of `tahun` processed within `window` that were not sent yet."""
    from kinerja.warehouse.models import submission as s
    from kinerja.warehouse.models import submission_issue as si

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
        contact = _contact(data)
        to, problems = recipients(pd, contact)
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
        paragraphs = _body(ctx, issues, r.feedback_path, marked is not None)
        status, _ = verdict(issues)
        name = PurePosixPath(r.path).name
        mails.append(
            FileMail(
                kind=KIND,
                tahun=tahun,
                kode_pd=pd.kode_pd,
                key=key_for(r.id),
                to=to,
                subject=f"[{status}] {r.laporan or 'Berkas'} {tahun} {pd.singkatan}: {shown(name, 60)} "
                f"(versi {r.version})",
                text=_text(paragraphs),
                html=_html(paragraphs),
                attachment=marked,
                attachment_name=PurePosixPath(markup_path(r.path)).name if marked else "",
                problems=problems,
            )
        )
    return mails


def _contact(data: bytes) -> object:
    """The official's address on the Info sheet, as typed (checked by `recipients`)."""
    if not data:
        return None
    wb = open_workbook(data)
    info = None if isinstance(wb, Issue) else read_info(wb)  # an Issue: no workbook
    return info.get("email_kontak") if isinstance(info, dict) else None


# --- the CLI's SMTP server -----------------------------------------------------------------------
@contextlib.contextmanager
def smtp_from_url(url: str, env: Mapping[str, str], timeout: float = 30.0) -> Iterator[smtplib.SMTP]:
    """An SMTP client for `KINERJA_SMTP_URL`: `smtp://host:port` (plain), `smtp+starttls://`
    or `smtps://`; user and password from `KINERJA_SMTP_USER` / `KINERJA_SMTP_PASSWORD`."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtp+starttls", "smtps") or not parts.hostname:
        raise ValueError(f"{SMTP_URL_ENV} harus smtp://host:port, smtp+starttls://... atau smtps://...")
    ssl = parts.scheme == "smtps"
    port = parts.port or (465 if ssl else 587 if parts.scheme == "smtp+starttls" else 25)
    client = (smtplib.SMTP_SSL if ssl else smtplib.SMTP)(parts.hostname, port, timeout=timeout)
    try:
        if parts.scheme == "smtp+starttls":
            client.starttls()
        user = env.get(SMTP_USER_ENV) or (unquote(parts.username) if parts.username else None)
        if user and env.get(SMTP_PASSWORD_ENV):
            client.login(user, env[SMTP_PASSWORD_ENV])
        yield client
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()


# --- one step for the CLI and the DAG ----------------------------------------------------------
@dataclass(frozen=True)
class MailRun:
    planned: int
    sent: int
    """Sent now, or recorded as undeliverable (malformed or refused addresses)."""
    error: str | None = None
    """Why the rest did not go out this time (they go with the next run)."""


def send_file_mails(
    engine: Engine,
    catalog: Catalog,
    tahun: int,
    archive_dir: Path,
    open_client: Callable[[], contextlib.AbstractContextManager[MailClient]],
    sender: str | None = None,
    now: datetime | None = None,
) -> MailRun:
    """Mail every version not mailed yet. A mail server that is down or fails midway is logged
    and reported, never raised: the load is done, and the next run sends what is left."""
    notes = plan_file_mails(engine, catalog, tahun, archive_dir, now)
    if not notes:
        return MailRun(0, 0)
    try:
        with open_client() as client:
            sent = dispatch(client, notes, sender=sender, engine=engine)
        return MailRun(len(notes), len(sent))
    except (smtplib.SMTPException, OSError) as exc:
        left = unsent(engine, notes)
        log.warning("feedback mail: %d of %d not sent (%s); next run retries", len(left), len(notes), exc)
        return MailRun(len(notes), len(notes) - len(left), f"{type(exc).__name__}: {exc}")
