"""Sending: each notification not yet in the ledger goes through a mail client (anything with
smtplib's `send_message`) and is recorded as soon as the server took it. The SMTP client is
opened from a `SmtpServer`: from a URL for the `kinerja` command (`smtp_from_url`), from the
Airflow connection for the DAGs (`dags/common/mail.py`)."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine

from kinerja.catalog.loader import Catalog
from kinerja.notify.ledger import record_sent, unsent
from kinerja.notify.model import Notification
from kinerja.notify.plan import plan_file_mails, plan_reviu_mails

log = logging.getLogger(__name__)


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
    engine: Engine,
    *,
    sender: str,
    reply_to: Sequence[str] = (),
) -> list[Notification]:
    """Send each notification not yet recorded and record it as soon as the server took it.
    Mails to an agency carry `reply_to` (the operators).

    A crash between the two can repeat at most that one message; nothing already recorded is
    ever sent again. A message with no usable address, or whose every address the server refuses
    for good (5xx), is recorded with the problem and not retried; a temporary failure (4xx, a lost
    connection) raises, and what was not recorded goes out on the next try. Returns what was
    sent now (or recorded as undeliverable)."""
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


# --- the SMTP client ----------------------------------------------------------------------------
PLAIN, STARTTLS, SSL = "plain", "starttls", "ssl"


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect to an SMTP server."""

    host: str
    port: int
    security: str = PLAIN
    """`plain`, `starttls` (upgrade after connecting) or `ssl` (TLS from the first byte)."""
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    """Logged in only when both user and password are set."""
    timeout: float = 30.0
    tls: ssl.SSLContext | None = None
    """The TLS context (certificate checks); None: smtplib's default."""
    attempts: int = 1
    """Connections tried while the server hangs up at once (`SMTPServerDisconnected`)."""


@contextlib.contextmanager
def open_smtp(server: SmtpServer) -> Iterator[smtplib.SMTP]:
    """A connected (and, with credentials, logged-in) smtplib client; closed on leaving."""
    for attempt in range(1, server.attempts + 1):
        try:
            if server.security == SSL:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    server.host, server.port, timeout=server.timeout, context=server.tls
                )
            else:
                client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
            break
        except smtplib.SMTPServerDisconnected:
            if attempt == server.attempts:
                raise
    try:
        if server.security == STARTTLS:
            client.starttls(context=server.tls)
        if server.user and server.password:
            client.login(server.user, server.password)
        yield client
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()


SCHEMES = {"smtp": PLAIN, "smtp+starttls": STARTTLS, "smtps": SSL}
DEFAULT_PORTS = {PLAIN: 25, STARTTLS: 587, SSL: 465}


def smtp_from_url(
    url: str, user: str | None = None, password: str | None = None, timeout: float = 30.0
) -> contextlib.AbstractContextManager[smtplib.SMTP]:
    """An SMTP client for `url` (`Settings.smtp_url`): `smtp://host:port` (plain),
    `smtp+starttls://` or `smtps://`; `user` (else the URL's) and `password` to log in."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError("KINERJA_SMTP_URL harus smtp://host:port, smtp+starttls://... atau smtps://...")
    security = SCHEMES[parts.scheme]
    return open_smtp(
        SmtpServer(
            host=parts.hostname,
            port=parts.port or DEFAULT_PORTS[security],
            security=security,
            user=user or (unquote(parts.username) if parts.username else None),
            password=password,
            timeout=timeout,
        )
    )


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
    """Send e-mails through an SMTP server with smtplib; returns how many the server accepted."""
    security = SSL if use_ssl else STARTTLS if starttls else PLAIN
    n = 0
    with open_smtp(SmtpServer(host, port, security, username, password, timeout)) as client:
        for msg in messages:
            client.send_message(msg)
            n += 1
    return n


# --- one step for the CLI and the DAG -----------------------------------------------------------
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
    *,
    sender: str,
    reply_to: Sequence[str] = (),
    now: datetime | None = None,
) -> MailRun:
    """Mail every version not mailed yet (`plan.plan_file_mails`). A mail server that is down or
    fails midway is logged and reported, never raised: the load is done, and the next run sends
    what is left."""
    notes = plan_file_mails(engine, catalog, tahun, archive_dir, now)
    return send_planned(engine, notes, open_client, sender=sender, reply_to=reply_to)


def send_reviu_mails(
    engine: Engine,
    catalog: Catalog,
    tahun: int,
    open_client: Callable[[], contextlib.AbstractContextManager[MailClient]],
    *,
    sender: str,
    reply_to: Sequence[str] = (),
) -> MailRun:
    """Mail every PD the Inspektorat returned that was not mailed yet (`plan.plan_reviu_mails`),
    like `send_file_mails`: the decisions are recorded; the next run sends what is left."""
    notes = plan_reviu_mails(engine, catalog, tahun)
    return send_planned(engine, notes, open_client, sender=sender, reply_to=reply_to)


def send_planned(
    engine: Engine,
    notes: Sequence[Notification],
    open_client: Callable[[], contextlib.AbstractContextManager[MailClient]],
    *,
    sender: str,
    reply_to: Sequence[str] = (),
) -> MailRun:
    """Planned mails through one client, each recorded once accepted. A mail server that is down
    or fails midway is logged and reported, never raised, and the next run sends what is left."""
    if not notes:
        return MailRun(0, 0)
    try:
        with open_client() as client:
            sent = dispatch(client, list(notes), engine, sender=sender, reply_to=reply_to)
        return MailRun(len(notes), len(sent))
    except (smtplib.SMTPException, OSError) as exc:
        left = unsent(engine, notes)
        log.warning("mail: %d of %d not sent (%s); next run retries", len(left), len(notes), exc)
        return MailRun(len(notes), len(notes) - len(left), f"{type(exc).__name__}: {exc}")
