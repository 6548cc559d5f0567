"""A mail on every processed file version, delivered to a real SMTP server (aiosmtpd on
127.0.0.1, its Maildir read back): from `kinerja collect` with KINERJA_SMTP_URL and from the
collect_submissions DAG through the SMTP provider's hook. Exactly once per version; never to an
address outside the agency's registered domain; a server that is down never stops the load."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from kinerja.catalog import Catalog
from kinerja.cli import main
from kinerja.notify import HEADER, KIND
from kinerja.sample import SampleShares, generate_year
from kinerja.warehouse.db import engine_for
from kinerja.warehouse.models import notification_sent, submission
from kinerja.web.status_page import status_page
from openpyxl import load_workbook
from sqlalchemy import select

from tests.support.mail import maildir_messages
from tests.support.net import HOST, free_port

from ..conftest import SMALL_SET
from ..dags.conftest import airflow_db, dagbag  # the session's own AIRFLOW_HOME

pytestmark = pytest.mark.integration

__all__ = ["airflow_db", "dagbag"]  # the fixtures, imported for this module

DOMAIN = "medan.example"
REFUSED = f"tidak-ada@{DOMAIN}"


class Server:
    """aiosmtpd keeping mail in a Maildir; refuses (550) the mailbox `REFUSED` as a real one would."""

    def __init__(self, maildir: Path) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Mailbox

        class Handler(Mailbox):
            async def handle_RCPT(
                self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
            ) -> str:
                if address.lower() == REFUSED:
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

        self.maildir = maildir
        self.controller = Controller(Handler(maildir), hostname=HOST, port=free_port())
        self.controller.start()
        self.url = f"smtp://{HOST}:{self.controller.port}"

    def stop(self) -> None:
        if self.controller._thread is not None:  # stopped once by the test, once by the fixture
            self.controller.stop()

    def messages(self) -> list[EmailMessage]:
        return maildir_messages(self.maildir)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path / "maildir")
    try:
        yield s
    finally:
        s.stop()


def _set_contact(path: Path, email: str) -> None:
    """The official's address on the Info sheet, keeping the file's time (its receipt time)."""
    st = path.stat()
    wb = load_workbook(path)
    for row in wb["Info"].iter_rows():
        if row[0].value == "Email Petugas":
            row[1].value = email
    wb.save(path)
    os.utime(path, (st.st_atime, st.st_mtime))


def _rcpt(msg: EmailMessage) -> set[str]:
    return {a.strip() for a in str(msg["X-RcptTo"]).split(",")}


def _collect(root: Path, url: str, smtp: str | None, monkeypatch: pytest.MonkeyPatch) -> int:
    if smtp:
        monkeypatch.setenv("KINERJA_SMTP_URL", smtp)
    else:
        monkeypatch.delenv("KINERJA_SMTP_URL", raising=False)
    args = ["collect", "--year", "2025", "--source", str(root / "drive"), "--warehouse", url]
    return main([*args, "--archive", str(root / "archive"), "--settle", "0", "--json"])


def test_collect_mails_each_version_once_to_the_agencys_domain_only(
    catalog: Catalog, tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_OPERATOR_EMAILS", "ops@kinerja.example")
    files = generate_year(
        catalog,
        2025,
        tmp_path / "drive",
        seed=8,
        only=SMALL_SET,
        shares=SampleShares(late=0.2, missing=0, defective=0.5, corrected=1),
    )
    good = {f.kode_pd: tmp_path / "drive" / f.path for f in files if not f.kind.startswith("defect")}
    _set_contact(good["DINKES"], f"petugas.spm@{DOMAIN}")  # in the domain: gets it too
    _set_contact(good["BAPPEDA"], "kepala.bappeda@gmail.example")  # outside: never
    _set_contact(good["DISDIKBUD"], REFUSED)  # in the domain, refused by the server
    _set_contact(good["KEC-MEDAN-KOTA"], "petugas@@medan")  # malformed
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"

    assert _collect(tmp_path, url, server.url, monkeypatch) == 0
    engine = engine_for(url)
    with engine.connect() as conn:
        versions = {r.id: r for r in conn.execute(select(submission))}
        ledger = {
            r.key: r for r in conn.execute(select(notification_sent).where(notification_sent.c.kind == KIND))
        }
    mails = server.messages()
    labels = [str(m[HEADER]) for m in mails]
    assert sorted(labels) == sorted(f"{KIND}/2025/{v.kode_pd}/berkas-{i}" for i, v in versions.items())
    assert len(set(labels)) == len(versions) == len(files)
    for msg in mails:
        assert {a.rsplit("@", 1)[1] for a in _rcpt(msg)} == {DOMAIN}, msg["X-RcptTo"]
        v = versions[int(str(msg[HEADER]).rsplit("-", 1)[1])]
        pd = catalog.pd(v.kode_pd)
        assert pd is not None and pd.email in _rcpt(msg)
        body = msg.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        verdict = "DITOLAK" if v.status == "rejected" else "DITERIMA"
        assert str(msg["Subject"]).strip().startswith(f"[{verdict}]") and verdict in text
        attached = [p for p in msg.iter_attachments() if str(p.get_filename()).endswith(".ditandai.xlsx")]
        archived = (tmp_path / "archive" / v.archive_key).read_bytes()
        if v.status == "rejected" and archived.startswith(b"PK"):  # a workbook: theirs, marked up
            [part] = attached
            wb = load_workbook(io.BytesIO(part.get_content()))
            assert wb.sheetnames[0] == "Hasil Pemeriksaan"
        elif v.status == "rejected":
            assert attached == [] and "bukan buku kerja" in text  # a CSV: nothing to mark up
    by_path = {versions[int(str(m[HEADER]).rsplit("-", 1)[1])].path: m for m in mails}
    dinkes = by_path[good["DINKES"].relative_to(tmp_path / "drive").as_posix()]
    assert _rcpt(dinkes) == {"dinkes@medan.example", f"petugas.spm@{DOMAIN}"}
    assert not any("gmail" in str(m["X-RcptTo"]) + str(m["To"]) for m in mails)

    # Refused and malformed addresses: recorded with the problem, shown on the status page.
    problems = {r.kode_pd: r.problem for r in ledger.values() if r.problem}
    assert f"{REFUSED} ditolak server (550" in problems["DISDIKBUD"]
    assert "tidak sah: 'petugas@@medan'" in problems["KEC-MEDAN-KOTA"]
    assert set(problems) == {"DISDIKBUD", "KEC-MEDAN-KOTA"}
    rows = {r.kode_pd: r for r in status_page(engine, catalog, 2025).rows}
    assert any(REFUSED in p for p in rows["DISDIKBUD"].mail_problems)
    assert rows["DINKES"].mail_problems == ()

    # A re-run sends nothing.
    assert _collect(tmp_path, url, server.url, monkeypatch) == 0
    assert len(server.messages()) == len(mails)

    # The mail server is down: the new version is loaded all the same, its mail waits...
    server.stop()
    src = good["DINKES"]
    new = src.with_name("DINKES_perbaikan_lagi.xlsx")
    shutil.copy2(src, new)
    os.utime(new, (src.stat().st_mtime + 3600, src.stat().st_mtime + 3600))
    assert _collect(tmp_path, url, server.url, monkeypatch) == 0
    with engine.connect() as conn:
        [added] = conn.execute(select(submission).where(submission.c.path.like("%perbaikan_lagi%"))).all()
    assert added.status == "loaded"
    # ... and goes, once, when the server is back (a new one, on another port).
    again = Server(tmp_path / "maildir2")
    try:
        assert _collect(tmp_path, url, again.url, monkeypatch) == 0
        assert [str(m[HEADER]) for m in again.messages()] == [f"{KIND}/2025/DINKES/berkas-{added.id}"]
        assert _collect(tmp_path, url, again.url, monkeypatch) == 0
        assert len(again.messages()) == 1
    finally:
        again.stop()
    engine.dispose()


def test_collect_without_smtp_url_mails_nothing(
    catalog: Catalog, tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_year(catalog, 2025, tmp_path / "drive", seed=2, only=SMALL_SET[:1])
    assert _collect(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", None, monkeypatch) == 0
    assert server.messages() == []


def _put(root: Path, rel: str, data: bytes = b"x", mtime: float = 1_767_600_000) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def test_a_file_refused_in_an_agencys_folder_is_mailed_once(
    catalog: Catalog, tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    drive = tmp_path / "drive"
    _put(drive, "2025/DINKES/arsip/DINKES_SPM_2025.xlsx")  # in a sub-folder
    _put(drive, "2025/DINKES/arsip/baris\nbaru.xlsx")  # a line break in a name never reaches a header
    _put(drive, "2025/DINKES/spm\\..\\x.xlsx")  # an unsafe name
    _put(drive, "2025/lepas.xlsx")  # directly under the year: nobody's, only on the board
    _put(drive, "2025/DINKS/sub/x.xlsx")  # a folder that is no agency: nobody to write to
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    pd = catalog.pd("DINKES")
    assert pd is not None and pd.email

    assert _collect(tmp_path, url, server.url, monkeypatch) == 0
    mails = {str(m[HEADER]): m for m in server.messages()}
    assert len(mails) == 3 and all(h.startswith(f"{KIND}/2025/DINKES/tidak-diproses-") for h in mails)
    texts = {}
    for msg in mails.values():
        assert _rcpt(msg) == {pd.email}  # registered address only: the file is never opened
        assert str(msg["Subject"]).strip().startswith("[DITOLAK] Berkas 2025")
        assert list(msg.iter_attachments()) == []
        body = msg.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        texts[text.split("Berkas: ", 1)[1].split("\n", 1)[0]] = text
    assert set(texts) == {"arsip/DINKES_SPM_2025.xlsx", "arsip/baris", "spm\\..\\x.xlsx"}
    sub = texts["arsip/DINKES_SPM_2025.xlsx"]
    assert "sub-folder" in sub and "Pindahkan berkas langsung ke folder DINKES" in sub
    assert "2025/DINKES/umpan-balik/berkas-tidak-diproses.html" in sub  # the page on the drive
    assert "tidak aman" in texts["spm\\..\\x.xlsx"]

    assert _collect(tmp_path, url, server.url, monkeypatch) == 0  # a re-run sends nothing
    assert len(server.messages()) == 3

    # The same file changed (still in the sub-folder): one new mail, about it alone.
    _put(drive, "2025/DINKES/arsip/DINKES_SPM_2025.xlsx", b"newer", mtime=1_767_600_600)
    assert _collect(tmp_path, url, server.url, monkeypatch) == 0
    new = [m for m in server.messages() if str(m[HEADER]) not in mails]
    assert len(new) == 1 and "arsip/DINKES_SPM_2025.xlsx" in str(new[0].get_body(preferencelist=("plain",)))


def test_the_dag_mails_through_the_smtp_hook_once(
    dagbag: Any,
    catalog: Catalog,
    tmp_path: Path,
    server: Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = generate_year(
        catalog,
        2025,
        tmp_path / "drive",
        seed=3,
        only=SMALL_SET[:2],
        shares=SampleShares(late=0, missing=0, defective=0.5, corrected=0),
    )
    refused = next(f for f in files if f.kode_pd == "DISDIKBUD" and not f.kind.startswith("defect"))
    _set_contact(tmp_path / "drive" / refused.path, REFUSED)  # in the domain, refused by the server
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("KINERJA_WAREHOUSE_URL", url)
    monkeypatch.setenv("KINERJA_DRIVE_DIR", str(tmp_path / "drive"))
    monkeypatch.setenv("KINERJA_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("KINERJA_SETTLE_SECONDS", "0")
    conn = {
        "conn_type": "smtp",
        "host": HOST,
        "port": server.controller.port,
        "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "laporan@kinerja.example"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_KINERJA_SMTP", json.dumps(conn))
    dag = dagbag.get_dag("collect_submissions")
    assert dag.test(run_conf={"tahun": 2025}).state == "success"
    mails = server.messages()
    assert len(mails) == len(files) and len({str(m[HEADER]) for m in mails}) == len(files)
    assert {str(m["From"]) for m in mails} == {"laporan@kinerja.example"}
    engine = engine_for(url)
    with engine.connect() as conn:
        problems = {
            r.kode_pd: r.problem
            for r in conn.execute(select(notification_sent).where(notification_sent.c.kind == KIND))
            if r.problem
        }
    engine.dispose()
    assert set(problems) == {"DISDIKBUD"} and f"{REFUSED} ditolak server (550" in problems["DISDIKBUD"]
    assert dag.test(run_conf={"tahun": 2025}).state == "success"  # nothing new: nothing sent
    assert len(server.messages()) == len(files)
