"""
### Alert deadline

When the collection deadline day has ended (`batas_pengumpulan` in `calendar.yaml`, 26 January
by default, 23:59 WIB), the operators (`KINERJA_OPERATOR_EMAILS`) get one e-mail listing, per
report, the PDs whose data is still missing (`belum masuk`) or still rejected (`ditolak`).
Late files are still accepted afterwards: the collection flags them `terlambat` with their
receipt time and the reports show them as late.

* **Schedule**: 00:00 WIB every day in January and February. The task is skipped until the
  year's deadline day is over, sends the alert on the first run after it (27 January 00:00
  WIB by default) and is skipped again afterwards: the alert is recorded in
  `notification_sent` and goes out once per reporting year, even when the calendar moves the
  deadline or a night's run was missed.
* The reporting year is the year before the run's date in WIB; a manual run may set `tahun`
  and `tanggal`. **Backfill runs never alert** (they would re-announce deadlines years old).

**Why a task and not an Airflow Deadline Alert.** A `DeadlineAlert` fires when a *DAG run* has
not finished by reference + interval. Our deadline is a date per year in the versioned
calendar, not a fixed offset from a run: the interval is fixed when the file is parsed, so
the calendar would be copied into code, and modelling "the year is complete" as a run would
need a weeks-long sensor run. Deadline Alerts are also experimental in 3.3: `dag.test()` and
`airflow dags test` crash on a DAG that has one (apache/airflow#73428), and a backfill run
gets its deadline too: it is already in the past, so the callback fires within seconds (seen
with `airflow backfill create` on 3.3.2). A small task reading the calendar is simpler and is
tested like every other task.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, get_current_context, task
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable
from common.params import smtp_param, tahun_param, tanggal_param
from common.runs import TZ


@dag(
    dag_id="alert_deadline",
    schedule=CronTriggerTimetable("0 0 * 1-2 *", timezone=TZ),
    start_date=None,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["kinerja", "pengingat"],
    default_args={"retries": 3, "retry_delay": timedelta(minutes=10)},
    params={
        "tahun": tahun_param(),
        "tanggal": tanggal_param(),
        "smtp_conn_id": smtp_param(),
    },
)
def alert_deadline() -> None:
    @task
    def send_deadline_alert() -> list[str]:
        """After the deadline day: tell the operators who is missing or still rejected, once."""
        from airflow.sdk.exceptions import AirflowSkipException
        from common.connections import warehouse_url
        from common.mail import send_notifications, smtp_conn_id
        from common.runs import is_backfill, reporting_year, run_day
        from kinerja.notify.reminders import plan_deadline

        context = get_current_context()
        if is_backfill(context):
            raise AirflowSkipException("backfill: batas tahun lampau tidak diumumkan lagi")
        tahun, today = reporting_year(context), run_day(context)
        notes = plan_deadline(tahun, today, warehouse_url())
        if not notes:
            raise AirflowSkipException(f"tahun {tahun}, {today}: batas belum lewat atau sudah diumumkan")
        return send_notifications(
            [n.to_json() for n in notes], smtp_conn_id(context["params"]["smtp_conn_id"]), warehouse_url()
        )

    send_deadline_alert()


alert_deadline()
