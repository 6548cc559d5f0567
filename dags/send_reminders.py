"""
### Kirim pengingat

E-mail dalam Bahasa Indonesia selama PD menyerahkan data:

* **Pengingat** ke setiap PD yang belum punya kiriman valid untuk laporan yang wajib ia serahkan,
  7, 3 dan 1 hari sebelum batas dan pada hari batas itu sendiri (batas bawaan 26 Januari pukul
  23.59 WIB; `pengingat_hari` dan `batas_pengumpulan` di `calendar.yaml`), ke alamat di
  `perangkat_daerah.csv`: laporan yang belum masuk atau ditolak dan letak umpan baliknya.
* **Ringkasan harian** ke operator (`KINERJA_OPERATOR_EMAILS`): jumlah per laporan dan status,
  siapa yang belum, siapa yang diingatkan, siapa yang tidak punya alamat e-mail.

**Kapan**: pukul 07.00 WIB setiap hari pada bulan Januari. Run manual boleh mengisi `tahun` dan
`tanggal` (bertindak seolah pada hari itu, mis. untuk mengirim pengingat hari yang terlewat).
Run backfill tidak mengirim apa pun. Setiap pesan hanya terkirim sekali, juga saat dicoba ulang.

**Bila gagal**: server SMTP tidak menjawab → dicoba ulang 2 kali (jeda 5 menit). Periksa
connection `kinerja_smtp` (tanpa itu dipakai `smtp_default`), lalu *Clear* task yang gagal.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, get_current_context, task
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable
from common.params import smtp_param, tahun_param, tanggal_param
from common.runs import TZ

# Developer notes. The reporting year is the year before the run's date *in WIB*, derived
# explicitly (`common.runs`). `send_notifications` records each message in `notification_sent`
# (tahun, kind, kode_pd, key) as soon as the server accepted it, so a retry or a second run the
# same day sends nothing twice; recording is part of the send task on purpose: a separate
# "record" task after it would resend everything on a retry. Backfill runs send nothing:
# reminders for a past January would reach agencies years late. The deadline alert is
# `alert_deadline`.


@dag(
    dag_id="send_reminders",
    dag_display_name="Kirim pengingat",
    description="Pukul 07.00 WIB tiap hari, Januari: ingatkan PD yang belum menyerahkan, ringkasan operator",
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
        from common.connections import runtime
        from common.runs import is_backfill, reporting_year, run_day
        from kinerja.notify import plan_day

        context = get_current_context()
        if is_backfill(context):
            raise AirflowSkipException("backfill: pengingat tahun lampau tidak dikirim")
        tahun, today = reporting_year(context), run_day(context)
        notes = plan_day(runtime(migrated=True), tahun, today)
        print(f"tahun {tahun}, {today}: {len(notes)} pesan belum terkirim")
        return [n.to_json() for n in notes]

    @task
    def send_notifications(items: list[dict]) -> list[str]:  # type: ignore[type-arg]
        """Send through the SMTP connection, recording each message as it goes out."""
        from common.connections import runtime
        from common.mail import send_notifications as send
        from common.mail import smtp_conn_id

        conn_id = smtp_conn_id(get_current_context()["params"]["smtp_conn_id"])
        return send(items, conn_id, runtime(migrated=True))

    send_notifications(plan_notifications())


send_reminders()
