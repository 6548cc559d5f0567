"""Send the `kinerja.notify` e-mails through the SMTP provider's hook and connection.

The hook opens and authenticates the connection (host, port, TLS/SSL, login from the Airflow
connection; `from_email` in its extra is the sender); `kinerja.notify.dispatch` sends our own
multipart messages over it and records each one as sent.
"""

from __future__ import annotations

from typing import Any

from kinerja.sources.connections import SMTP_CONN_ID

FALLBACK_CONN_ID = "smtp_default"


def smtp_conn_id(preferred: str = SMTP_CONN_ID) -> str:
    """`preferred` when that connection exists, else the provider's `smtp_default`."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        BaseHook.get_connection(preferred)
    except AirflowNotFoundException:
        return FALLBACK_CONN_ID
    return preferred


def send_notifications(
    items: list[dict[str, Any]], conn_id: str, warehouse_url: str | None = None
) -> list[str]:
    """Send what was planned (XCom dicts) that was not sent yet; returns what went out."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook
    from kinerja.notify.reminders import Notification, dispatch, open_warehouse, sender_email, unsent

    notes = [Notification.from_json(i) for i in items]
    engine, _ = open_warehouse(warehouse_url, None)
    if not unsent(engine, notes):
        return []
    with SmtpHook(smtp_conn_id=conn_id) as hook:
        client = hook._smtp_client  # connected and logged in by the hook
        if client is None:
            raise RuntimeError(f"SMTP connection {conn_id} did not open")
        sent = dispatch(client, notes, warehouse_url, sender=hook.from_email or sender_email())
    for note in sent:
        print(f"terkirim: {note.label} -> {', '.join(note.to)}")
    return [n.label for n in sent]


def send_file_feedback(tahun: int, conn_id: str, warehouse_url: str | None = None) -> dict[str, Any]:
    """A mail per processed version of `tahun` not mailed yet (`kinerja.notify.file_mail`),
    through the hook of `conn_id`; a missing connection or a server that is down is reported,
    not raised (the load is done; the next run sends what is left)."""
    import contextlib
    from collections.abc import Iterator

    from airflow.providers.smtp.hooks.smtp import SmtpHook
    from kinerja.config import Settings
    from kinerja.notify.file_mail import send_file_mails
    from kinerja.notify.reminders import open_warehouse, sender_email

    from common.connections import connection

    conn = connection(conn_id)
    if conn is None:
        print(f"tidak ada koneksi SMTP {conn_id}: umpan balik tidak dikirim lewat e-mail")
        return {"planned": 0, "sent": 0, "error": f"no connection {conn_id}"}

    @contextlib.contextmanager
    def client() -> Iterator[Any]:
        with SmtpHook(smtp_conn_id=conn_id) as hook:
            if hook._smtp_client is None:  # connected and logged in by the hook
                raise ConnectionError(f"SMTP connection {conn_id} did not open")
            yield hook._smtp_client

    engine, catalog = open_warehouse(warehouse_url, None)
    sender = conn.extra_dejson.get("from_email") or sender_email()
    result = send_file_mails(engine, catalog, tahun, Settings.from_env().archive_dir, client, sender)
    why = f" ({result.error})" if result.error else ""
    print(f"e-mail umpan balik: {result.sent} dari {result.planned} terkirim{why}")
    return {"planned": result.planned, "sent": result.sent, "error": result.error}
