"""A real headless Chromium (Debian's, driven by Python playwright) for the UI tests, logged in
to a real Airflow API server through its login page (the simple auth manager)."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

PROJECT = Path(__file__).resolve().parents[2]
ENSURE_PACKAGES = PROJECT / "scripts" / "ensure-system-packages.sh"
ARTIFACTS = PROJECT / "test-artifacts"
"""Screenshots for people reviewing a test run (git-ignored)."""
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


@pytest.fixture(scope="module")
def chromium() -> str:
    """The path of Debian's chromium, installed by scripts/ensure-system-packages.sh when missing."""
    if not Path(CHROMIUM).exists():
        done = subprocess.run(["bash", str(ENSURE_PACKAGES), "chromium"], capture_output=True, text=True)
        if done.returncode != 0 or not Path(CHROMIUM).exists():
            pytest.fail(
                "Debian's chromium is needed for the UI test and could not be installed with "
                f"scripts/ensure-system-packages.sh chromium:\n{(done.stdout + done.stderr)[-2000:]}"
            )
    return CHROMIUM


@contextmanager
def logged_in_page(
    chromium: str, base: str, username: str, password: str, viewport: tuple[int, int], timeout_ms: float
) -> Iterator[Page]:
    """A page of the Airflow UI at `base`, logged in as `username` through the login page the UI
    sends a visitor to; the browser is closed afterwards (`page.context` opens more pages)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            width, height = viewport
            context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
            context.set_default_timeout(timeout_ms)
            page = context.new_page()
            # Not logged in: the UI sends us to the login page.
            page.goto(f"{base}/")
            page.wait_for_url("**/auth/login**")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/")
            yield page
        finally:
            browser.close()


def api_token(base: str, username: str, password: str) -> str:
    """A token of the simple auth manager for `username` (the API's Bearer authorisation)."""
    request = urllib.request.Request(
        f"{base}/auth/token",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["access_token"])
