"""What is sent: one e-mail, identified so that it goes out once (`Notification`), and its kinds:
a reminder to an agency (`Reminder`), the operators' digest and deadline alert (plain
`Notification`s) and the feedback on one file version with its marked-up workbook (`FileMail`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from kinerja.status.collection import BELUM_MASUK, DITOLAK

PENGINGAT, RINGKASAN, BATAS = "pengingat", "ringkasan", "batas"
"""Kinds of the reminder, the operators' daily digest and the deadline alert."""
OPERATOR = ""
"""`kode_pd` of messages to the operators (not to one agency)."""
HEADER = "X-Kinerja-Notifikasi"
"""Names the notification (kind/tahun/kode_pd/key) in every message, for tracing."""
OUTSTANDING = (BELUM_MASUK, DITOLAK)
"""A report still needs the agency's attention in these states."""
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


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


@dataclass(frozen=True)
class FileMail(Notification):
    """The mail about one file version (a Notification, so the same ledger and sending code
    carry it), with the marked-up workbook attached when there is one."""

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
