"""
### Reviu Inspektorat

The Inspektorat (APIP) reviews the year's LPPD data before the PD heads sign and the tim ahli
finish the LPPD; the result is due in the fourth week of February (`batas_reviu_inspektorat` in
`calendar.yaml`). A reviewer answers under *Browse → Required Actions* (or `PATCH .../hitlDetails`):
**Setujui** accepts every PD's LPPD data; **Kembalikan** returns the PDs named in *catatan*, one line
each, `KODE_PD: catatan` (the other PDs are approved). Every PD's outcome is recorded in the
warehouse (`reviu_inspektorat`); a returned PD finds the note in its `umpan-balik/` folder on the
drive, like the feedback on a rejected file, and hands in a corrected LPPD workbook as usual.

* **Run by hand** (Trigger) with `tahun`; empty: the year before the run's date (WIB).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import Param, dag, get_current_context, task
from common.params import tahun_param
from kinerja.reviu import KEMBALIKAN, SETUJUI


@dag(
    dag_id="reviu_inspektorat",
    schedule=None,
    start_date=None,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["kinerja", "lppd"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    params={"tahun": tahun_param()},
)
def reviu_inspektorat() -> None:
    @task(multiple_outputs=False)
    def siapkan_reviu() -> dict:  # type: ignore[type-arg]
        """What the reviewer sees: each PD owing the LPPD and the state of its data."""
        from common.connections import runtime
        from common.runs import reporting_year
        from kinerja.reviu import permintaan_tahun

        return permintaan_tahun(runtime(read_only=True), reporting_year(get_current_context())).to_json()

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
        """Record every PD's outcome; write the note into each returned PD's feedback folder."""
        from common.connections import drive_spec, runtime
        from kinerja.handover import Answer, ReviuRequest
        from kinerja.reviu import catat_reviu_tahun

        tahun, run_id = ReviuRequest.from_json(asked).tahun, get_current_context()["run_id"]
        return catat_reviu_tahun(runtime(), tahun, run_id, Answer.from_json(jawaban), drive_spec()).to_json()

    catat_reviu(asked, reviu_lppd.output)
    asked >> reviu_lppd


reviu_inspektorat()
