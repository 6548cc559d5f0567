"""Bounces that come back later (delivery reports in the sender's mailbox), read from a real IMAP
server (the Debian `dovecot-imapd`, installed on demand, run on 127.0.0.1) into the sent-ledger,
and shown on the status board."""

from __future__ import annotations

import imaplib
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.cli import main
from kinerja.config import Settings
from kinerja.notify import KIND, Notification, key_for, record_sent
from kinerja.notify.bounces import read_bounces
from kinerja.runtime import Runtime
from kinerja.warehouse.models import notification_sent
from kinerja.web.status_html import render_status_page
from kinerja.web.status_page import status_page
from sqlalchemy import Engine, select

from tests.support.servers import ENSURE_PACKAGES, HOST, SBIN_PATH, free_port, tail

from ..dags.conftest import DAGS  # importing it gives this session its own AIRFLOW_HOME

pytestmark = pytest.mark.integration

SENDER = "kinerja@medan.go.id"
PASSWORD = "rahasia-imap"
DOVECOT_CONF = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = {host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:{dir}/home/%u/Maildir
default_login_user = dovenull
default_internal_user = dovecot
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class Imap:
    port: int

    def login(self) -> imaplib.IMAP4:
        mailbox = imaplib.IMAP4(HOST, self.port, timeout=30)
        mailbox.login(SENDER, PASSWORD)
        return mailbox


@pytest.fixture(scope="module")
def imap_server() -> Iterator[Imap]:
    if not shutil.which("dovecot", path=SBIN_PATH):
        done = subprocess.run(["bash", str(ENSURE_PACKAGES), "dovecot-imapd"], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"dovecot-imapd could not be installed:\n{(done.stdout + done.stderr)[-2000:]}")
    dovecot = shutil.which("dovecot", path=SBIN_PATH)
    assert dovecot, "dovecot-imapd is installed but dovecot is not on PATH or in /usr/sbin"
    mail_user = pwd.getpwnam("dovecot")  # made by the package; mail is never accessed as root
    folder = Path(tempfile.mkdtemp(prefix="kinerja-imap-"))
    folder.chmod(0o711)  # the mail processes run as `dovecot` and must reach their home
    for sub in ("run", "state", "home"):
        (folder / sub).mkdir()
    os.chown(folder / "home", mail_user.pw_uid, mail_user.pw_gid)
    (folder / "users").write_text(f"{SENDER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    conf = folder / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(dir=folder, host=HOST, port=port, uid=mail_user.pw_uid, gid=mail_user.pw_gid)
    )
    log = folder / "dovecot.log"
    proc = subprocess.Popen(
        [dovecot, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"dovecot exited with {proc.returncode}:\n{tail(log)}")
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"dovecot did not listen on {HOST}:{port}:\n{tail(log)}")
                time.sleep(0.1)
        yield Imap(port)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def delivery_report(original: bytes, recipient: str, action: str = "failed") -> bytes:
    """A delivery status notification as Postfix writes it: the reason per recipient, then the
    headers of the mail it could not deliver (RFC 3464)."""
    headers = original.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0].decode()
    text = f"""From: MAILER-DAEMON@mx.dinkes.medan.go.id (Mail Delivery System)
To: {SENDER}
Subject: Undelivered Mail Returned to Sender
Date: Mon, 26 Jan 2026 10:00:00 +0700
Message-ID: <laporan.{recipient}.{action}@mx.dinkes.medan.go.id>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="batas-laporan"

--batas-laporan
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.dinkes.medan.go.id. Your message could not be delivered.

--batas-laporan
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.dinkes.medan.go.id
Arrival-Date: Mon, 26 Jan 2026 09:59:00 +0700

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: 5.2.2
Diagnostic-Code: smtp; 552 5.2.2 <{recipient}>: Mailbox full

--batas-laporan
Content-Type: text/rfc822-headers

{headers.replace(chr(13), "")}
--batas-laporan--
"""
    return text.replace("\n", "\r\n").encode()


def _mail(kode_pd: str, key: str, to: str) -> Notification:
    return Notification(KIND, 2025, kode_pd, key, (to,), "Umpan balik berkas", "isi", "<p>isi</p>")


def test_bounces_in_the_senders_mailbox_reach_the_ledger_and_the_board(
    imap_server: Imap, catalog: Catalog, sqlite_engine: Engine
) -> None:
    ours = _mail("DINKES", key_for(7), "dinkes@dinkes.medan.go.id")
    fine = _mail("BAPPEDA", key_for(8), "bappeda@bappeda.medan.go.id")
    foreign = _mail("DINSOS", key_for(9), "dinsos@dinsos.medan.go.id")  # never sent by us
    for note in (ours, fine):
        assert record_sent(sqlite_engine, note, datetime(2026, 1, 26, 2, tzinfo=UTC))
    mailbox = imap_server.login()
    for raw in (
        delivery_report(bytes(ours.message(SENDER)), "dinkes@dinkes.medan.go.id"),
        delivery_report(bytes(fine.message(SENDER)), "bappeda@bappeda.medan.go.id", action="delayed"),
        delivery_report(bytes(foreign.message(SENDER)), "dinsos@dinsos.medan.go.id"),
        b"From: a@b.id\r\nTo: kinerja@medan.go.id\r\nSubject: pertanyaan\r\n\r\nbukan laporan\r\n",
    ):
        assert mailbox.append("INBOX", None, None, raw)[0] == "OK"

    first = read_bounces(mailbox, sqlite_engine, since=date(2026, 1, 1))
    again = read_bounces(imap_server.login(), sqlite_engine, since=date(2026, 1, 1))

    assert (first.reports, len(first.recorded), first.ignored) == (3, 1, 2)  # a delay, not ours
    assert (again.reports, again.recorded, again.ignored) == (3, [], 2)  # read twice, recorded once
    with sqlite_engine.connect() as conn:
        problems = dict(conn.execute(select(notification_sent.c.kode_pd, notification_sent.c.problem)).all())
    assert problems["BAPPEDA"] is None  # a delay is no bounce
    assert problems["DINKES"] == (
        "dinkes@dinkes.medan.go.id: tidak sampai (dipantulkan server penerima) "
        "(5.2.2 smtp; 552 5.2.2 <dinkes@dinkes.medan.go.id>: Mailbox full)"
    )
    mailbox.select("INBOX", readonly=True)
    assert mailbox.search(None, "UNSEEN")[1][0].split() == [b"1", b"2", b"3", b"4"]  # only peeked

    page = status_page(sqlite_engine, catalog, 2025, date(2026, 1, 27))
    [dinkes] = [r for r in page.rows if r.kode_pd == "DINKES"]
    assert dinkes.mail_problems and "tidak sampai" in dinkes.mail_problems[0]
    html = render_status_page(page)
    assert "E-mail umpan balik tidak sampai" in html and "Mailbox full" in html


