"""What the e-mails say, in Bahasa Indonesia, and how: plain text with an escaped HTML part."""

from __future__ import annotations

import dataclasses
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage

from kinerja.catalog import Catalog
from kinerja.cells import tanggal
from kinerja.notify import HEADER, due_reminders
from kinerja.notify.wording import sisa_hari
from kinerja.status.collection import BELUM_MASUK, ReportStatus

from .conftest import BATAS, OPS, body, row


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


def test_indonesian_dates_and_days_left() -> None:
    assert tanggal(date(2026, 1, 26)) == "Senin, 26 Januari 2026"
    assert tanggal(date(2024, 3, 31)) == "Minggu, 31 Maret 2024"
    assert [sisa_hari(n) for n in (3, 1, 0, -2)] == ["3 hari lagi", "besok", "hari ini", "sudah lewat 2 hari"]
