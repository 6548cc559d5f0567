"""E-mail in Bahasa Indonesia: reminders to agencies, the operators' digest and the deadline
alert around the collection deadline, and a mail on every processed file version.

By role: `model` (what one e-mail is), `wording` (what it says), `plan` (what is due, from the
catalogue, the collection status and a date), `ledger` (what was sent, so each goes out once)
and `send` (through a mail client; an SMTP client from a URL or a server spec). The caller (a DAG
task, the `kinerja` command) builds the `kinerja.runtime.Runtime` and the mail client and hands
them in: nothing here reads the environment or opens the warehouse.
"""

from kinerja.notify.ledger import KIND, key_for, record_sent, sent_idents, unsent
from kinerja.notify.model import HEADER, FileMail, Notification, Reminder
from kinerja.notify.plan import (
    deadline_alert,
    due_reminders,
    operator_digest,
    plan_day,
    plan_deadline,
    plan_file_mails,
    plan_reviu_mails,
)
from kinerja.notify.send import (
    MailClient,
    MailRun,
    SmtpServer,
    dispatch,
    open_smtp,
    send,
    send_file_mails,
    send_reviu_mails,
    smtp_from_url,
)

__all__ = [
    "HEADER",
    "KIND",
    "FileMail",
    "MailClient",
    "MailRun",
    "Notification",
    "Reminder",
    "SmtpServer",
    "deadline_alert",
    "dispatch",
    "due_reminders",
    "key_for",
    "open_smtp",
    "operator_digest",
    "plan_day",
    "plan_deadline",
    "plan_file_mails",
    "plan_reviu_mails",
    "record_sent",
    "send",
    "send_file_mails",
    "send_reviu_mails",
    "sent_idents",
    "smtp_from_url",
    "unsent",
]
