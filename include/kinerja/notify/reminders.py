"""Who gets which e-mail on a given day, what it says, and a record so each goes out once.

* **Reminders** (`pengingat`): to every active PD that still lacks a valid submission for a
  report it must hand in, on the days before the deadline listed in the calendar
  (`pengingat_hari` in `calendar.yaml`, default H-7, H-3, H-1 and the day itself).
* **Digest** (`ringkasan`): once a day to the operators: where the year stands, who was
  reminded, who has no e-mail address in the reference data.
* **Deadline alert** (`batas`): once a year, after the deadline day has ended (in the kota's
  time zone): per report, the PDs whose data is still missing or still rejected.

Everything that decides is a pure function of the catalogue, the collection status and a date.
`dispatch` sends through any client with `send_message` (smtplib, or the Airflow SMTP hook's)
and records each message in `notification_sent` right after the server accepted it, so a
retried or repeated run never sends the same message twice.
"""

from __future__ import annotations

import html
import logging
import os
import smtplib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol

import yaml
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from kinerja.catalog.loader import REFERENCE_DIR, Catalog
from kinerja.reports.numbers import tanggal
from kinerja.reports.status import BELUM_MASUK, DITOLAK, TERLAMBAT, VALID, ReportStatus

log = logging.getLogger(__name__)

PENGINGAT, RINGKASAN, BATAS = "pengingat", "ringkasan", "batas"
OPERATOR = ""
"""`kode_pd` of messages to the operators (not to one agency)."""
DEFAULT_OFFSETS = (7, 3, 1, 0)
OPERATORS_ENV, SENDER_ENV = "KINERJA_OPERATOR_EMAILS", "KINERJA_EMAIL_FROM"
DEFAULT_OPERATORS = "operator@kinerja.example"
DEFAULT_SENDER = "laporan-kinerja@kinerja.example"
HEADER = "X-Kinerja-Notifikasi"
"""Names the notification (kind/tahun/kode_pd/key) in every message, for tracing."""
OUTSTANDING = (BELUM_MASUK, DITOLAK)
"""A report still needs the agency's attention in these states."""


# --- configuration ----------------------------------------------------------------------------
def pengingat_hari(city: str = "medan", root: Path | None = None) -> tuple[int, ...]:
    """Days before the deadline on which agencies are reminded (0 = the deadline day), from
    `pengingat_hari` in the kota's own `calendar.yaml` or the shared one; largest first."""
    base = root or REFERENCE_DIR
    own = base / "cities" / city / "calendar.yaml"
    path = own if own.exists() else base / "calendar.yaml"
    with path.open(encoding="utf-8") as f:
        raw = (yaml.safe_load(f) or {}).get("pengingat_hari")
    if raw is None:
        return DEFAULT_OFFSETS
    offsets = sorted({int(x) for x in raw}, reverse=True)
    if any(x < 0 for x in offsets):
        raise ValueError(f"{path}: pengingat_hari harus bilangan >= 0, bukan {raw!r}")
    return tuple(offsets)


def _addresses(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.split(",") if a.strip())


