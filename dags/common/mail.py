"""Send the `kinerja.notify` e-mails through the SMTP provider's hook and connection.

The hook opens and authenticates the connection (host, port, TLS/SSL, login from the Airflow
connection; `from_email` in its extra is the sender); `kinerja.notify.dispatch` sends our own
multipart messages over it and records each one as sent.
"""

from __future__ import annotations

from typing import Any

SMTP_CONN_ID = "kinerja_smtp"
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
