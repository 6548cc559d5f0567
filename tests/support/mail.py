"""Reading back what a test's SMTP server (aiosmtpd with its Maildir handler) stored."""

from __future__ import annotations

import mailbox
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path


def maildir_messages(maildir: Path) -> list[EmailMessage]:
    """Every message in `maildir`, parsed with the modern email policy."""
    box = mailbox.Maildir(maildir, create=False)
    out = []
    for key in box.iterkeys():
        msg = message_from_bytes(box.get_bytes(key), policy=policy.default)
        assert isinstance(msg, EmailMessage)
        out.append(msg)
    return out
