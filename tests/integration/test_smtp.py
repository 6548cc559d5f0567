"""Reminders, the operators' digest and the deadline alert delivered to a real SMTP server
(aiosmtpd with its Maildir handler) on 127.0.0.1: through smtplib, and through the DAGs' own code
path (the SMTP provider's hook, a connection from `AIRFLOW_CONN_KINERJA_SMTP`). Each message goes
out once, however often a run is repeated or retried."""

from __future__ import annotations

import json
import mailbox
import os
import smtplib
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from kinerja.catalog import Catalog
from kinerja.notify import HEADER, dispatch, due_reminders, plan_day, send, unsent
from kinerja.runtime import Runtime
from kinerja.sample import SampleShares
from kinerja.schema.model import LAPORAN
from kinerja.status.collection import BELUM_MASUK, DITOLAK, collection_status
from kinerja.warehouse.models import notification_sent
from sqlalchemy import Engine, func, select

from ..conftest import SMALL_SET, collected_sample_year
from ..dags.conftest import DAGS  # importing it gives this session its own AIRFLOW_HOME

pytestmark = pytest.mark.integration

HOST = "127.0.0.1"
SENDER = "Laporan Kinerja <laporan@kinerja.example>"
OPERATORS = "ops1@kinerja.example,ops2@kinerja.example"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    maildir: Path

    def messages(self) -> list[EmailMessage]:
        box = mailbox.Maildir(self.maildir, create=False)
        out = []
        for key in box.iterkeys():
            msg = message_from_bytes(box.get_bytes(key), policy=policy.default)
            assert isinstance(msg, EmailMessage)
            out.append(msg)
        return out

    def labels(self) -> list[str]:
        return sorted(str(m[HEADER]) for m in self.messages())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def dagbag() -> Any:
    """The project's DAGs on the session's own, migrated Airflow home."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    maildir = tmp_path / "maildir"
    controller = Controller(Mailbox(maildir), hostname=HOST, port=_free_port())
    controller.start()
    try:
        yield SmtpServer(HOST, controller.port, maildir)
    finally:
        controller.stop()


@pytest.fixture
def year_collected(catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A 2025 collection of a few agencies, some files missing and some rejected."""
    url, engine, _ = collected_sample_year(
        catalog, tmp_path, seed=4, shares=SampleShares(late=0.2, missing=0.2, defective=0.4, corrected=0)
    )
    monkeypatch.setenv("KINERJA_WAREHOUSE_URL", url)
    monkeypatch.setenv("KINERJA_OPERATOR_EMAILS", OPERATORS)
    monkeypatch.setenv("KINERJA_DATA_DIR", str(tmp_path / "data"))
    return engine