def test_the_dag_reads_the_mailbox_through_the_imap_providers_hook(
    imap_server: Imap, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(DAGS))
    from common.mail import read_mail_bounces

    rt = Runtime.open(warehouse_url=sqlite_engine.url.render_as_string(hide_password=False), migrated=True)
    monkeypatch.delenv("AIRFLOW_CONN_KINERJA_IMAP", raising=False)
    assert read_mail_bounces(rt)["error"] == "no connection kinerja_imap"

    note = _mail("DISHUB", key_for(11), "dishub@dishub.medan.go.id")
    record_sent(sqlite_engine, note)
    mailbox = imap_server.login()
    mailbox.append("INBOX", None, None, delivery_report(bytes(note.message(SENDER)), note.to[0]))
    conn = {
        "conn_type": "imap",
        "host": HOST,
        "port": imap_server.port,
        "login": SENDER,
        "password": "salah",
        "extra": {"use_ssl": False},
    }
    monkeypatch.setenv("AIRFLOW_CONN_KINERJA_IMAP", json.dumps(conn))
    refused = read_mail_bounces(rt)  # a wrong password is reported, never raised
    assert refused["recorded"] == 0 and "authentication failed" in refused["error"].lower()

    monkeypatch.setenv("AIRFLOW_CONN_KINERJA_IMAP", json.dumps({**conn, "password": PASSWORD}))
    read = read_mail_bounces(rt)  # the module's other reports are in the box too
    assert (read["recorded"], read["error"]) == (1, None) and read["reports"] >= 1
    assert read_mail_bounces(rt)["recorded"] == 0
    with sqlite_engine.connect() as conn_:
        problem = conn_.execute(select(notification_sent.c.problem)).scalar_one()
    assert problem.startswith("dishub@dishub.medan.go.id: tidak sampai")


def _collect(root: Path, url: str) -> int:
    args = ["collect", "--year", "2025", "--source", str(root / "drive"), "--warehouse", url]
    return main([*args, "--archive", str(root / "archive"), "--settle", "0", "--json"])


def test_kinerja_collect_reads_the_mailbox_of_its_settings(
    imap_server: Imap,
    sqlite_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = str(sqlite_engine.url)
    (tmp_path / "drive" / "2025").mkdir(parents=True)
    monkeypatch.delenv("KINERJA_SMTP_URL", raising=False)
    monkeypatch.delenv("KINERJA_IMAP_URL", raising=False)
    note = _mail("DISPORA", key_for(21), "dispora@dispora.medan.go.id")
    record_sent(sqlite_engine, note)
    mailbox = imap_server.login()
    mailbox.append("INBOX", None, None, delivery_report(bytes(note.message(SENDER)), note.to[0]))

    def problem() -> str | None:
        with sqlite_engine.connect() as conn:
            return conn.execute(select(notification_sent.c.problem)).scalar_one()

    assert _collect(tmp_path, url) == 0  # no mailbox in the settings: nothing read, nothing said
    assert "dipantulkan" not in capsys.readouterr().err and problem() is None

    closed = free_port()  # nothing listens there: reported, the collection still succeeds
    monkeypatch.setenv("KINERJA_IMAP_URL", f"imap://{HOST}:{closed}/INBOX")
    assert _collect(tmp_path, url) == 0
    assert "kotak surat tidak dapat dibaca" in capsys.readouterr().err

    monkeypatch.setenv("KINERJA_IMAP_URL", f"imap://{HOST}:{imap_server.port}/INBOX")
    monkeypatch.setenv("KINERJA_IMAP_USER", SENDER)
    monkeypatch.setenv("KINERJA_IMAP_PASSWORD", "salah")
    assert _collect(tmp_path, url) == 0
    assert "authentication failed" in capsys.readouterr().err.lower() and problem() is None

    monkeypatch.setenv("KINERJA_IMAP_PASSWORD", PASSWORD)
    assert PASSWORD not in repr(Settings.from_env())  # the login stays out of logs
    assert _collect(tmp_path, url) == 0
    out = capsys.readouterr()
    assert out.out == ""  # --json: one line per file, and there are none; the report is on stderr
    assert "e-mail yang dipantulkan: laporan pengiriman:" in out.err and "dicatat 1," in out.err
    assert (problem() or "").startswith("dispora@dispora.medan.go.id: tidak sampai")
    assert _collect(tmp_path, url) == 0  # read again: recorded once
    assert "dicatat 0," in capsys.readouterr().err
