"""The "Status Pengumpulan" page in a real Airflow UI, seen through a real headless Chromium.

A real `airflow api-server` on 127.0.0.1 (a free port, its own AIRFLOW_HOME and metadata DB) with
the simple auth manager and one known user (no all-admins mode: people log in), the project's
plugins folder, and the Connections `kinerja_warehouse` / `kinerja_drive` pointing at a warehouse
and a drive filled by a real collection of a sample year. Debian's chromium (installed by
scripts/ensure-system-packages.sh when missing), driven by Python playwright, logs in through the
login page, opens the page from the UI's navigation and checks what it shows. The screenshot is
kept in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.intake.collect import FileOutcome
from kinerja.sample import SampleShares, generate_year
from kinerja.status.collection import BELUM_MASUK, DITOLAK, TERLAMBAT, VALID
from kinerja.warehouse.db import engine_for, migrate
from kinerja.warehouse.load import sync_reference
from kinerja.web.status_html import sisa_hari_text
from kinerja.web.status_page import days_left, today_in

from tests.airflow_api import free_port, running_api_server

from ..conftest import SMALL_SET, make_run

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
ENSURE_PACKAGES = PROJECT / "scripts" / "ensure-system-packages.sh"
ARTIFACTS = PROJECT / "test-artifacts"
HOST = "127.0.0.1"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USERNAME = "operator"
TAHUN = 2025


@dataclass(frozen=True)
class SampleYear:
    warehouse: Path
    drive: Path
    expected: dict[tuple[str, str], str]
    """Status per (kode_pd, laporan) of the agencies in the sample, from the collection's outcomes."""
    outcomes: list[FileOutcome]


@dataclass(frozen=True)
class Ui:
    base: str
    password: str
    log: Path


def expected_statuses(outcomes: list[FileOutcome]) -> dict[tuple[str, str], str]:
    """What the page must say, worked out from what the collection did with each file."""
    by_report: dict[tuple[str, str], list[FileOutcome]] = {}
    for o in outcomes:
        if o.laporan:
            by_report.setdefault((o.kode_pd, o.laporan), []).append(o)
    out = {}
    for key, files in by_report.items():
        loaded = sorted((o for o in files if o.status == "loaded"), key=lambda o: o.received_at or "")
        if loaded:
            out[key] = TERLAMBAT if loaded[-1].terlambat else VALID
        else:
            out[key] = DITOLAK
    return out


