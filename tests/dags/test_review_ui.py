"""The tim ahli's review in a real browser: `compile_reports` runs (`dag.test()`) and waits for
the approval while a real API server that requires logging in (the session's metadata DB, the
project's plugins) serves the UI and the review page; headless Chromium (Debian's, through
playwright) logs in, opens the review page from the approval request's link, follows every link
of the staged build, and approves from the page's own link in Airflow's Required Action page.
The screenshot of the review page is kept in test-artifacts/tinjauan-laporan.png.

The browser runs in a process of its own, not in a thread of the test's: when the run ends,
OpenLineage's listener forks its process pool from the test process, and a fork taken while the
browser was open kept a copy of the Playwright driver's pipe, so the driver never saw it close
and the browser thread's teardown waited until that pool was shut down."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import secrets
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from kinerja.publish.release import file_checksums
from kinerja.warehouse.db import engine_for
from kinerja.warehouse.models import report_review
from sqlalchemy import select

from tests.support.airflow_api import running_api_server
from tests.support.browser import ARTIFACTS, api_token, chromium, logged_in_page  # noqa: F401 - fixture

from .test_compile_reports import year_in_warehouse  # noqa: F401 - fixture

pytestmark = pytest.mark.integration
USERNAME = "timahli"


def _pending(base: str, token: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            f"{base}/api/v2/dags/compile_reports/dagRuns/~/hitlDetails",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as r:
            pending = [d for d in json.load(r)["hitl_details"] if not d["response_received"]]
        if pending:
            return pending[0]
        time.sleep(1)
    raise TimeoutError("the approval was never asked for")


def _review_in_browser(base: str, password: str, chromium_path: str, seen: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    asked = _pending(base, api_token(base, USERNAME, password))
    link = re.search(r"\]\((/kinerja/tinjauan\?run=[^)]+)\)", asked["body"])
    assert link, asked["body"]
    seen["asked"] = asked
    with logged_in_page(chromium_path, base, USERNAME, password, (1300, 1400), 60_000) as page:
        # The page is beside Status Pengumpulan in the navigation, listing the staged run.
        page.get_by_role("link", name="Tinjauan", exact=True).click()
        frame = page.frame_locator("iframe[src='/kinerja/tinjauan']")
        expect(frame.locator("#daftar")).to_contain_text(asked["task_instance"]["dag_run_id"])

        # The approval request's link opens the review page of the staged run.
        page.goto(base + link.group(1))
        expect(page.locator("h1")).to_have_text("Tinjauan laporan kinerja tahun 2025")
        expect(page.locator("#keputusan")).to_have_text("menunggu")
        figures = page.locator("#angka li")
        expect(figures.first).to_contain_text("Capaian SPM Kota Medan 2025:")
        seen["figures"] = figures.all_inner_texts()
        expect(page.locator("#kurang")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "tinjauan-laporan.png"), full_page=True)

        # Every file link answers with the staged bytes.
        hrefs = page.locator("#berkas a").evaluate_all("els => els.map(e => e.href)")
        bundles = page.locator("#bundel a").evaluate_all("els => els.map(e => e.href)")
        assert len(hrefs) == 7 and bundles, (hrefs, bundles)
        fetched = {}
        for href in [*hrefs, *bundles]:
            response = page.request.get(href)
            assert response.status == 200, (href, response.status)
            fetched[href.split("/berkas/", 1)[1]] = hashlib.sha256(response.body()).hexdigest()
        seen["fetched"] = fetched
        # A path outside the recorded files is not served, whatever it names.
        outside = hrefs[0].split("/berkas/", 1)[0] + "/berkas/..%2F..%2F..%2Fwarehouse.db"
        assert page.request.get(outside).status == 404

        # The HTML report and a PD bundle open in the browser from their links.
        page.get_by_role("link", name="Laporan (HTML)").click()
        expect(page.locator("h1").first).to_contain_text("Laporan Kinerja")
        page.go_back()
        page.locator("#bundel a").first.click()
        expect(page.locator("body")).to_contain_text("2025")
        page.go_back()

        # Approve from the page's link: Airflow's Required Action page with Setujui chosen.
        page.get_by_role("link", name="Setujui").click()
        page.wait_for_url("**/required_actions**")
        page.get_by_role("button", name=re.compile(r"^(Respond|Setujui)$")).first.click()
        page.wait_for_timeout(3000)  # the UI refreshes the task after the answer
        page.screenshot(path=str(ARTIFACTS / "tinjauan-laporan-setujui.png"))


def _reviewer(base: str, password: str, chromium_path: str, out: str) -> None:
    """The tim ahli in a spawned process: what the browser saw, as JSON in `out`."""
    seen: dict[str, Any] = {}
    _review_in_browser(base, password, chromium_path, seen)
    Path(out).write_text(json.dumps(seen))


def test_review_page_in_a_real_browser_and_approval_from_its_link(  # type: ignore[no-untyped-def]
    dagbag,
    airflow_db: str,
    year_in_warehouse: str,  # noqa: F811
    chromium: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    password = secrets.token_urlsafe(12)
    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({USERNAME: password}))
    env = {
        **os.environ,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USERNAME}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
    }
    out = tmp_path / "reviewer.json"

    with running_api_server(env, tmp_path / "api-server.log") as base:
        reviewer = multiprocessing.get_context("spawn").Process(
            target=_reviewer, args=(base, password, chromium, str(out))
        )
        reviewer.start()
        try:
            run = dagbag.get_dag("compile_reports").test(run_conf={"tahun": 2025})
            reviewer.join(timeout=600)
        finally:
            if reviewer.is_alive():
                reviewer.kill()
                reviewer.join()
    assert reviewer.exitcode == 0, "the reviewer's browser session failed (its traceback is above)"
    seen: dict[str, Any] = json.loads(out.read_text())
    assert run.state == "success"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["publish_reports"] == "success"

    with engine_for(year_in_warehouse).connect() as conn:
        row = conn.execute(select(report_review)).one()
    assert row.decision == "disetujui" and row.reviewer == USERNAME
    # What the browser fetched is what was recorded, and what was published.
    assert seen["fetched"] and all(row.berkas[p] == d for p, d in seen["fetched"].items())
    published = Path(os.environ["KINERJA_REPORTS_DIR"]) / "published" / "2025"
    assert file_checksums(published) == row.berkas
    # The page's figures are the request's, one per line.
    listed = [x for x in seen["asked"]["body"].splitlines() if x.startswith("- ")]
    assert [f"- {x}" for x in seen["figures"]] == listed
    assert (ARTIFACTS / "tinjauan-laporan.png").stat().st_size > 10_000