def operator_emails(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The operators' addresses: `KINERJA_OPERATOR_EMAILS`, comma-separated."""
    env = os.environ if env is None else env
    return _addresses(env.get(OPERATORS_ENV) or DEFAULT_OPERATORS)


def sender_email(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get(SENDER_ENV) or DEFAULT_SENDER


# --- wording ----------------------------------------------------------------------------------


def sisa_hari(n: int) -> str:
    if n == 0:
        return "hari ini"
    if n == 1:
        return "besok"
    if n > 1:
        return f"{n} hari lagi"
    return f"sudah lewat {-n} hari"


def _label(hari_lagi: int) -> str:
    return "Hari H" if hari_lagi == 0 else f"H-{hari_lagi}"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _html(paragraphs: Sequence[str | Sequence[str]]) -> str:
    """Plain paragraphs and bullet lists, every value escaped."""
    parts = []
    for p in paragraphs:
        if isinstance(p, str):
            parts.append("<p>" + _esc(p).replace("\n", "<br>") + "</p>")
        else:
            parts.append("<ul>" + "".join(f"<li>{_esc(i)}</li>" for i in p) + "</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"></head>'
        '<body style="font-family: sans-serif">' + "\n".join(parts) + "</body></html>\n"
    )


def _text(paragraphs: Sequence[str | Sequence[str]]) -> str:
    return (
        "\n\n".join(p if isinstance(p, str) else "\n".join(f"  - {i}" for i in p) for p in paragraphs) + "\n"
    )


# --- what is sent -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Notification:
    """One e-mail, identified by (tahun, kind, kode_pd, key): sent at most once."""

    kind: str
    tahun: int
    kode_pd: str
    key: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str

    @property
    def ident(self) -> tuple[int, str, str, str]:
        return (self.tahun, self.kind, self.kode_pd, self.key)

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.tahun}/{self.kode_pd or 'operator'}/{self.key}"

    def message(self, sender: str, reply_to: Sequence[str] = ()) -> EmailMessage:
        """The e-mail: plain text with an HTML alternative."""
        msg = EmailMessage()
        msg["Subject"] = self.subject
        msg["From"] = sender
        msg["To"] = ", ".join(self.to)
        if reply_to:
            msg["Reply-To"] = ", ".join(reply_to)
        msg["Date"] = formatdate(localtime=False)
        domain = sender.rsplit("@", 1)[-1].strip("> ") if "@" in sender else None
        msg["Message-ID"] = make_msgid(idstring=f"{self.kind}.{self.tahun}", domain=domain)
        msg[HEADER] = self.label
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        return msg

    def known_problems(self) -> tuple[str, ...]:
        """Addresses found unusable before sending (recorded with the message)."""
        return ()

    def to_json(self) -> dict[str, Any]:
        """What a task hands on through XCom."""
        d = {k: getattr(self, k) for k in Notification.__dataclass_fields__}
        d["to"] = list(self.to)
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Notification:
        return Notification(**{**{k: d[k] for k in Notification.__dataclass_fields__}, "to": tuple(d["to"])})


@dataclass(frozen=True)
class Reminder(Notification):
    """A reminder to one agency: which of its reports still lack valid data."""

    hari_lagi: int = 0
    laporan: tuple[tuple[str, str], ...] = field(default=())
    """(report, status) for each report still outstanding."""


def _outstanding(rows: Iterable[ReportStatus]) -> dict[str, list[ReportStatus]]:
    by_pd: dict[str, list[ReportStatus]] = {}
    for r in rows:
        if r.status in OUTSTANDING:
            by_pd.setdefault(r.kode_pd, []).append(r)
    return by_pd


def _status_line(r: ReportStatus, feedback: Mapping[tuple[str, str], str]) -> str:
    if r.status == BELUM_MASUK:
        return f"{r.laporan}: belum ada berkas yang masuk."
    line = f"{r.laporan}: berkas sudah masuk ({r.received} versi) tetapi ditolak"
    where = feedback.get((r.kode_pd, r.laporan))
    return line + (f"; perbaiki sesuai umpan balik di {where}." if where else "; lihat umpan baliknya.")


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
    lacks valid data for a report, when the deadline is exactly one of `offsets` days away."""
    tahun = today.year - 1 if tahun is None else tahun
    offsets = pengingat_hari(catalog.city, catalog.reference) if offsets is None else offsets
    batas = catalog.kalender_tahun(tahun).batas_pengumpulan
    hari_lagi = (batas - today).days
    if hari_lagi not in offsets:
        return []
    feedback = feedback or {}
    zona = catalog.tz_label
    reminders = []
    for kode_pd, rows in _outstanding(status_rows).items():
        pd = catalog.pd(kode_pd)
        if pd is None or not pd.email:
            continue
        laporan = tuple((r.laporan, r.status) for r in rows)
        label = _label(hari_lagi)
        if hari_lagi == 0:
            subject = f"[{label}] Batas akhir hari ini: data Laporan Kinerja {tahun} - {pd.nama}"
        else:
            subject = f"[{label}] Pengingat data Laporan Kinerja {tahun} - {pd.nama}: batas {tanggal(batas)}"
        paragraphs: list[str | Sequence[str]] = [
            f"Yth. Pimpinan {pd.nama} ({pd.kode_pd})\nu.p. pengelola data LKPJ, LPPD dan SPM",
            f"Batas pengumpulan data LKPJ, LPPD dan SPM tahun pelaporan {tahun} adalah "
            f"{tanggal(batas)} pukul 23.59 {zona} ({sisa_hari(hari_lagi)}).",
            f"Sampai {tanggal(today)} kami belum menerima data yang valid dari {pd.singkatan} "
            "untuk laporan berikut:",
            [_status_line(r, feedback) for r in rows],
            f"Cara mengirim: letakkan berkas Excel sesuai templat di folder {tahun}/{pd.kode_pd}/ "
            "pada drive bersama. Setiap berkas diperiksa otomatis; umpan baliknya ditulis di folder "
            f"{tahun}/{pd.kode_pd}/umpan-balik/.",
            "Berkas yang masuk setelah batas tetap diterima, tetapi dicatat terlambat dalam laporan.",
            "Bila data sudah dikirim dalam beberapa jam terakhir, abaikan pesan ini. "
            "Pertanyaan dapat dikirim dengan membalas e-mail ini.",
            f"Salam,\nTim Laporan Kinerja {catalog.nama}",
        ]
        reminders.append(
            Reminder(
                kind=PENGINGAT,
                tahun=tahun,
                kode_pd=pd.kode_pd,
                key=f"H-{hari_lagi}",
                to=(pd.email,),
                subject=subject,
                text=_text(paragraphs),
                html=_html(paragraphs),
                hari_lagi=hari_lagi,
                laporan=laporan,
            )
        )
    return reminders


def _names(catalog: Catalog, kode: Iterable[str]) -> str:
    """`Dinkes (DINKES), Bappeda (BAPPEDA)`."""
    return ", ".join(f"{p.singkatan} ({k})" if (p := catalog.pd(k)) else k for k in kode)


def _per_report(rows: Sequence[ReportStatus]) -> dict[str, dict[str, list[str]]]:
    """laporan -> status -> kode_pd list, reports in the usual order."""
    order = {"SPM": 0, "LPPD": 1, "LKPJ": 2}
    table: dict[str, dict[str, list[str]]] = {}
    for r in sorted(rows, key=lambda r: (order.get(r.laporan, 9), r.laporan, r.kode_pd)):
        table.setdefault(r.laporan, {}).setdefault(r.status, []).append(r.kode_pd)
    return table


def operator_digest(
    catalog: Catalog,
    status_rows: Sequence[ReportStatus],
    today: date,
    *,
    tahun: int | None = None,
    operators: Sequence[str] | None = None,
    reminders: Sequence[Reminder] = (),
) -> Notification:
    """The operators' daily summary: counts per report and status, who is still outstanding,
    who was reminded today, and agencies that cannot be reminded (no e-mail address)."""
    tahun = today.year - 1 if tahun is None else tahun
    operators = operator_emails() if operators is None else operators
    batas = catalog.kalender_tahun(tahun).batas_pengumpulan
    per = _per_report(status_rows)
    done = sum(1 for r in status_rows if r.status in (VALID, TERLAMBAT))
    counts = [
        f"{lap}: wajib {sum(len(v) for v in st.values())}, valid {len(st.get(VALID, []))}, "
        f"terlambat {len(st.get(TERLAMBAT, []))}, ditolak {len(st.get(DITOLAK, []))}, "
        f"belum masuk {len(st.get(BELUM_MASUK, []))}"
        for lap, st in per.items()
    ]
    open_items = [
        f"{lap} {status}: {_names(catalog, st[status])}"
        for lap, st in per.items()
        for status in OUTSTANDING
        if st.get(status)
    ]
    no_email = sorted(
        k for k in _outstanding(status_rows) if (p := catalog.pd(k)) is not None and not p.email
    )
    paragraphs: list[str | Sequence[str]] = [
        f"Ringkasan pengumpulan data Laporan Kinerja {catalog.nama} tahun pelaporan {tahun}, "
        f"per {tanggal(today)}. Batas pengumpulan: {tanggal(batas)} ({sisa_hari((batas - today).days)}).",
        f"{done} dari {len(status_rows)} laporan wajib sudah diterima valid (termasuk yang terlambat).",
        counts or ["tidak ada laporan wajib"],
    ]
    if open_items:
        paragraphs += ["Belum lengkap:", open_items]
    else:
        paragraphs.append("Semua laporan wajib sudah diterima valid.")
    if reminders:
        paragraphs += [
            f"Pengingat yang dijadwalkan hari ini ({len(reminders)} PD):",
            [f"{_label(r.hari_lagi)} {_names(catalog, [r.kode_pd])}: {r.to[0]}" for r in reminders],
        ]
    if no_email:
        paragraphs += [
            "PD berikut tidak dapat diingatkan karena tidak ada alamat e-mail di data referensi "
            "(perangkat_daerah.csv):",
            [_names(catalog, [k]) for k in no_email],
        ]
    paragraphs.append("Pesan otomatis dari pipeline Laporan Kinerja.")
    return Notification(
        kind=RINGKASAN,
        tahun=tahun,
        kode_pd=OPERATOR,
        key=today.isoformat(),
        to=tuple(operators),
        subject=(
            f"Ringkasan harian {tanggal(today)}: {done}/{len(status_rows)} laporan {tahun} valid, "
            f"batas {sisa_hari((batas - today).days)}"
        ),
        text=_text(paragraphs),
        html=_html(paragraphs),
    )


def deadline_alert(
    catalog: Catalog,
    status_rows: Sequence[ReportStatus],
    tahun: int,
    *,
    operators: Sequence[str] | None = None,
) -> Notification:
    """The alert when the deadline day has ended: per report, the PDs whose data is missing
    (`belum masuk`) or still rejected (`ditolak`). Sent even when nothing is missing."""
    operators = operator_emails() if operators is None else operators
    batas = catalog.kalender_tahun(tahun).batas_pengumpulan
    per = _per_report(status_rows)
    missing = {r.kode_pd for r in status_rows if r.status in OUTSTANDING}
    lines = []
    for lap, st in per.items():
        if not any(st.get(s) for s in OUTSTANDING):
            lines.append(f"{lap}: lengkap.")
            continue
        parts = [
            f"{status} ({len(st[status])}): {_names(catalog, st[status])}"
            for status in OUTSTANDING
            if st.get(status)
        ]
        lines.append(f"{lap}: " + "; ".join(parts))
    paragraphs: list[str | Sequence[str]] = [
        f"Batas pengumpulan data LKPJ, LPPD dan SPM tahun pelaporan {tahun} ({tanggal(batas)} "
        f"pukul 23.59 {catalog.tz_label}) telah berakhir.",
    ]
    if missing:
        paragraphs += [
            f"{len(missing)} PD belum mengirim data yang valid untuk setidaknya satu laporan:",
            lines,
            "Berkas yang masuk setelah batas tetap diproses dan dicatat terlambat dalam laporan.",
        ]
        subject = f"Batas pengumpulan {tahun} berakhir: {len(missing)} PD belum lengkap"
    else:
        paragraphs.append("Semua PD sudah mengirim data yang valid untuk setiap laporan wajib.")
        subject = f"Batas pengumpulan {tahun} berakhir: semua PD lengkap"
    paragraphs.append("Pesan otomatis dari pipeline Laporan Kinerja.")
    return Notification(
        kind=BATAS,
        tahun=tahun,
        kode_pd=OPERATOR,
        key=batas.isoformat(),
        to=tuple(operators),
        subject=subject,
        text=_text(paragraphs),
        html=_html(paragraphs),
    )


# --- the record of what was sent ------------------------------------------------------------
def sent_idents(engine: Engine, tahun: int) -> set[tuple[int, str, str, str]]:
    from kinerja.warehouse.models import notification_sent as t

    with engine.connect() as conn:
        rows = conn.execute(select(t.c.tahun, t.c.kind, t.c.kode_pd, t.c.key).where(t.c.tahun == tahun))
        return {(r.tahun, r.kind, r.kode_pd, r.key) for r in rows}


def unsent(engine: Engine, notes: Sequence[Notification]) -> list[Notification]:
    done: set[tuple[int, str, str, str]] = set()
    for tahun in {n.tahun for n in notes}:
        done |= sent_idents(engine, tahun)
    return [n for n in notes if n.ident not in done]


def record_sent(
    engine: Engine, note: Notification, sent_at: datetime | None = None, problem: str | None = None
) -> bool:
    """Remember that `note` went out (or, with `problem`, why it reached nobody or not everyone:
    never retried); False when it was already recorded."""
    from kinerja.warehouse.models import notification_sent as t

    row = dict(zip(("tahun", "kind", "kode_pd", "key"), note.ident, strict=True))
    extra = {"recipients": ", ".join(note.to), "problem": problem}
    try:
        with engine.begin() as conn:
            conn.execute(insert(t).values(**row, **extra, sent_at=sent_at or datetime.now(UTC)))
    except IntegrityError:
        return False
    return True


def latest_feedback(engine: Engine, tahun: int) -> dict[tuple[str, str], str]:
    """(kode_pd, laporan) -> the feedback page of the newest rejected version."""
    from kinerja.warehouse.models import submission as s

    with engine.connect() as conn:
        rows = conn.execute(
            select(s.c.kode_pd, s.c.laporan, s.c.feedback_path)
            .where(s.c.tahun == tahun, s.c.status == "rejected", s.c.laporan.is_not(None))
            .order_by(s.c.received_at, s.c.id)
        )
        return {(r.kode_pd, r.laporan): r.feedback_path for r in rows if r.feedback_path}


# --- planning a run -------------------------------------------------------------------------
def open_warehouse(warehouse_url: str | None, city: str | None) -> tuple[Engine, Catalog]:
    from kinerja.catalog import load_catalog
    from kinerja.config import Settings
    from kinerja.warehouse.db import engine_for, migrate

    settings = Settings.from_env()
    engine = engine_for(warehouse_url or settings.warehouse_url)
    migrate(engine)  # the ledger must exist even before the first collection of the year
    return engine, load_catalog(city or settings.city)


def plan_day(
    tahun: int,
    today: date,
    warehouse_url: str | None = None,
    city: str | None = None,
    operators: Sequence[str] | None = None,
) -> list[Notification]:
    """The reminders and the digest due on `today` that were not sent yet."""
    from kinerja.reports.status import collection_status

    engine, catalog = open_warehouse(warehouse_url, city)
    rows = collection_status(engine, catalog, tahun)
    reminders = due_reminders(catalog, rows, today, tahun=tahun, feedback=latest_feedback(engine, tahun))
    digest = operator_digest(catalog, rows, today, tahun=tahun, operators=operators, reminders=reminders)
    return unsent(engine, [*reminders, digest])


def plan_deadline(
    tahun: int,
    today: date,
    warehouse_url: str | None = None,
    city: str | None = None,
    operators: Sequence[str] | None = None,
) -> list[Notification]:
    """The deadline alert, once `today` is after the deadline day and it was not sent yet."""
    from kinerja.reports.status import collection_status

    engine, catalog = open_warehouse(warehouse_url, city)
    if today <= catalog.kalender_tahun(tahun).batas_pengumpulan:
        return []
    alert = deadline_alert(catalog, collection_status(engine, catalog, tahun), tahun, operators=operators)
    return unsent(engine, [alert])


# --- sending ----------------------------------------------------------------------------------
class MailClient(Protocol):
    def send_message(self, msg: EmailMessage) -> Any: ...


def _refused(refused: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{addr} ditolak server ({code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg})"
        for addr, (code, msg) in refused.items()
    )


def dispatch(
    client: MailClient,
    notes: Sequence[Notification],
    warehouse_url: str | None = None,
    sender: str | None = None,
    reply_to: Sequence[str] | None = None,
    engine: Engine | None = None,
) -> list[Notification]:
    """Send each notification not yet recorded and record it as soon as the server took it.

    A crash between the two can repeat at most that one message; nothing already recorded is
    ever sent again. A message with no usable address, or whose every address the server refuses
    for good (5xx), is recorded with the problem and not retried; a temporary failure (4xx, a lost
    connection) raises, and what was not recorded goes out on the next try. Returns what was
    sent now (or recorded as undeliverable)."""
    from kinerja.config import Settings
    from kinerja.warehouse.db import engine_for

    engine = engine or engine_for(warehouse_url or Settings.from_env().warehouse_url)
    sender = sender or sender_email()
    reply_to = operator_emails() if reply_to is None else reply_to
    sent = []
    for note in unsent(engine, notes):
        problems = list(note.known_problems())
        if not note.to:
            record_sent(engine, note, problem="; ".join(problems) or "tidak ada alamat penerima")
            sent.append(note)
            continue
        try:
            refused = client.send_message(note.message(sender, reply_to if note.kode_pd else ()))
        except smtplib.SMTPRecipientsRefused as exc:
            if any(code < 500 for code, _ in exc.recipients.values()):
                raise  # a temporary refusal: try again next time
            refused = exc.recipients
            log.warning("%s: every recipient refused %s", note.label, refused)
        if refused:
            log.warning("%s: server refused %s", note.label, refused)
            problems.append(_refused(refused))
        record_sent(engine, note, problem="; ".join(problems) or None)
        sent.append(note)
    return sent


def send(
    messages: Iterable[EmailMessage],
    host: str,
    port: int,
    *,
    username: str | None = None,
    password: str | None = None,
    starttls: bool = False,
    use_ssl: bool = False,
    timeout: float = 30.0,
) -> int:
    """Send e-mails through an SMTP server with smtplib (the CLI and tests path); returns how
    many the server accepted."""
    cls = smtplib.SMTP_SSL if use_ssl else smtplib.SMTP
    n = 0
    with cls(host, port, timeout=timeout) as client:
        if starttls:
            client.starttls()
        if username and password:
            client.login(username, password)
        for msg in messages:
            client.send_message(msg)
            n += 1
    return n
