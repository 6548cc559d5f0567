"""Who is reminded on which day, what the operators hear about, and when the deadline alert is
due (pure functions of the catalogue, the status and a date; `plan_day` and `plan_deadline` on
a real warehouse)."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from kinerja.catalog import Catalog, load_catalog
from kinerja.catalog.loader import REFERENCE_DIR
from kinerja.config import Settings
from kinerja.notify import (
    deadline_alert,
    due_reminders,
    operator_digest,
    plan_day,
    plan_deadline,
    record_sent,
)
from kinerja.runtime import Runtime
from kinerja.status.collection import BELUM_MASUK, DITOLAK, VALID, ReportStatus
from sqlalchemy import Engine

from .conftest import BATAS, OPS, TAHUN


def _with_offsets(tmp_path: Path, name: str, line: str) -> Path:
    """A copy of the reference data whose calendar.yaml says `line` for the offsets."""
    root = tmp_path / name  # a folder per variant: load_catalog caches per (city, folder)
    shutil.copytree(REFERENCE_DIR, root)
    calendar = root / "calendar.yaml"
    text = calendar.read_text(encoding="utf-8")
    assert "pengingat_hari: [7, 3, 1, 0]\n" in text
    calendar.write_text(text.replace("pengingat_hari: [7, 3, 1, 0]\n", line), encoding="utf-8")
    return root


def test_offsets_come_from_the_calendar(catalog: Catalog, tmp_path: Path) -> None:
    assert catalog.pengingat_hari == (7, 3, 1, 0)
    assert load_catalog(
        "medan", _with_offsets(tmp_path, "a", "pengingat_hari: [2, 14, 2]\n")
    ).pengingat_hari == (
        14,
        2,
    )
    assert load_catalog("medan", _with_offsets(tmp_path, "b", "")).pengingat_hari == (7, 3, 1, 0)
    with pytest.raises(ValueError, match="pengingat_hari harus bilangan >= 0"):
        load_catalog("medan", _with_offsets(tmp_path, "c", "pengingat_hari: [3, -1]\n"))


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
    # the catalogue's offsets are the default
    other = dataclasses.replace(catalog, pengingat_hari=(14,), _pd_index={})
    assert due_reminders(other, rows, date(2026, 1, 12)) and not due_reminders(other, rows, date(2026, 1, 19))


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


def test_a_day_is_planned_from_the_runtime_handed_in(catalog: Catalog, sqlite_engine: Engine) -> None:
    """The operators come from the runtime's settings; what the ledger holds is left out."""
    settings = Settings.from_env({"KINERJA_OPERATOR_EMAILS": " a@x.example, ,b@x.example "})
    runtime = Runtime(settings=settings, catalog=catalog, engine=sqlite_engine)
    planned = plan_day(runtime, TAHUN, date(2026, 1, 19))
    *reminders, digest = planned
    assert digest.kind == "ringkasan" and digest.to == ("a@x.example", "b@x.example")
    assert reminders and {r.key for r in reminders} == {"H-7"}  # an empty warehouse: everyone owes
    assert record_sent(sqlite_engine, reminders[0])
    assert plan_day(runtime, TAHUN, date(2026, 1, 19)) == planned[1:]
    assert plan_deadline(runtime, TAHUN, BATAS) == []  # not before the deadline day has ended
    (alert,) = plan_deadline(runtime, TAHUN, BATAS + timedelta(days=1))
    assert alert.kind == "batas" and alert.to == digest.to
    assert record_sent(sqlite_engine, alert)
    assert plan_deadline(runtime, TAHUN, BATAS + timedelta(days=2)) == []
