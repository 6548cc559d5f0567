"""Send the `kinerja.notify` e-mails through the SMTP provider's connection.

The provider's `SmtpHook` reads the Airflow connection (host, port, SSL/STARTTLS, login,
timeout, retries; `from_email` in its extra is the sender) through its public properties;
`kinerja.notify.open_smtp` connects with exactly those and `kinerja.notify.dispatch` sends our
own multipart messages (plain text, HTML, attachment), learns which recipients the server
refused and records each message in the ledger as it goes. The hook's own `send_email_smtp`
cannot do that: it builds an HTML-only message of its own and drops the refused recipients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kinerja.sources.connections import SMTP_CONN_ID

if TYPE_CHECKING:
    from kinerja.runtime import Runtime

FALLBACK_CONN_ID = "smtp_default"


def smtp_conn_id(preferred: str = SMTP_CONN_ID) -> str:
    """`preferred` when that connection exists, else the provider's `smtp_default`."""
    from common.connections import connection

    return preferred if connection(preferred) is not None else FALLBACK_CONN_ID


def smtp_server(conn_id: str) -> tuple[Any, str | None]:
    """(`kinerja.notify.SmtpServer`, sender) of the connection, as the provider's hook reads it."""
    import ssl

    from airflow.providers.smtp.hooks.smtp import SmtpHook
    from kinerja.config import SetupError
    from kinerja.notify import SmtpServer
    from kinerja.notify.send import PLAIN, SSL, STARTTLS

    hook = SmtpHook(smtp_conn_id=conn_id)
    hook.smtp_connection = hook.get_connection(conn_id)  # what `get_conn()` loads, without connecting
    if hook.auth_type != "basic":
        raise SetupError(f"koneksi SMTP {conn_id}: auth_type {hook.auth_type!r} tidak didukung (pakai basic)")
    if hook.ssl_context not in (None, "default", "none"):
        raise SetupError(f"koneksi SMTP {conn_id}: ssl_context harus 'default' atau 'none'")
    server = SmtpServer(
        host=hook.host,
        port=hook.port,
        security=SSL if hook.use_ssl else STARTTLS if hook.smtp_starttls else PLAIN,
        user=hook.smtp_user or None,
        password=hook.smtp_password or None,
        timeout=hook.timeout,
        tls=None if hook.ssl_context == "none" else ssl.create_default_context(),
        attempts=hook.smtp_retry_limit + 1,
    )
    return server, hook.from_email


def send_notifications(items: list[dict[str, Any]], conn_id: str, runtime: Runtime) -> list[str]:
    """Send what was planned (XCom dicts) that was not sent yet; returns what went out."""
    from kinerja.notify import Notification, dispatch, open_smtp, unsent

    notes = [Notification.from_json(i) for i in items]
    if not unsent(runtime.engine, notes):
        return []
    server, sender = smtp_server(conn_id)
    settings = runtime.settings
    with open_smtp(server) as client:
        sent = dispatch(
            client,
            notes,
            runtime.engine,
            sender=sender or settings.email_from,
            reply_to=settings.operator_emails,
        )
    for note in sent:
        print(f"terkirim: {note.label} -> {', '.join(note.to)}")
    return [n.label for n in sent]


def send_file_feedback(tahun: int, conn_id: str, runtime: Runtime) -> dict[str, Any]:
    """A mail per processed version of `tahun` not mailed yet (`kinerja.notify.send_file_mails`),
    through the connection `conn_id`; a missing connection or a server that is down is reported,
    not raised (the load is done; the next run sends what is left)."""
    from kinerja.notify import send_file_mails

    def send(runtime: Runtime, **kw: Any) -> Any:
        return send_file_mails(runtime.engine, runtime.catalog, tahun, runtime.settings.archive_dir, **kw)

    return _send_mails(conn_id, runtime, send, "e-mail umpan balik")


def send_reviu_feedback(tahun: int, conn_id: str, runtime: Runtime) -> dict[str, Any]:
    """A mail to every PD whose LPPD data the Inspektorat returned, not mailed yet
    (`kinerja.notify.send_reviu_mails`), reported like `send_file_feedback`."""
    from kinerja.notify import send_reviu_mails

    def send(runtime: Runtime, **kw: Any) -> Any:
        return send_reviu_mails(runtime.engine, runtime.catalog, tahun, **kw)

    return _send_mails(conn_id, runtime, send, "e-mail reviu Inspektorat")


def _send_mails(conn_id: str, runtime: Runtime, send: Any, what: str) -> dict[str, Any]:
    from kinerja.notify import open_smtp

    from common.connections import connection

    if connection(conn_id) is None:
        print(f"tidak ada koneksi SMTP {conn_id}: {what} tidak dikirim")
        return {"planned": 0, "sent": 0, "error": f"no connection {conn_id}"}
    server, sender = smtp_server(conn_id)
    result = send(
        runtime,
        open_client=lambda: open_smtp(server),
        sender=sender or runtime.settings.email_from,
        reply_to=runtime.settings.operator_emails,
    )
    why = f" ({result.error})" if result.error else ""
    print(f"{what}: {result.sent} dari {result.planned} terkirim{why}")
    return {"planned": result.planned, "sent": result.sent, "error": result.error}


IMAP_CONN_ID = "kinerja_imap"


def read_mail_bounces(runtime: Runtime, conn_id: str = IMAP_CONN_ID) -> dict[str, Any]:
    """Delivery reports in the sender's mailbox (the IMAP provider's hook and connection, folder
    from `folder` in its extra, default INBOX) written to the sent-ledger
    (`kinerja.notify.bounces.read_mailbox_bounces`, the step `kinerja collect` takes too); no
    connection: nothing read. A mail server that is down is reported, not raised."""
    from collections.abc import Iterator
    from contextlib import contextmanager

    from airflow.providers.imap.hooks.imap import ImapHook
    from kinerja.notify.bounces import read_mailbox_bounces

    from common.connections import connection

    conn = connection(conn_id)
    if conn is None:
        print(f"tidak ada koneksi IMAP {conn_id}: e-mail yang dipantulkan tidak dibaca")
        return {"reports": 0, "recorded": 0, "error": f"no connection {conn_id}"}

    @contextmanager
    def mailbox() -> Iterator[Any]:
        with ImapHook(imap_conn_id=conn_id) as hook:
            assert hook.mail_client is not None  # connected and logged in by the hook
            yield hook.mail_client

    run = read_mailbox_bounces(mailbox, runtime.engine, conn.extra_dejson.get("folder", "INBOX"))
    for b in run.recorded:
        print(f"tidak sampai: {'/'.join(map(str, b.ident))} {b.problem}")
    print(f"{conn_id}: {run.summary()}")
    return {"reports": run.reports, "recorded": len(run.recorded), "error": run.error}
