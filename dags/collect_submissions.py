"""
### Collect submissions

Picks up every agency's workbooks for a reporting year from the shared drive, checks the
template, validates with Great Expectations, loads what is valid into the warehouse and
records every rejection with its reason.

* **Schedule**: every 10 minutes (WIB) from January to March, the collection window. The
  reporting year is the year before the run's date *in WIB* (`dags/common/runs.py`: Airflow's
  dates are UTC, and the 00:00 WIB run of 1 January is still 31 December in UTC); a manual run
  may set `tahun`.
* **Backfill of past years** (one run per reporting year, from archive folders laid out like
  the drive, `drive_conn_id` naming an archive connection): `airflow backfill create --dag-id
  collect_submissions --from-date 2023-01-01T00:00:00+07:00 --to-date 2023-01-01T00:05:00+07:00
  --dag-run-conf '{"drive_conn_id": "kinerja_arsip"}'` loads 2022 (see the README).
* **Connections**: `kinerja_warehouse` (postgres or sqlite; default: embedded SQLite) and
  the drive named by the `drive_conn_id` param, default `kinerja_drive` (`fs` with
  `{"path": ...}`, `samba` with the share as schema, or `sftp`; without it: the local sample
  drive).
* **Retries**: infrastructure errors are retried; bad data never raises, it is rejected.
* **Emits** the `kinerja_submissions` asset with the year and what changed in `extra`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable
from common.assets import SUBMISSIONS
from common.params import tahun_param
from common.runs import TZ

WAREHOUSE_POOL = "kinerja_warehouse"
"""Bounds concurrent warehouse writers (created by `make airflow-db`; size it to the database)."""
MAX_BATCHES = 4
"""Mapped batches per run: Great Expectations is imported once per task process, so files
are batched per agency rather than mapped one task per file."""


def _drive():  # type: ignore[no-untyped-def]
    """The drive of the run's `drive_conn_id` (an archive for backfills); a named connection
    that does not exist is an error, never a silent switch to the default drive."""
    from common.connections import DRIVE_CONN_ID, drive_spec

    conn_id = get_current_context()["params"].get("drive_conn_id") or DRIVE_CONN_ID
    spec = drive_spec(conn_id)
    if spec.url is None and conn_id != DRIVE_CONN_ID:
        raise ValueError(f"koneksi drive {conn_id!r} tidak ditemukan")
    return spec


@dag(
    dag_id="collect_submissions",
    schedule=CronTriggerTimetable("*/10 * * 1-3 *", timezone=TZ),
    start_date=None,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["kinerja", "pengumpulan"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    params={
        "tahun": tahun_param(),
        "drive_conn_id": Param(
            "kinerja_drive",
            type="string",
            description="Koneksi drive (mis. arsip tahun lampau untuk backfill)",
        ),
    },
)
def collect_submissions() -> None:
    @task
    def prepare_warehouse() -> int:
        """Migrate the warehouse, refresh reference data; returns the reporting year."""
        from common.connections import warehouse_url
        from common.runs import reporting_year
        from kinerja.pipeline import open_run

        tahun = reporting_year(get_current_context())
        open_run(tahun, _drive(), warehouse_url(), prepare=True)
        return tahun

    @task
    def scan_drive(tahun: int) -> list[list[dict]]:  # type: ignore[type-arg]
        """New or changed files, in batches per agency."""
        from common.connections import warehouse_url
        from kinerja.pipeline import open_run, plan_batches

        todo, skipped = open_run(tahun, _drive(), warehouse_url()).scan()
        print(f"{len(todo)} berkas baru/berubah, {len(skipped)} dilewati")
        return plan_batches(todo, MAX_BATCHES)

    @task(map_index_template="{{ batch_label }}", pool=WAREHOUSE_POOL)
    def process_batch(batch: list[dict], tahun: int) -> list[dict]:  # type: ignore[type-arg]
        """Check, validate and load one batch of files."""
        from common.connections import warehouse_url
        from kinerja.pipeline import batch_label, compact, open_run, process_batch

        get_current_context()["batch_label"] = batch_label(batch)  # type: ignore[literal-required]
        run = open_run(tahun, _drive(), warehouse_url())
        return [compact(o) for o in process_batch(run, batch)]

    @task(outlets=[SUBMISSIONS], multiple_outputs=False)
    def summarize(results: list[list[dict]], tahun: int) -> dict:  # type: ignore[type-arg]
        """Log the year's status and tell downstream DAGs what changed."""
        from common.connections import warehouse_url
        from kinerja.pipeline import summary_lines

        flat = [o for batch in results for o in batch]
        changed = sorted({f"{o['pd']}/{o['report']}" for o in flat if o["status"] == "loaded"})
        for line in summary_lines(tahun, warehouse_url()):
            print(line)
        extra = {
            "tahun": tahun,
            "loaded": changed,
            "rejected": sum(1 for o in flat if o["status"] == "rejected"),
        }
        get_current_context()["outlet_events"][SUBMISSIONS].extra = extra
        return extra

    tahun = prepare_warehouse()
    batches = scan_drive(tahun)
    results = process_batch.partial(tahun=tahun).expand(batch=batches)
    summarize(results, tahun)


collect_submissions()
