"""
### Reviu Inspektorat

The Inspektorat (APIP) reviews the year's LPPD data before the PD heads sign and the tim ahli
finish the LPPD; the result is due in the fourth week of February (`batas_reviu_inspektorat` in
`calendar.yaml`). A reviewer answers under *Browse → Required Actions* (or `PATCH .../hitlDetails`):
**Setujui** accepts every PD's LPPD data; **Kembalikan** returns the PDs named in *catatan*, one line
each, `KODE_PD: catatan` (the other PDs are approved). Every PD's outcome is recorded in the
warehouse (`reviu_inspektorat`); a returned PD finds the note in its `umpan-balik/` folder on the
drive and in an e-mail to its registered address, like the feedback on a rejected file; the
status board shows its LPPD as *Dikembalikan* until it hands in a corrected LPPD workbook.

* **Kapan**: pukul 07.00 WIB setiap hari pada Februari. Reviu diminta sekali per tahun pelaporan,
  mulai `dibuka_hari_sebelum_batas` (bawaan 7) hari sebelum `batas_reviu_inspektorat`; hari lain,
  atau bila reviu tahun itu sudah tercatat, task dilewati (*skipped*). Run backfill tidak meminta.
* **Run by hand** (Trigger) with `tahun`; empty: the year before the run's date (WIB). A manual
  run always asks.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable
from common.params import smtp_param, tahun_param
from common.runs import TZ
from kinerja.reviu import KEMBALIKAN, SETUJUI


@dag(
    dag_id="reviu_inspektorat",
    dag_display_name="Reviu Inspektorat data LPPD",
    description="Pukul 07.00 WIB tiap hari, Februari: sekali, seminggu sebelum batas reviu (minggu ke-4 Feb)",
    schedule=CronTriggerTimetable("0 7 * 2 *", timezone=TZ),
    start_date=None,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["kinerja", "lppd"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    params={"tahun": tahun_param(), "smtp_conn_id": smtp_param()},
)
def reviu_inspektorat() -> None:
    @task(multiple_outputs=False)
    def siapkan_reviu() -> dict:  # type: ignore[type-arg]
        """What the reviewer sees: each PD owing the LPPD and the state of its data."""
        from airflow.sdk.exceptions import AirflowSkipException
        from common.connections import runtime
        from common.runs import is_backfill, is_scheduled, reporting_year, run_day
        from kinerja.reviu import permintaan_tahun

        context = get_current_context()
        if is_backfill(context):
            raise AirflowSkipException("backfill: reviu tahun lampau tidak diminta lagi")
        scheduled = run_day(context) if is_scheduled(context) else None
        asked = permintaan_tahun(runtime(read_only=True), reporting_year(context), today=scheduled)
        if isinstance(asked, str):
            raise AirflowSkipException(asked)
        return asked.to_json()

    asked = siapkan_reviu()
    reviu_lppd = HITLOperator(
        task_id="reviu_lppd",
        subject="Reviu Inspektorat data LPPD tahun {{ ti.xcom_pull(task_ids='siapkan_reviu')['tahun'] }}",
        body="{{ ti.xcom_pull(task_ids='siapkan_reviu')['body'] }}",
        options=[SETUJUI, KEMBALIKAN],
        params={
            "catatan": Param(
                None,
                type=["null", "string"],
                title="Catatan per PD",
                description="Satu baris per PD yang dikembalikan: KODE_PD: catatan",
            )
        },
        retries=1,
    )

    @task(multiple_outputs=False)
    def catat_reviu(asked: dict, jawaban: dict) -> dict:  # type: ignore[type-arg]
        """Record every PD's outcome; write the note into each returned PD's feedback folder and
        mail it to the PD (a mail server that is down is reported; the next run sends the rest)."""
        from common.connections import drive_spec, runtime
        from common.mail import send_reviu_feedback, smtp_conn_id
        from kinerja.handover import Answer, ReviuRequest
        from kinerja.reviu import catat_reviu_tahun

        context = get_current_context()
        tahun = ReviuRequest.from_json(asked).tahun
        answer = Answer.from_json(jawaban)
        rt = runtime(migrated=True)  # the sent-mail ledger too
        result = catat_reviu_tahun(rt, tahun, context["run_id"], answer, drive_spec())
        conn_id = smtp_conn_id(context["params"]["smtp_conn_id"])
        return {**result.to_json(), "surel": send_reviu_feedback(tahun, conn_id, rt)}

    catat_reviu(asked, reviu_lppd.output)
    asked >> reviu_lppd


reviu_inspektorat()
