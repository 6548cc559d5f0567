"""
### Sync Satu Data

Publishes the approved tables of a reporting year to the kota's Satu Data portal (CKAN):
an organisation per PD (or the walidata), a dataset per table and indicator with its metadata,
a DataStore table of all years and a CSV per year. Only what the tim ahli approved is sent:
the `satu-data/` folder of the published reports, checked again for personal data first.

* **Triggered** by `kinerja_reports_approved` (the year is in the event's `extra`); a manual
  run may set `tahun` and `dry_run` (log the plan, write nothing).
* **Connection** `satu_data_ckan` (type http): host = portal URL, password = API token.
* A re-run with nothing new writes nothing; a failed run continues where it stopped.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, get_current_context, task
from common.assets import REPORTS_APPROVED, SATU_DATA
from common.params import tahun_param


@dag(
    dag_id="sync_satu_data",
    schedule=[REPORTS_APPROVED],
    start_date=None,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["kinerja", "satu-data"],
    default_args={"retries": 3, "retry_delay": timedelta(minutes=2), "retry_exponential_backoff": True},
    params={
        "tahun": tahun_param("Tahun pelaporan (kosong: dari peristiwa aset laporan disetujui)"),
        "dry_run": Param(False, type="boolean", description="Hanya tampilkan rencana, tanpa menulis"),
    },
)
def sync_satu_data() -> None:
    @task(outlets=[SATU_DATA], multiple_outputs=False)
    def publish_to_portal() -> dict:  # type: ignore[type-arg]
        """Plan against the portal's content hashes, then create / update what changed."""
        from common.connections import ckan_portal
        from kinerja.pipeline import sync_satu_data as sync

        context = get_current_context()
        years = [context["params"]["tahun"]] if context["params"].get("tahun") else []
        if not years:
            events = [e for evs in context["triggering_asset_events"].values() for e in evs]
            years = sorted({int(e.extra["tahun"]) for e in events if "tahun" in e.extra})
        if not years:
            raise ValueError("tahun tidak diketahui: isi parameter tahun")
        portal = ckan_portal()
        results = [
            sync(int(t), portal.url, portal.api_token, dry_run=bool(context["params"]["dry_run"]))
            for t in years
        ]
        for r in results:
            print(f"Satu Data {r['tahun']}: {r['jumlah']}")
        context["outlet_events"][SATU_DATA].extra = {"tahun": years, "jumlah": [r["jumlah"] for r in results]}
        return {"hasil": [{"tahun": r["tahun"], "jumlah": r["jumlah"]} for r in results]}

    publish_to_portal()


sync_satu_data()
