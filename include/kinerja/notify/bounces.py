"""Mail bounced later by the receiving server: the delivery reports (DSN, RFC 3464) that arrive in
the sender's mailbox, read over IMAP and written to the sent-ledger (`notification_sent.problem`),
so the status board shows "e-mail tidak sampai" and nothing is retried.

A report is matched to what we sent by the `X-Kinerja-Notifikasi` header every mail carries
(`model.HEADER`), which the report returns with the original message or its headers. A
report that names no mail of ours (someone else's, or a server that returns nothing of the
original), or that only tells of a delay, is counted and left alone. Reading is idempotent: the
same report read twice leaves the ledger as it was; messages are only read (`BODY.PEEK`), never
flagged, moved or deleted.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, select, update

from kinerja.notify.model import HEADER
from kinerja.warehouse.models import notification_sent

log = logging.getLogger(__name__)

_IMAP_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LABEL = re.compile(r"^(?P<kind>[^/]+)/(?P<tahun>\d{4})/(?P<kode_pd>[^/]+)/(?P<key>.+)$")
PREFIX = "tidak sampai (dipantulkan server penerima)"
WINDOW = timedelta(days=14)
"""Reports older than this are not read again: servers give up on a mail within about 5 days."""


@dataclass(frozen=True)
class Bounce:
    """One recipient a delivery report says did not get one of our mails."""

    ident: tuple[int, str, str, str]
    """(tahun, kind, kode_pd, key) of the mail in the ledger."""
    recipient: str
    status: str
    diagnostic: str

    @property
    def problem(self) -> str:
        detail = f"{self.status} {self.diagnostic}".strip()
        return f"{self.recipient}: {PREFIX}" + (f" ({detail})" if detail else "")


@dataclass
class BounceRun:
    reports: int = 0
    """Delivery reports found in the mailbox (of any mail)."""
    recorded: list[Bounce] = field(default_factory=list)
    """Bounces newly written to the ledger."""
    ignored: int = 0
    """Reports that are no bounce of a mail in the ledger (a delay, someone else's mail)."""
    error: str | None = None
    """Why the mailbox could not be read this time (down, refused, login); the next run reads it."""

    def summary(self) -> str:
        """One line for the operator (the DAG task's log, the command's stderr)."""
        if self.error:
            return f"kotak surat tidak dapat dibaca: {self.error}"
        return f"laporan pengiriman: {self.reports}, dicatat {len(self.recorded)}, diabaikan {self.ignored}"


def parse_bounce(raw: bytes) -> list[Bounce]:
    """The failed recipients of one delivery report about a mail of ours; [] for anything else."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    if msg.get_content_type() != "multipart/report":
        return []
    status_part = original = None
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status" and status_part is None:
            status_part = part
        elif ctype in ("message/rfc822", "text/rfc822-headers") and original is None:
            original = part
    if status_part is None or original is None:
        return []
    ident = _ident(original)
    if ident is None:
        return []
    out = []
    for fields in _recipient_blocks(status_part):
        if fields.get("action", "").lower() != "failed":
            continue
        recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
        recipient = recipient.split(";", 1)[-1].strip()
        out.append(Bounce(ident, recipient, fields.get("status", ""), fields.get("diagnostic-code", "")))
    return out


def _ident(original: Message) -> tuple[int, str, str, str] | None:
    """The ledger identity named by the returned original's `X-Kinerja-Notifikasi` header."""
    if original.get_content_type() == "message/rfc822":
        inner = original.get_payload()
        headers = inner[0] if isinstance(inner, list) and inner else None
    else:
        payload = original.get_payload(decode=True)
        text = (
            payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(original.get_payload())
        )
        headers = email.message_from_string(text, policy=email.policy.compat32)
    label = headers.get(HEADER) if isinstance(headers, Message) else None
    match = _LABEL.match(str(label or "").strip())
    if not match:
        return None
    kode_pd = "" if match["kode_pd"] == "operator" else match["kode_pd"]
    return (int(match["tahun"]), match["kind"], kode_pd, match["key"])


def _recipient_blocks(status_part: Message) -> list[dict[str, str]]:
    """The per-recipient field groups of a message/delivery-status part (the first group is the
    message's own): the email package parses the part into one Message per group."""
    payload = status_part.get_payload()
    groups = payload if isinstance(payload, list) else []
    return [
        {k.lower(): " ".join(str(v).split()) for k, v in g.items()} for g in groups if isinstance(g, Message)
    ][1:]


def record_bounces(engine: Engine, bounces: list[Bounce]) -> tuple[list[Bounce], int]:
    """Add each bounce to its ledger row's `problem` (once); returns those added and how many
    named no row of the ledger."""
    t = notification_sent
    added, unmatched = [], 0
    with engine.begin() as conn:
        for b in bounces:
            tahun, kind, kode_pd, key = b.ident
            where = (t.c.tahun == tahun, t.c.kind == kind, t.c.kode_pd == kode_pd, t.c.key == key)
            row = conn.execute(select(t.c.id, t.c.problem).where(*where)).first()
            if row is None:
                unmatched += 1
                continue
            if row.problem and f"{b.recipient}: {PREFIX}" in row.problem:
                continue
            problem = f"{row.problem}; {b.problem}" if row.problem else b.problem
            conn.execute(update(t).where(t.c.id == row.id).values(problem=problem))
            added.append(b)
    return added, unmatched


def read_bounces(mailbox: imaplib.IMAP4, engine: Engine, since: date, folder: str = "INBOX") -> BounceRun:
    """Read the delivery reports that arrived in `folder` since `since` and record their bounces.
    `mailbox` is logged in (Airflow's ImapHook gives one, or `imaplib` directly)."""
    run = BounceRun()
    status, _ = mailbox.select(folder, readonly=True)
    if status != "OK":
        raise imaplib.IMAP4.error(f"IMAP folder {folder!r} cannot be opened")
    when = f"{since.day:02d}-{_IMAP_MONTHS[since.month - 1]}-{since.year}"
    status, data = mailbox.search(None, "SINCE", when, "HEADER", "Content-Type", "report")
    numbers = data[0].split() if status == "OK" and data and data[0] else []
    bounces: list[Bounce] = []
    for num in numbers:
        status, fetched = mailbox.fetch(num.decode(), "(BODY.PEEK[])")
        raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
        if status != "OK" or not isinstance(raw, bytes):
            continue
        run.reports += 1
        found = parse_bounce(raw)
        if not found:
            run.ignored += 1
        bounces.extend(found)
    run.recorded, unmatched = record_bounces(engine, bounces)
    run.ignored += unmatched
    for b in run.recorded:
        log.warning("e-mail %s/%s/%s/%s %s", *b.ident, b.problem)
    return run


def read_mailbox_bounces(
    open_mailbox: Callable[[], contextlib.AbstractContextManager[imaplib.IMAP4]],
    engine: Engine,
    folder: str = "INBOX",
    now: datetime | None = None,
) -> BounceRun:
    """The one step the DAG (the IMAP provider's hook) and `kinerja collect` (`imap_from_url`)
    share: log in with `open_mailbox`, read the reports of the last `WINDOW` and record their
    bounces. A mail server that is down, refuses or fails the login is reported in `error`,
    never raised: the collection is done, and the next run reads the mailbox again."""
    since = ((now or datetime.now(UTC)) - WINDOW).date()
    try:
        with open_mailbox() as mailbox:
            return read_bounces(mailbox, engine, since, folder)
    except (OSError, imaplib.IMAP4.error) as exc:  # down, refused, a login or protocol error
        log.warning("mailbox cannot be read: %s", exc)
        return BounceRun(error=str(exc) or type(exc).__name__)


IMAP_SCHEMES = {"imap": (False, False), "imap+starttls": (False, True), "imaps": (True, False)}
"""URL scheme: (TLS from the start, STARTTLS)."""
IMAP_PORTS = {"imap": 143, "imap+starttls": 143, "imaps": 993}


def imap_folder(url: str) -> str:
    """The folder a mailbox URL names (`imaps://host/Bounces`), INBOX when it names none."""
    return unquote(urlsplit(url).path.strip("/")) or "INBOX"


@contextlib.contextmanager
def imap_from_url(
    url: str, user: str | None = None, password: str | None = None, timeout: float = 30.0
) -> Iterator[imaplib.IMAP4]:
    """A logged-in IMAP client for `url` (`Settings.imap_url`): `imap://host:port` (plain),
    `imap+starttls://...` or `imaps://...`, with a folder as its path; `user` (else the URL's)
    and `password` to log in. Logged out when done."""
    parts = urlsplit(url)
    if parts.scheme not in IMAP_SCHEMES or not parts.hostname:
        raise ValueError(
            "KINERJA_IMAP_URL harus imap://host:port/FOLDER, imap+starttls://... atau imaps://..."
        )
    tls, starttls = IMAP_SCHEMES[parts.scheme]
    port = parts.port or IMAP_PORTS[parts.scheme]
    client = (
        imaplib.IMAP4_SSL(parts.hostname, port, timeout=timeout)
        if tls
        else imaplib.IMAP4(parts.hostname, port, timeout=timeout)
    )
    try:
        if starttls:
            client.starttls()
        login = user or (unquote(parts.username) if parts.username else None)
        if login:
            client.login(login, password or "")
        yield client
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
