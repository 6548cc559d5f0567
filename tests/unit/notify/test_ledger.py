"""The ledger: each notification recorded once; what it holds is not planned again. A planned
notification survives the hand-over between tasks (XCom JSON) unchanged."""

from __future__ import annotations

from datetime import date

from kinerja.catalog import Catalog
from kinerja.notify import Notification, due_reminders, record_sent, sent_idents, unsent
from kinerja.status.collection import ReportStatus, collection_status
from sqlalchemy import Engine

from .conftest import TAHUN


def test_notification_round_trips_through_json(catalog: Catalog, rows: list[ReportStatus]) -> None:
    (first, *_) = due_reminders(catalog, rows, date(2026, 1, 19))
    again = Notification.from_json(first.to_json())
    assert again.ident == first.ident and again.to == first.to and again.html == first.html


def test_sent_notifications_are_recorded_once(catalog: Catalog, sqlite_engine: Engine) -> None:
    rows = collection_status(sqlite_engine, catalog, TAHUN)  # empty warehouse: nothing handed in
    due = due_reminders(catalog, rows, date(2026, 1, 19))
    assert len(due) == len({r.kode_pd for r in rows})
    assert unsent(sqlite_engine, due) == due
    assert record_sent(sqlite_engine, due[0]) is True
    assert record_sent(sqlite_engine, due[0]) is False
    assert unsent(sqlite_engine, due) == due[1:]
    assert sent_idents(sqlite_engine, TAHUN) == {due[0].ident}
    assert sent_idents(sqlite_engine, TAHUN + 1) == set()
