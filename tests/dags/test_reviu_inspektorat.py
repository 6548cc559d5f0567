"""The Inspektorat's reviu of the LPPD data: a reviewer returns two PDs' data over the real API;
every PD owing the LPPD gets a recorded outcome, the returned ones a page in their folder."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.reviu import DIKEMBALIKAN, DISETUJUI, KEMBALIKAN, feedback_path, pd_wajib_lppd
from kinerja.sample import SampleShares
from kinerja.warehouse.db import engine_for
from kinerja.warehouse.models import reviu_inspektorat
from sqlalchemy import select

from ..conftest import SMALL_SET, collected_sample_year

NOTES = (
    "dinkes: IKK-1.02.01 pembilang tidak sesuai data dukung\n"
    "KEC-MEDAN-KOTA: data dukung belum ada\n\n"
    "XYZ: salah ketik"
)


def _answer_when_asked(base: str, answered: list[dict]) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/api/v2/dags/reviu_inspektorat/dagRuns/~/hitlDetails") as r:
            pending = [d for d in json.load(r)["hitl_details"] if not d["response_received"]]
        if pending:
            ti = pending[0]["task_instance"]
            answered.append(pending[0])
            url = (
                f"{base}/api/v2/dags/reviu_inspektorat/dagRuns/{ti['dag_run_id']}/taskInstances/"
                f"{ti['task_id']}/{ti['map_index']}/hitlDetails"
            )
            body = json.dumps({"chosen_options": [KEMBALIKAN], "params_input": {"catatan": NOTES}})
            req = urllib.request.Request(
                url, data=body.encode(), method="PATCH", headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(req) as r:
                answered.append(json.load(r))
            return
        time.sleep(1)


def test_returned_pds_get_feedback_and_every_pd_an_outcome(  # type: ignore[no-untyped-def]
    dagbag, api_server: str, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _, _ = collected_sample_year(
        catalog, tmp_path, seed=3, shares=SampleShares(late=0, missing=0, defective=0)
    )
    drive = tmp_path / "drive"
    monkeypatch.setenv("KINERJA_WAREHOUSE_URL", url)
    monkeypatch.setenv("KINERJA_DRIVE_DIR", str(drive))
    answered: list[dict] = []  # type: ignore[type-arg]
    reviewer = threading.Thread(target=_answer_when_asked, args=(api_server, answered))
    reviewer.start()
    run = dagbag.get_dag("reviu_inspektorat").test(run_conf={"tahun": 2025})
    reviewer.join()
    assert answered and run.state == "success"
    asked = answered[0]
    assert "Reviu Inspektorat" in asked["subject"] and "DINKES" in asked["body"]

    wajib = pd_wajib_lppd(catalog, 2025)
    with engine_for(url).connect() as conn:
        rows = {
            r.kode_pd: r
            for r in conn.execute(select(reviu_inspektorat).where(reviu_inspektorat.c.tahun == 2025))
        }
    assert set(rows) == set(wajib), "every PD owing the LPPD has an outcome, not only the sample's"
    assert rows["DINKES"].keputusan == DIKEMBALIKAN and "pembilang" in rows["DINKES"].catatan
    assert rows["KEC-MEDAN-KOTA"].keputusan == DIKEMBALIKAN
    assert rows["BAPPEDA"].keputusan == DISETUJUI and rows["BAPPEDA"].feedback_path is None
    page = drive / feedback_path(2025, "DINKES")
    assert rows["DINKES"].feedback_path == feedback_path(2025, "DINKES") and page.is_file()
    assert "IKK-1.02.01 pembilang tidak sesuai data dukung" in page.read_text()
    assert not (drive / "2025" / "XYZ").exists(), "an unknown code in the note writes nothing"
    assert set(SMALL_SET) <= set(wajib)


def test_runs_on_its_own_in_february_before_the_due_date(dagbag) -> None:  # type: ignore[no-untyped-def]
    """Scheduled daily at 07:00 WIB in February only (not only by hand): the first run on or after
    `reviu_dibuka` (a week before `batas_reviu_inspektorat`) asks; `belum_waktunya` decides
    (tests/integration/test_reviu_mail.py)."""
    timetable = dagbag.get_dag("reviu_inspektorat").timetable
    assert (timetable.expression, str(timetable.timezone)) == ("0 7 * 2 *", "Asia/Jakarta")
    assert "smtp_conn_id" in dagbag.get_dag("reviu_inspektorat").params