@pytest.fixture
def smtp_connection(smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """The DAGs' SMTP connection, from the environment as in production secrets backends."""
    conn = {
        "conn_type": "smtp",
        "host": smtp_server.host,
        "port": smtp_server.port,
        "extra": {"disable_ssl": True, "disable_tls": True, "from_email": SENDER, "timeout": 10},
    }
    monkeypatch.setenv("AIRFLOW_CONN_KINERJA_SMTP", json.dumps(conn))
    return smtp_server


def test_send_delivers_plain_text_and_html(
    catalog: Catalog, sqlite_engine: Engine, smtp_server: SmtpServer
) -> None:
    rows = [r for r in collection_status(sqlite_engine, catalog, 2025) if r.kode_pd in SMALL_SET]
    reminders = due_reminders(catalog, rows, date(2026, 1, 25))
    assert {r.kode_pd for r in reminders} == set(SMALL_SET)
    n = send([r.message(SENDER, OPERATORS.split(",")) for r in reminders], smtp_server.host, smtp_server.port)
    assert n == len(reminders)
    by_pd = {str(m[HEADER]).split("/")[2]: m for m in smtp_server.messages()}
    assert set(by_pd) == set(SMALL_SET)
    dinkes = by_pd["DINKES"]
    pd = catalog.pd("DINKES")
    assert pd is not None
    assert dinkes["X-RcptTo"] == pd.email and dinkes["To"] == pd.email
    assert (
        dinkes["Subject"]
        == "[H-1] Pengingat data Laporan Kinerja 2025 - Dinas Kesehatan: batas Senin, 26 Januari 2026"
    )
    plain = dinkes.get_body(preferencelist=("plain",))
    html = dinkes.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert "pukul 23.59 WIB (besok)" in plain.get_content()
    assert "<li>SPM: belum ada berkas yang masuk.</li>" in html.get_content()


def _run(bag: Any, dag_id: str, **conf: object) -> str:
    dag = bag.get_dag(dag_id)
    dag.deadline = None  # apache/airflow#73428: dag.test() crashes on a DAG with a DeadlineAlert
    run = dag.test(run_conf=conf)
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert run.state == "success", states
    return str(next(iter(states.values())))


def _outstanding(engine: Engine, catalog: Catalog) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in collection_status(engine, catalog, 2025):
        if r.status in (BELUM_MASUK, DITOLAK):
            out.setdefault(r.kode_pd, set()).add(r.laporan)
    return out


def test_send_reminders_dag_delivers_once_through_the_smtp_hook(
    dagbag: Any,
    catalog: Catalog,
    year_collected: Engine,
    smtp_connection: SmtpServer,
) -> None:
    outstanding = _outstanding(year_collected, catalog)
    assert outstanding and any(k in outstanding for k in SMALL_SET)
    _run(dagbag, "send_reminders", tanggal="2026-01-19")
    expected = sorted(
        [f"pengingat/2025/{k}/H-7" for k in outstanding] + ["ringkasan/2025/operator/2026-01-19"]
    )
    assert smtp_connection.labels() == expected
    messages = {str(m[HEADER]): m for m in smtp_connection.messages()}
    digest = messages["ringkasan/2025/operator/2026-01-19"]
    assert set(str(digest["X-RcptTo"]).split(", ")) == set(OPERATORS.split(","))
    assert digest["From"] == SENDER
    for kode, laporan in outstanding.items():
        text = messages[f"pengingat/2025/{kode}/H-7"].get_body(preferencelist=("plain",))
        assert text is not None
        listed = text.get_content().split("untuk laporan berikut:")[1].split("Cara mengirim")[0]
        assert {lap for lap in LAPORAN if f"{lap}:" in listed} == laporan
    # the same day again (a rerun, a retry): nothing new
    _run(dagbag, "send_reminders", tanggal="2026-01-19")
    assert smtp_connection.labels() == expected
    # a day without reminders: the digest only
    _run(dagbag, "send_reminders", tanggal="2026-01-20")
    assert smtp_connection.labels() == sorted([*expected, "ringkasan/2025/operator/2026-01-20"])
    with year_collected.connect() as conn:
        assert conn.execute(select(func.count()).select_from(notification_sent)).scalar() == len(expected) + 1


def test_alert_deadline_dag_alerts_once_after_the_deadline_day(
    dagbag: Any,
    catalog: Catalog,
    year_collected: Engine,
    smtp_connection: SmtpServer,
) -> None:
    assert _run(dagbag, "alert_deadline", tanggal="2026-01-26") == "skipped"
    assert smtp_connection.labels() == []
    assert _run(dagbag, "alert_deadline", tanggal="2026-01-27") == "success"
    (alert,) = smtp_connection.messages()
    assert alert[HEADER] == "batas/2025/operator/2026-01-26"
    assert set(str(alert["X-RcptTo"]).split(", ")) == set(OPERATORS.split(","))
    outstanding = _outstanding(year_collected, catalog)
    assert alert["Subject"] == f"Batas pengumpulan 2025 berakhir: {len(outstanding)} PD belum lengkap"
    body = alert.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    for kode in outstanding:
        assert f"({kode})" in text
    assert _run(dagbag, "alert_deadline", tanggal="2026-01-28") == "skipped"  # already announced
    assert len(smtp_connection.messages()) == 1


class _FailsAfter:
    """An SMTP client that loses the connection after `n` messages, like a server going away."""

    def __init__(self, client: smtplib.SMTP, n: int) -> None:
        self.client, self.left = client, n

    def send_message(self, msg: EmailMessage) -> Any:
        if self.left == 0:
            raise smtplib.SMTPServerDisconnected("connection lost")
        self.left -= 1
        return self.client.send_message(msg)


def test_a_retry_after_a_failure_sends_only_what_was_not_sent(
    catalog: Catalog, year_collected: Engine, smtp_server: SmtpServer
) -> None:
    runtime = Runtime.open()  # the warehouse of KINERJA_WAREHOUSE_URL
    planned = plan_day(runtime, 2025, date(2026, 1, 23))
    assert len(planned) > 3
    with smtplib.SMTP(smtp_server.host, smtp_server.port) as client:
        with pytest.raises(smtplib.SMTPServerDisconnected):
            dispatch(_FailsAfter(client, 3), planned, runtime.engine, sender=SENDER)
        assert len(smtp_server.messages()) == 3
        assert len(unsent(year_collected, planned)) == len(planned) - 3
        again = dispatch(client, planned, runtime.engine, sender=SENDER)
    assert len(again) == len(planned) - 3
    labels = smtp_server.labels()
    assert len(labels) == len(set(labels)) == len(planned)
    assert plan_day(runtime, 2025, date(2026, 1, 23)) == []
    runtime.engine.dispose()


def test_connection_id_falls_back_to_smtp_default(monkeypatch: pytest.MonkeyPatch, dagbag: Any) -> None:
    sys.path.insert(0, str(DAGS))
    from common.mail import smtp_conn_id

    monkeypatch.delenv("AIRFLOW_CONN_KINERJA_SMTP", raising=False)
    assert smtp_conn_id("kinerja_smtp") == "smtp_default"
    monkeypatch.setenv("AIRFLOW_CONN_KINERJA_SMTP", json.dumps({"conn_type": "smtp", "host": HOST}))
    assert smtp_conn_id("kinerja_smtp") == "kinerja_smtp"


def test_the_dags_smtp_server_is_the_connection_as_the_provider_hook_reads_it(
    monkeypatch: pytest.MonkeyPatch, dagbag: Any
) -> None:
    sys.path.insert(0, str(DAGS))
    from common.mail import smtp_server
    from kinerja.config import SetupError

    def server(extra: dict[str, Any], **fields: Any) -> Any:
        conn = {"conn_type": "smtp", "host": "mail.kota.example", "port": 587, **fields, "extra": extra}
        monkeypatch.setenv("AIRFLOW_CONN_KINERJA_SMTP", json.dumps(conn))
        return smtp_server("kinerja_smtp")

    starttls, sender = server(
        {"disable_ssl": True, "from_email": SENDER}, login="laporan", password="rahasia"
    )
    assert sender == SENDER
    assert (starttls.security, starttls.user, starttls.password, starttls.timeout) == (
        "starttls",
        "laporan",
        "rahasia",
        30,
    )
    assert starttls.tls is not None and starttls.tls.verify_mode.name == "CERT_REQUIRED"
    assert starttls.attempts == 6  # the provider's retry_limit (5) + 1
    plain, no_sender = server({"disable_ssl": True, "disable_tls": True, "timeout": 7, "retry_limit": 0})
    assert (plain.security, plain.user, plain.timeout, plain.attempts, no_sender) == (
        "plain",
        None,
        7,
        1,
        None,
    )
    assert server({})[0].security == "ssl"  # the provider's default
    assert server({"ssl_context": "none"})[0].tls is None
    with pytest.raises(SetupError, match="auth_type"):
        server({"auth_type": "oauth2"})
