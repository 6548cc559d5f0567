"""A PD the Inspektorat returns gets feedback like a rejected file: a mail to its registered
address through a real SMTP server (aiosmtpd, Maildir read back), once; the status board shows its
LPPD as dikembalikan until a new LPPD file comes in. And when the scheduled DAG asks."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.handover import Answer
from kinerja.notify import send_reviu_mails, smtp_from_url
from kinerja.reviu import KEMBALIKAN, belum_waktunya, catat_reviu, feedback_path
from kinerja.sample import SampleShares, generate_year
from kinerja.sources.local import LocalDrive
from kinerja.status.quarters import DIKEMBALIKAN
from kinerja.web.status_html import render_status_page
from kinerja.web.status_page import recorded_feedback, status_page
from sqlalchemy import Engine

from ..conftest import make_run
from .test_file_mail import Server, server  # noqa: F401 - the SMTP server fixture

pytestmark = pytest.mark.integration


def test_returned_pd_is_mailed_once_and_shown_until_it_hands_in_again(
    sqlite_engine: Engine,
    catalog: Catalog,
    tmp_path: Path,
    server: Server,  # noqa: F811
) -> None:
    drive = tmp_path / "drive"
    jawaban = Answer(
        chosen_options=[KEMBALIKAN],
        params_input={"catatan": "DINKES: IKK pembilang tidak sesuai data dukung"},
        responded_by_user={"id": "inspektur"},
    )
    result = catat_reviu(sqlite_engine, catalog, LocalDrive(drive), 2025, "run-1", jawaban)
    assert result.dikembalikan == ["DINKES"]

    def client():  # type: ignore[no-untyped-def]
        return smtp_from_url(server.url)

    first = send_reviu_mails(sqlite_engine, catalog, 2025, client, sender="kinerja@medan.example")
    again = send_reviu_mails(sqlite_engine, catalog, 2025, client, sender="kinerja@medan.example")
    assert (first.planned, first.sent, first.error) == (1, 1, None) and again.planned == 0
    [mail] = server.messages()
    pd = catalog.pd("DINKES")
    assert pd is not None and mail["To"] == pd.email
    assert "[DIKEMBALIKAN] LPPD 2025" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "pembilang tidak sesuai data dukung" in body and feedback_path(2025, "DINKES") in body

    page = status_page(sqlite_engine, catalog, 2025, date(2026, 2, 25))
    cell = next(r for r in page.rows if r.kode_pd == "DINKES").cells["LPPD"]
    assert cell.status == DIKEMBALIKAN and cell.feedback_path == feedback_path(2025, "DINKES")
    assert recorded_feedback(sqlite_engine, feedback_path(2025, "DINKES")) == cell.feedback_path
    assert 'data-status="dikembalikan"' in render_status_page(page)

    # The corrected LPPD workbook comes in after the decision: the PD leaves "dikembalikan".
    generate_year(catalog, 2025, drive, seed=2, only=("DINKES",), shares=SampleShares(0, 0, 0))
    later = datetime.now(UTC).timestamp() + 60
    for f in (drive / "2025" / "DINKES").glob("*.xlsx"):
        os.utime(f, (later, later))
    make_run(sqlite_engine, drive, catalog, tmp_path).run()
    page = status_page(sqlite_engine, catalog, 2025, date(2026, 2, 25))
    assert next(r for r in page.rows if r.kode_pd == "DINKES").cells["LPPD"].status != DIKEMBALIKAN


def test_scheduled_reviu_asks_from_a_week_before_the_due_date_once(
    sqlite_engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    batas = catalog.kalender_tahun(2025).batas_reviu_inspektorat
    assert batas == date(2026, 2, 27)
    assert "dibuka 20-02-2026" in (belum_waktunya(sqlite_engine, catalog, 2025, date(2026, 2, 19)) or "")
    assert belum_waktunya(sqlite_engine, catalog, 2025, date(2026, 2, 20)) is None
    assert belum_waktunya(sqlite_engine, catalog, 2025, batas) is None
    assert "lewat" in (belum_waktunya(sqlite_engine, catalog, 2025, date(2026, 2, 28)) or "")
    catat_reviu(sqlite_engine, catalog, None, 2025, "run-1", Answer(chosen_options=["Setujui"]))
    assert "sudah tercatat" in (belum_waktunya(sqlite_engine, catalog, 2025, date(2026, 2, 21)) or "")
