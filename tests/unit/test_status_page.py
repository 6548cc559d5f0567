"""The "Status Pengumpulan" page: its data for a year, days left, and the HTML it renders."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from kinerja.catalog import Catalog
from kinerja.warehouse.models import submission, submission_current
from kinerja.web.status_html import feedback_href, render_status_page, sisa_hari_text
from kinerja.web.status_page import (
    Cell,
    PdRow,
    StatusPage,
    days_left,
    default_year,
    recorded_feedback,
    status_page,
    today_in,
)
from sqlalchemy import Engine, insert

WIB = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 1, 20)


def add_version(
    engine: Engine,
    kode_pd: str,
    laporan: str,
    version: int,
    status: str,
    received_at: datetime,
    terlambat: bool = False,
    feedback: bool = True,
    tahun: int = 2025,
) -> str | None:
    """Record one processed file version as the collection does; returns its feedback path."""
    path = f"{tahun}/{kode_pd}/{kode_pd}_{laporan}_{tahun}_v{version}.xlsx"
    feedback_path = (
        f"{tahun}/{kode_pd}/umpan-balik/{kode_pd}_{laporan}_{tahun}_v{version}.umpan-balik.html"
        if feedback
        else None
    )
    with engine.begin() as conn:
        sub_id = conn.execute(
            insert(submission).values(
                drive="local",
                path=path,
                version=version,
                size=1000,
                mtime=received_at.timestamp(),
                sha256=f"{kode_pd}{laporan}{version}".ljust(64, "0"),
                first_seen=received_at,
                received_at=received_at,
                processed_at=received_at.replace(minute=received_at.minute + 1),
                tahun=tahun,
                kode_pd=kode_pd,
                laporan=laporan,
                versi_template="1",
                status=status,
                terlambat=terlambat,
                n_errors=0 if status == "loaded" else 3,
                n_warnings=0,
                n_rows=10,
                archive_key=f"xx/{kode_pd}{laporan}{version}.xlsx",
                feedback_path=feedback_path,
            )
        ).inserted_primary_key[0]
        if status == "loaded":
            conn.execute(
                submission_current.delete().where(
                    submission_current.c.tahun == tahun,
                    submission_current.c.kode_pd == kode_pd,
                    submission_current.c.laporan == laporan,
                )
            )
            conn.execute(
                insert(submission_current).values(
                    tahun=tahun, kode_pd=kode_pd, laporan=laporan, submission_id=sub_id
                )
            )
    return feedback_path


def at(day: int, hour: int = 10) -> datetime:
    """A time in January 2026, WIB, as UTC (what the collection stores)."""
    return datetime(2026, 1, day, hour, 0, tzinfo=WIB).astimezone(UTC)


@pytest.fixture
def year(sqlite_engine: Engine, catalog: Catalog) -> dict[str, str | None]:
    """DINKES: SPM rejected then valid, LPPD rejected only. DISDIKBUD: SPM valid but late.
    Nothing else handed in."""
    fb = {}
    add_version(sqlite_engine, "DINKES", "SPM", 1, "rejected", at(10))
    fb["DINKES/SPM"] = add_version(sqlite_engine, "DINKES", "SPM", 2, "loaded", at(12))
    add_version(sqlite_engine, "DINKES", "LPPD", 1, "rejected", at(11))
    fb["DINKES/LPPD"] = add_version(sqlite_engine, "DINKES", "LPPD", 2, "rejected", at(27), terlambat=True)
    fb["DISDIKBUD/SPM"] = add_version(sqlite_engine, "DISDIKBUD", "SPM", 1, "loaded", at(28), terlambat=True)
    return fb


def cells_of(page: StatusPage) -> dict[tuple[str, str], Cell]:
    return {(r.kode_pd, lap): c for r in page.rows for lap, c in r.cells.items()}


def test_the_matrix_shows_each_reports_status_versions_and_latest_feedback(
    sqlite_engine: Engine, catalog: Catalog, year: dict[str, str | None]
) -> None:
    page = status_page(sqlite_engine, catalog, 2025, TODAY)
    cells = cells_of(page)
    spm = cells[("DINKES", "SPM")]
    assert (spm.status, spm.versions, spm.rejected, spm.terlambat) == ("valid", 2, 1, False)
    assert (spm.feedback_path, spm.feedback_file) == (year["DINKES/SPM"], "DINKES_SPM_2025_v2.xlsx")
    assert spm.last_received_at == at(12)
    lppd = cells[("DINKES", "LPPD")]
    assert (lppd.status, lppd.versions, lppd.rejected, lppd.terlambat) == ("ditolak", 2, 2, True)
    assert lppd.feedback_path == year["DINKES/LPPD"]
    late = cells[("DISDIKBUD", "SPM")]
    assert (late.status, late.versions, late.terlambat) == ("terlambat", 1, True)
    nothing = cells[("BAPPEDA", "LKPJ")]
    assert (nothing.status, nothing.versions, nothing.feedback_path, nothing.last_received_at) == (
        "belum masuk",
        0,
        None,
        None,
    )
    # Every active agency appears with exactly the reports it must hand in.
    expected = {(pd.kode_pd, lap) for pd in catalog.pd_aktif(2025) for lap in catalog.laporan_wajib(pd)}
    assert set(cells) == expected
    assert page.ringkasan["valid"] == 1 and page.ringkasan["terlambat"] == 1
    assert page.ringkasan["ditolak"] == 1
    assert page.ringkasan["belum masuk"] == len(expected) - 3
    assert page.batas == catalog.kalender_tahun(2025).batas_pengumpulan
    assert page.days_left == (page.batas - TODAY).days
    assert 2025 in page.years and page.years == sorted(page.years, reverse=True)


def test_newest_feedback_is_kept_when_the_newest_version_wrote_none(
    sqlite_engine: Engine, catalog: Catalog
) -> None:
    first = add_version(sqlite_engine, "BAPPEDA", "LKPJ", 1, "rejected", at(5))
    add_version(sqlite_engine, "BAPPEDA", "LKPJ", 2, "rejected", at(6), feedback=False)
    cell = cells_of(status_page(sqlite_engine, catalog, 2025, TODAY))[("BAPPEDA", "LKPJ")]
    assert (cell.feedback_path, cell.feedback_file, cell.versions) == (first, "BAPPEDA_LKPJ_2025_v1.xlsx", 2)


@pytest.mark.parametrize(
    ("today", "expected", "text"),
    [
        (date(2026, 1, 19), 7, "sisa 7 hari"),
        (date(2026, 1, 25), 1, "sisa 1 hari"),
        (date(2026, 1, 26), 0, "hari ini batas terakhir"),
        (date(2026, 1, 27), -1, "sudah lewat 1 hari"),
        (date(2026, 3, 1), -34, "sudah lewat 34 hari"),
    ],
)
def test_days_left_until_the_deadline_day(today: date, expected: int, text: str) -> None:
    assert days_left(date(2026, 1, 26), today) == expected
    assert sisa_hari_text(expected) == text


def test_today_is_the_kotas_date_and_the_default_year_is_the_one_being_collected() -> None:
    # 17:30 UTC on the 26th is already 00:30 on the 27th in Medan: the deadline has passed.
    assert today_in(WIB, datetime(2026, 1, 26, 17, 30, tzinfo=UTC)) == date(2026, 1, 27)
    assert today_in(WIB, datetime(2026, 1, 26, 16, 59, tzinfo=UTC)) == date(2026, 1, 26)
    assert default_year(date(2026, 1, 20)) == 2025


def page_with(rows: list[PdRow], days: int = 6) -> StatusPage:
    return StatusPage(
        tahun=2025,
        nama_kota="Kota <b>Uji</b>",
        batas=date(2026, 1, 26),
        hari_ini=date(2026, 1, 26) - timedelta(days=days),
        days_left=days,
        tz=WIB,
        tz_label="WIB",
        rows=rows,
        years=[2026, 2025, 2024],
    )


def cell(laporan: str, status: str, feedback_path: str | None = None, versions: int = 1) -> Cell:
    return Cell(
        laporan=laporan,
        status=status,
        versions=versions,
        rejected=0,
        last_received_at=at(20) if versions else None,
        terlambat=status == "terlambat",
        feedback_path=feedback_path,
        feedback_file="berkas.xlsx" if feedback_path else None,
        feedback_at=at(20) if feedback_path else None,
    )


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(html_text: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Collect()
    p.feed(html_text)
    return p.tags


def test_agency_text_is_escaped() -> None:
    evil = PdRow(
        '"><script>alert(1)</script>',
        "<script>alert('PD')</script> & Co",
        {"SPM": cell("SPM", "ditolak", '2025/X/umpan-balik/a"><script>x</script>.html')},
    )
    html_text = render_status_page(page_with([evil]))
    assert "<script" not in html_text
    assert "&lt;script&gt;alert(&#x27;PD&#x27;)&lt;/script&gt; &amp; Co" in html_text
    assert "Kota &lt;b&gt;Uji&lt;/b&gt;" in html_text
    assert [t for t, _ in parse(html_text) if t in ("script", "img", "iframe")] == []
    [row] = [a for t, a in parse(html_text) if t == "tr" and "data-pd" in a]
    assert row["data-pd"] == '"><script>alert(1)</script>'


def test_feedback_links_only_where_a_feedback_was_recorded_and_through_the_plugin_route() -> None:
    recorded = "2025/DINKES/umpan-balik/DINKES SPM 2025.umpan-balik.html"
    rows = [
        PdRow(
            "DINKES",
            "Dinas Kesehatan",
            {"SPM": cell("SPM", "valid", recorded, versions=2), "LPPD": cell("LPPD", "belum masuk", None, 0)},
        ),
        PdRow("BAPPEDA", "Bappeda", {"LKPJ": cell("LKPJ", "ditolak", None)}),
    ]
    tags = parse(render_status_page(page_with(rows)))
    links = [a["href"] for t, a in tags if t == "a"]
    assert links == [feedback_href(recorded)]
    assert links == ["umpan-balik?path=2025/DINKES/umpan-balik/DINKES%20SPM%202025.umpan-balik.html"]


def test_colours_labels_year_selector_and_days_left() -> None:
    rows = [
        PdRow(
            "DINKES",
            "Dinas Kesehatan",
            {
                "SPM": cell("SPM", "valid"),
                "LPPD": cell("LPPD", "ditolak"),
                "LKPJ": cell("LKPJ", "terlambat"),
            },
        ),
        PdRow("KEC-X", "Kecamatan X", {"LKPJ": cell("LKPJ", "belum masuk", versions=0)}),
    ]
    html_text = render_status_page(page_with(rows, days=-3))
    tags = parse(html_text)
    tds = {(a.get("data-laporan"), a.get("data-status")): a.get("class") for t, a in tags if t == "td"}
    assert tds[("SPM", "valid")] == "cell st-valid"
    assert tds[("LPPD", "ditolak")] == "cell st-ditolak"
    assert tds[("LKPJ", "terlambat")] == "cell st-terlambat"
    assert tds[("LKPJ", "belum masuk")] == "cell st-belum"
    assert tds[("SPM", None)] == "na", "KEC-X does not hand in SPM"
    options = [(a["value"], "selected" in a) for t, a in tags if t == "option"]
    assert options == [("2026", False), ("2025", True), ("2024", False)]
    [form] = [a for t, a in tags if t == "form"]
    assert form["method"] == "get"
    assert "sudah lewat 3 hari" in html_text and 'data-days-left="-3"' in html_text
    assert "Batas pengumpulan: Senin, 26 Januari 2026" in html_text
    for label in ("Belum masuk", "Ditolak", "Valid", "Terlambat"):
        assert re.search(rf">{label}(: \d+)?<", html_text), label
    assert 'lang="id"' in html_text


def test_only_recorded_feedback_paths_are_served(sqlite_engine: Engine, year: dict[str, str | None]) -> None:
    recorded = year["DINKES/SPM"]
    assert recorded is not None
    assert recorded_feedback(sqlite_engine, recorded) == recorded
    for other in (
        "2025/DINKES/umpan-balik/lain.umpan-balik.html",  # not recorded
        "2025/DINKES/DINKES_SPM_2025_v2.xlsx",  # the agency's own workbook
        recorded.replace(".html", ".xlsx"),  # the .xlsx feedback is not a page
        f"../{recorded}",
        f"/{recorded}",
        f"2025/DINKES/../DINKES/umpan-balik/{recorded.rsplit('/', 1)[1]}",
        f"./{recorded}",
        recorded + "\x00",
        "",
    ):
        assert recorded_feedback(sqlite_engine, other) is None, other
