"""
### Umumkan batas pengumpulan lewat

Setelah hari batas pengumpulan berakhir (`batas_pengumpulan` di `calendar.yaml`, bawaan
26 Januari **pukul 23.59 WIB**), operator (`KINERJA_OPERATOR_EMAILS`) menerima satu e-mail berisi,
per laporan, PD yang datanya masih *belum masuk* atau masih *ditolak*. Berkas yang terlambat tetap
diterima dan ditandai *terlambat*.

**Kapan**: pukul 00.00 WIB setiap hari pada Januari dan Februari. Task dilewati (*skipped*)
sampai batas lewat, mengirim pada run pertama sesudahnya (bawaan 27 Januari pukul 00.00 WIB),
lalu dilewati lagi: peringatan dikirim sekali per tahun pelaporan. Run backfill tidak pernah
mengirim. Run manual boleh mengisi `tahun` dan `tanggal`.

**Bila gagal**: server SMTP tidak menjawab → dicoba ulang 3 kali (jeda 10 menit); tidak ada
pesan yang terkirim dua kali. Periksa connection `kinerja_smtp`, lalu *Clear* task itu.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, get_current_context, task
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable
from common.params import smtp_param, tahun_param, tanggal_param
from common.runs import TZ

# Developer notes. Why a task and not an Airflow Deadline Alert: a `DeadlineAlert` fires when a
# *DAG run* has not finished by reference + interval, fixed when the file is parsed; our deadline
# is a date per year in the versioned calendar, and modelling "the year is complete" as a run
# would need a weeks-long sensor run. Deadline Alerts are experimental in 3.3: `dag.test()` and
# `airflow dags test` crash on a DAG that has one (apache/airflow#73428), and a backfill run gets
# its deadline too, already past, so the callback fires within seconds (seen with `airflow
# backfill create` on 3.3.2). The reporting year is the year before the run's date in WIB
# (`common.runs`); the alert is recorded in `notification_sent`, so it goes out once per year even
# when the calendar moves the deadline or a night's run was missed.


@dag(
    dag_id="alert_deadline",
    dag_display_name="Umumkan batas pengumpulan lewat",
    description="Pukul 00.00 WIB tiap hari, Jan–Feb: sekali setelah batas, PD yang belum masuk/ditolak",
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
        from common.connections import runtime
        from common.mail import send_notifications, smtp_conn_id
        from common.runs import is_backfill, reporting_year, run_day
        from kinerja.notify import plan_deadline

        context = get_current_context()
        if is_backfill(context):
            raise AirflowSkipException("backfill: batas tahun lampau tidak diumumkan lagi")
        tahun, today = reporting_year(context), run_day(context)
        rt = runtime(migrated=True)
        notes = plan_deadline(rt, tahun, today)
        if not notes:
            raise AirflowSkipException(f"tahun {tahun}, {today}: batas belum lewat atau sudah diumumkan")
        return send_notifications(
            [n.to_json() for n in notes], smtp_conn_id(context["params"]["smtp_conn_id"]), rt
        )

    send_deadline_alert()


alert_deadline()
