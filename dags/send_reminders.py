"""
### Send reminders

E-mail in Bahasa Indonesia while agencies hand in their data (`kinerja.notify`):

* **Reminders** to every PD that still has no valid submission for a report it must hand in,
  7, 3 and 1 days before the deadline and on the day itself (`pengingat_hari` and
  `batas_pengumpulan` in `calendar.yaml`), at the address in `perangkat_daerah.csv`. The
  message lists each missing or rejected report and where the rejection's feedback is.
* **A daily digest** to the operators (`KINERJA_OPERATOR_EMAILS`, comma-separated): counts per
  report and status, who is outstanding, who was reminded, who has no e-mail address.

* **Schedule**: 07:00 WIB every day in January. The reporting year is the year before the
  run's date *in WIB*, derived explicitly (`dags/common/runs.py`); a manual run may set `tahun`
  and `tanggal` (act as that day, e.g. to send a missed day's reminders).
* **Connection**: the SMTP connection in `smtp_conn_id` (default `kinerja_smtp`, else the
  provider's `smtp_default`); the sender is its `from_email` extra, else `KINERJA_EMAIL_FROM`.
* **Once only**: `send_notifications` records each message in the warehouse table
  `notification_sent` (tahun, kind, kode_pd, key) as soon as the server accepted it, so a
  retry or a second run the same day sends nothing twice. Recording is part of the send task on
  purpose: a separate "record" task after it would resend everything on a retry.
* **Backfill runs send nothing**: reminders for a past January would reach agencies years late.

The alert when the deadline has passed is the `alert_deadline` DAG.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, get_current_context, task
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable
from common.params import smtp_param, tahun_param, tanggal_param
from common.runs import TZ


@dag(
    dag_id="send_reminders",
    schedule=CronTriggerTimetable("0 7 * 1 *", timezone=TZ),
    start_date=None,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["kinerja", "pengingat"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    params={
        "tahun": tahun_param(),
        "tanggal": tanggal_param(),
        "smtp_conn_id": smtp_param(),
    },
)
def send_reminders() -> None:
    @task
    def plan_notifications() -> list[dict]:  # type: ignore[type-arg]
        """The reminders and the digest due on the run's day that were not sent yet."""
        from airflow.sdk.exceptions import AirflowSkipException
        from common.connections import warehouse_url
        from common.runs import is_backfill, reporting_year, run_day
        from kinerja.notify.reminders import plan_day

        context = get_current_context()
        if is_backfill(context):
            raise AirflowSkipException("backfill: pengingat tahun lampau tidak dikirim")
        tahun, today = reporting_year(context), run_day(context)
        notes = plan_day(tahun, today, warehouse_url())
        print(f"tahun {tahun}, {today}: {len(notes)} pesan belum terkirim")
        return [n.to_json() for n in notes]

    @task
    def send_notifications(items: list[dict]) -> list[str]:  # type: ignore[type-arg]
        """Send through the SMTP connection, recording each message as it goes out."""
        from common.connections import warehouse_url
        from common.mail import send_notifications as send
        from common.mail import smtp_conn_id

        conn_id = smtp_conn_id(get_current_context()["params"]["smtp_conn_id"])
        return send(items, conn_id, warehouse_url())

    send_notifications(plan_notifications())


send_reminders()