@pytest.fixture(scope="module")
def sample_year(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> SampleYear:
    root = tmp_path_factory.mktemp("status-ui-data")
    drive, warehouse = root / "drive", root / "warehouse.db"
    engine = engine_for(f"sqlite:///{warehouse}")
    try:
        migrate(engine)
        sync_reference(engine, catalog)
        generate_year(
            catalog,
            TAHUN,
            drive,
            seed=1,
            only=SMALL_SET,
            shares=SampleShares(late=0.3, missing=0.1, defective=0.4, corrected=0.5),
        )
        outcomes = make_run(engine, drive, catalog, root).run()
    finally:
        engine.dispose()
    expected = expected_statuses(outcomes)
    for pd in catalog.pd_aktif(TAHUN):
        if pd.kode_pd in SMALL_SET:
            for laporan in catalog.laporan_wajib(pd):
                expected.setdefault((pd.kode_pd, laporan), BELUM_MASUK)
    assert {VALID, TERLAMBAT, DITOLAK} <= set(expected.values()), "the sample must show every status"
    return SampleYear(warehouse, drive, expected, outcomes)


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory, sample_year: SampleYear) -> Iterator[Ui]:
    """A real API server (with the UI) that requires logging in, stopped afterwards."""
    home = tmp_path_factory.mktemp("status-ui-airflow")
    password = secrets.token_urlsafe(12)
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({USERNAME: password}))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "KINERJA_WAREHOUSE"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USERNAME}:viewer",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{HOST}:{port}/execution/",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            # The plugin reads the same Connections as the DAGs (here from the environment).
            "AIRFLOW_CONN_KINERJA_WAREHOUSE": json.dumps(
                {"conn_type": "sqlite", "host": str(sample_year.warehouse)}
            ),
            "AIRFLOW_CONN_KINERJA_DRIVE": json.dumps(
                {"conn_type": "fs", "extra": {"path": str(sample_year.drive)}}
            ),
            "GX_ANALYTICS_ENABLED": "False",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True, env=env
    )
    log = home / "api-server.log"
    try:
        with running_api_server(env, log, port) as base:
            yield Ui(base, password, log)
    except RuntimeError as exc:
        pytest.fail(str(exc))


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _token(ui: Ui) -> str:
    request = urllib.request.Request(
        f"{ui.base}/auth/token",
        data=json.dumps({"username": USERNAME, "password": ui.password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["access_token"])


def test_the_plugin_answers_401_without_a_login(ui: Ui, sample_year: SampleYear) -> None:
    feedback = next(o.feedback for o in sample_year.outcomes if o.feedback)
    routes = [f"/kinerja/status?tahun={TAHUN}", f"/kinerja/umpan-balik?path={feedback}", "/kinerja/icon.svg"]
    for route in routes:
        assert _get(ui.base + route)[0] == 401, route
        # A forged token is refused too (Airflow answers 403 "Invalid JWT token" for those).
        assert _get(ui.base + route, {"Authorization": "Bearer not-a-token"})[0] in (401, 403), route
        assert _get(ui.base + route, {"Cookie": "_token=not-a-token"})[0] in (401, 403), route
    # No public API description of the app either.
    for route in ("/kinerja/docs", "/kinerja/openapi.json"):
        assert _get(ui.base + route)[0] in (401, 404), route

    # The same routes with a real login (a token from the simple auth manager).
    auth = {"Authorization": f"Bearer {_token(ui)}"}
    status, body = _get(ui.base + routes[0], auth)
    assert status == 200 and b"Status Pengumpulan Data Tahun 2025" in body
    status, body = _get(ui.base + routes[1], auth)
    assert status == 200 and b"Hasil pemeriksaan" in body
    # Only feedback recorded in the warehouse is served: not the agency's workbook, not ../
    workbook = next(o.path for o in sample_year.outcomes)
    for path in (workbook, f"../{sample_year.warehouse.name}", "2025/DINKES/umpan-balik/lain.html"):
        assert _get(f"{ui.base}/kinerja/umpan-balik?path={path}", auth)[0] == 404, path


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        done = subprocess.run(["bash", str(ENSURE_PACKAGES), "chromium"], capture_output=True, text=True)
        if done.returncode != 0 or not Path(CHROMIUM).exists():
            pytest.fail(
                "Debian's chromium is needed for the UI test and could not be installed with "
                f"scripts/ensure-system-packages.sh chromium:\n{(done.stdout + done.stderr)[-2000:]}"
            )
    return CHROMIUM


def test_status_page_in_the_airflow_ui(
    ui: Ui, sample_year: SampleYear, catalog: Catalog, chromium: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    batas = catalog.kalender_tahun(TAHUN).batas_pengumpulan
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1250}, locale="id-ID")
            context.set_default_timeout(30_000)
            page = context.new_page()

            # Not logged in: the UI sends us to the login page.
            page.goto(f"{ui.base}/")
            page.wait_for_url("**/auth/login**")
            page.get_by_label("Username").fill(USERNAME)
            page.get_by_label("Password").fill(ui.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{ui.base}/")

            # The page is an entry of the UI's navigation, embedded in the UI.
            page.get_by_role("link", name="Status", exact=True).click()
            page.wait_for_url("**/plugin/status-pengumpulan**")
            frame = page.frame_locator("iframe[src='/kinerja/status']")
            expect(frame.locator("h1")).to_have_text(f"Status Pengumpulan Data Tahun {TAHUN}")

            # Days left until the deadline, as of today in the kota.
            left = days_left(batas, today_in(catalog.tz))
            deadline = frame.locator("#sisa-hari")
            expect(deadline).to_have_attribute("data-days-left", str(left))
            expect(deadline).to_contain_text(sisa_hari_text(left))
            expect(deadline).to_contain_text(f"{batas.day} Januari {batas.year}")

            # The matrix: each sampled agency's reports show what the collection made of them.
            for (kode_pd, laporan), status in sorted(sample_year.expected.items()):
                cell = frame.locator(f'tr[data-pd="{kode_pd}"] td[data-laporan="{laporan}"]')
                expect(cell).to_have_attribute("data-status", status)
                received = [o for o in sample_year.outcomes if (o.kode_pd, o.laporan) == (kode_pd, laporan)]
                if received:
                    expect(cell.locator(".versi")).to_contain_text(f"{len(received)} versi masuk")
            # An agency outside the sample handed in nothing.
            outside = next(pd for pd in catalog.pd_aktif(TAHUN) if pd.kode_pd not in SMALL_SET)
            expect(frame.locator(f'tr[data-pd="{outside.kode_pd}"] td[data-status]').first).to_have_attribute(
                "data-status", BELUM_MASUK
            )
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ARTIFACTS / "status-pengumpulan.png"))

            # The newest feedback of a rejected report opens from its link, served by the plugin
            # in the same frame (the UI's iframe allows no pop-ups); Back returns to the matrix.
            rejected = sorted(k for k, s in sample_year.expected.items() if s == DITOLAK)
            kode_pd, laporan = rejected[0]
            newest = max(
                (o for o in sample_year.outcomes if (o.kode_pd, o.laporan) == (kode_pd, laporan)),
                key=lambda o: o.received_at or "",
            )
            link = frame.locator(f'tr[data-pd="{kode_pd}"] td[data-laporan="{laporan}"] a')
            expect(link).to_have_text("Umpan balik terakhir")
            link.click()
            expect(frame.locator("h1")).to_contain_text("Hasil pemeriksaan: DITOLAK")
            expect(frame.locator("body")).to_contain_text(newest.path.rsplit("/", 1)[1])
            feedback_frame = next(f for f in page.frames if "/kinerja/umpan-balik?path=" in f.url)
            assert feedback_frame.url.endswith(newest.feedback or "")
            page.go_back()
            expect(frame.locator("h1")).to_have_text(f"Status Pengumpulan Data Tahun {TAHUN}")

            # Filter by year: another year shows its own deadline and nothing handed in.
            frame.locator("select#tahun").select_option(str(TAHUN - 1))
            frame.get_by_role("button", name="Tampilkan").click()
            expect(frame.locator("h1")).to_have_text(f"Status Pengumpulan Data Tahun {TAHUN - 1}")
            expect(frame.locator("td[data-status]:not([data-status='belum masuk'])")).to_have_count(0)

            # The page on its own, full length, for people reviewing the test run.
            direct = context.new_page()
            direct.goto(f"{ui.base}/kinerja/status?tahun={TAHUN}")
            expect(direct.locator("h1")).to_have_text(f"Status Pengumpulan Data Tahun {TAHUN}")
            direct.screenshot(path=str(ARTIFACTS / "status-pengumpulan-halaman.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "status-pengumpulan.png").stat().st_size > 10_000
