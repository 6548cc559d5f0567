"""Who is reminded on which day, what the operators hear, and the wording (pure, no server)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from kinerja.catalog import Catalog
from kinerja.notify.reminders import (
    HEADER,
    Notification,
    deadline_alert,
    due_reminders,
    operator_digest,
    operator_emails,
    pengingat_hari,
    record_sent,
    sent_idents,
    tanggal,
    unsent,
)
from kinerja.status.collection import BELUM_MASUK, DITOLAK, TERLAMBAT, VALID, ReportStatus, collection_status
from sqlalchemy import Engine

TAHUN = 2025
BATAS = date(2026, 1, 26)  # calendar.yaml, tahun 2025
OPS = ("operator@kinerja.example",)


def row(catalog: Catalog, kode: str, laporan: str, status: str, received: int = 0) -> ReportStatus:
    pd = catalog.pd(kode)
    assert pd is not None
    return ReportStatus(
        kode, pd.nama, laporan, status, received, received if status == DITOLAK else 0, 0, None
    )


@pytest.fixture
def rows(catalog: Catalog) -> list[ReportStatus]:
    return [
        row(catalog, "DINKES", "SPM", BELUM_MASUK),
        row(catalog, "DINKES", "LPPD", VALID, 1),
        row(catalog, "DINKES", "LKPJ", DITOLAK, 2),
        row(catalog, "BAPPEDA", "LPPD", VALID, 1),
        row(catalog, "BAPPEDA", "LKPJ", TERLAMBAT, 1),
        row(catalog, "DINSOS", "SPM", DITOLAK, 1),
        row(catalog, "KEC-MEDAN-KOTA", "SPM", BELUM_MASUK),
    ]


def body(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())


def test_offsets_come_from_the_calendar() -> None:
    assert pengingat_hari("medan") == (7, 3, 1, 0)


@pytest.mark.parametrize("day", [BATAS - timedelta(days=n) for n in range(-5, 26)], ids=str)
def test_reminders_go_out_7_3_1_and_0_days_before_the_deadline_only(
    catalog: Catalog, rows: list[ReportStatus], day: date
) -> None:
    due = due_reminders(catalog, rows, day)
    days_left = (BATAS - day).days
    if days_left in (7, 3, 1, 0):
        assert {r.kode_pd for r in due} == {"DINKES", "DINSOS", "KEC-MEDAN-KOTA"}
        assert {r.key for r in due} == {f"H-{days_left}"}
        assert all(r.hari_lagi == days_left and r.tahun == TAHUN for r in due)
    else:
        assert due == []


def test_only_agencies_lacking_a_valid_submission_are_reminded_of_what_they_lack(
    catalog: Catalog, rows: list[ReportStatus]
) -> None:
    due = {r.kode_pd: r for r in due_reminders(catalog, rows, date(2026, 1, 19))}
    assert "BAPPEDA" not in due  # valid and late both count as handed in
    assert due["DINKES"].laporan == (("SPM", BELUM_MASUK), ("LKPJ", DITOLAK))
    assert due["DINSOS"].laporan == (("SPM", DITOLAK),)
    dinkes = catalog.pd("DINKES")
    assert dinkes is not None and due["DINKES"].to == (dinkes.email,)
    everyone_done = [dataclasses.replace(r, status=VALID) for r in rows]
    assert due_reminders(catalog, everyone_done, date(2026, 1, 19)) == []


def test_offsets_and_year_can_be_given(catalog: Catalog, rows: list[ReportStatus]) -> None:
    assert due_reminders(catalog, rows, date(2026, 1, 12), offsets=(14,))
    assert not due_reminders(catalog, rows, date(2026, 1, 19), offsets=(14,))
    # 2023's deadline is 26 January 2024 (calendar.yaml)
    assert due_reminders(catalog, rows, date(2024, 1, 25), tahun=2023)[0].key == "H-1"


def test_reminder_wording_in_bahasa_indonesia(catalog: Catalog, rows: list[ReportStatus]) -> None:
    feedback = {("DINKES", "LKPJ"): "2025/DINKES/umpan-balik/DINKES_LKPJ_2025.umpan-balik.html"}
    h7 = next(
        r for r in due_reminders(catalog, rows, date(2026, 1, 19), feedback=feedback) if r.kode_pd == "DINKES"
    )
    assert h7.subject.startswith("[H-7] Pengingat data Laporan Kinerja 2025 - Dinas Kesehatan")
    assert "Senin, 26 Januari 2026" in h7.subject
    text = h7.text
    assert "Senin, 26 Januari 2026 pukul 23.59 WIB (7 hari lagi)" in text
    assert "Sampai Senin, 19 Januari 2026" in text
    assert "SPM: belum ada berkas yang masuk." in text
    assert "LKPJ: berkas sudah masuk (2 versi) tetapi ditolak" in text
    assert feedback[("DINKES", "LKPJ")] in text
    assert "folder 2025/DINKES/" in text and "dicatat terlambat" in text
    assert "LPPD" not in text.split("untuk laporan berikut:")[1].split("Cara mengirim")[0]
    h1 = next(r for r in due_reminders(catalog, rows, date(2026, 1, 25)) if r.kode_pd == "DINKES")
    assert "(besok)" in h1.text and h1.subject.startswith("[H-1]")
    h0 = next(r for r in due_reminders(catalog, rows, BATAS) if r.kode_pd == "DINKES")
    assert h0.subject.startswith("[Hari H] Batas akhir hari ini")
    assert "(hari ini)" in h0.text


def test_message_is_plain_text_with_an_escaped_html_alternative(catalog: Catalog) -> None:
    dinkes = catalog.pd("DINKES")
    assert dinkes is not None
    evil = dataclasses.replace(dinkes, nama='Dinas <script>alert("x")</script> & Co')
    cat = dataclasses.replace(
        catalog,
        perangkat_daerah=tuple(evil if p.kode_pd == "DINKES" else p for p in catalog.perangkat_daerah),
        _pd_index={},
    )
    (reminder,) = due_reminders(cat, [row(cat, "DINKES", "SPM", BELUM_MASUK)], date(2026, 1, 23))
    msg = reminder.message("Laporan Kinerja <laporan@kinerja.example>", OPS)
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["To"] == dinkes.email and parsed["Reply-To"] == OPS[0]
    assert parsed[HEADER] == "pengingat/2025/DINKES/H-3"
    assert parsed["Message-ID"].endswith("@kinerja.example>")
    assert '<script>alert("x")</script>' in body(parsed, "plain")
    html = body(parsed, "html")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; Co" in html
    assert "3 hari lagi" in html


def test_agency_without_e_mail_is_not_reminded_but_named_to_the_operators(
    catalog: Catalog, rows: list[ReportStatus]
) -> None:
    cat = dataclasses.replace(
        catalog,
        perangkat_daerah=tuple(
            dataclasses.replace(p, email="") if p.kode_pd == "DINSOS" else p for p in catalog.perangkat_daerah
        ),
        _pd_index={},
    )
    due = due_reminders(cat, rows, date(2026, 1, 23))
    assert {r.kode_pd for r in due} == {"DINKES", "KEC-MEDAN-KOTA"}
    digest = operator_digest(cat, rows, date(2026, 1, 23), operators=OPS, reminders=due)
    no_mail = digest.text.split("tidak ada alamat e-mail")[1]
    assert "DINSOS" in no_mail and "DINKES" not in no_mail


def test_operator_digest(catalog: Catalog, rows: list[ReportStatus]) -> None:
    today = date(2026, 1, 23)
    due = due_reminders(catalog, rows, today)
    digest = operator_digest(catalog, rows, today, operators=OPS, reminders=due)
    assert (digest.kind, digest.tahun, digest.kode_pd, digest.key) == ("ringkasan", 2025, "", "2026-01-23")
    assert digest.to == OPS
    assert (
        digest.subject == "Ringkasan harian Jumat, 23 Januari 2026: 3/7 laporan 2025 valid, batas 3 hari lagi"
    )
    text = digest.text
    assert "SPM: wajib 3, valid 0, terlambat 0, ditolak 1, belum masuk 2" in text
    assert "LKPJ: wajib 2, valid 0, terlambat 1, ditolak 1, belum masuk 0" in text
    assert "SPM belum masuk: Dinkes (DINKES), " in text and "SPM ditolak: " in text
    assert "Pengingat yang dijadwalkan hari ini (3 PD)" in text and "H-3 Dinkes (DINKES)" in text
    quiet = operator_digest(catalog, rows, date(2026, 1, 20), operators=OPS)
    assert "Pengingat yang dijadwalkan" not in quiet.text and quiet.key == "2026-01-20"


def test_deadline_alert_lists_missing_and_rejected_per_report(
    catalog: Catalog, rows: list[ReportStatus]
) -> None:
    alert = deadline_alert(catalog, rows, TAHUN, operators=OPS)
    assert (alert.kind, alert.key, alert.to) == ("batas", "2026-01-26", OPS)
    assert alert.subject == "Batas pengumpulan 2025 berakhir: 3 PD belum lengkap"
    lines = {
        line.strip()[2:].split(":")[0]: line for line in alert.text.splitlines() if line.startswith("  - ")
    }
    assert "belum masuk (2): Dinkes (DINKES), Kec. Medan Kota (KEC-MEDAN-KOTA)" in lines["SPM"]
    assert "ditolak (1): " in lines["SPM"] and "DINSOS" in lines["SPM"]
    assert lines["LPPD"].endswith("LPPD: lengkap.")
    assert "ditolak (1)" in lines["LKPJ"] and "DINKES" in lines["LKPJ"] and "BAPPEDA" not in lines["LKPJ"]
    assert "Senin, 26 Januari 2026 pukul 23.59 WIB" in alert.text
    complete = deadline_alert(
        catalog, [dataclasses.replace(r, status=VALID) for r in rows], TAHUN, operators=OPS
    )
    assert complete.subject == "Batas pengumpulan 2025 berakhir: semua PD lengkap"


def test_operators_come_from_the_environment() -> None:
    assert operator_emails({}) == ("operator@kinerja.example",)
    assert operator_emails({"KINERJA_OPERATOR_EMAILS": " a@x.example, ,b@x.example "}) == (
        "a@x.example",
        "b@x.example",
    )


def test_indonesian_dates() -> None:
    assert tanggal(date(2026, 1, 26)) == "Senin, 26 Januari 2026"
    assert tanggal(date(2024, 3, 31)) == "Minggu, 31 Maret 2024"


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
