"""E-mail around the collection deadline: reminders to agencies, the operators' digest and the
deadline alert, in Bahasa Indonesia. Deciding who gets what is pure; sending and the record of
what was sent are separate steps (`kinerja.notify.reminders`)."""

from kinerja.notify.reminders import (
    Notification,
    Reminder,
    deadline_alert,
    dispatch,
    due_reminders,
    operator_digest,
    operator_emails,
    pengingat_hari,
    plan_day,
    plan_deadline,
    send,
)

__all__ = [
    "Notification",
    "Reminder",
    "deadline_alert",
    "dispatch",
    "due_reminders",
    "operator_digest",
    "operator_emails",
    "pengingat_hari",
    "plan_day",
    "plan_deadline",
    "send",
]
