"""
### Compile reports

Builds the year's SPM, LPPD and LKPJ outputs (city workbook, PDF and HTML report, a website
bundle per PD) into a staging folder, then waits for the **tim ahli**: the reviewer answers
under *Browse → Required Actions* (or `PATCH .../hitlDetails`) with *Approve* or *Reject* and a
reason. Approved outputs replace the year's published folder and the `kinerja_reports_approved`
asset tells the Satu Data sync; a rejection leaves what was published before untouched. Either
way the decision, reviewer and reason are recorded in the warehouse.

* **Triggered** by `kinerja_submissions` asset events (the year is in the event's `extra`);
  a manual run may set `tahun`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, get_current_context, task
from common.assets import REPORTS_APPROVED, SUBMISSIONS
from common.params import tahun_param
from common.review import DECISION_KEY, RecordedApprovalOperator


@dag(
    dag_id="compile_reports",
    schedule=[SUBMISSIONS],
    start_date=None,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["kinerja", "laporan"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    params={
        "tahun": tahun_param("Tahun pelaporan (kosong: dari peristiwa aset pengumpulan)"),
    },
)
def compile_reports() -> None:
    @task(multiple_outputs=False)
    def build_reports() -> dict:  # type: ignore[type-arg]
        """Compute the marts and render every output into staging."""
        from common.connections import warehouse_read_url
        from kinerja.pipeline import build_year_reports

        context = get_current_context()
        tahun = context["params"].get("tahun")
        if not tahun:
            events = [e for evs in context["triggering_asset_events"].values() for e in evs]
            tahun = max(int(e.extra["tahun"]) for e in events if "tahun" in e.extra)
        return build_year_reports(int(tahun), context["run_id"], warehouse_read_url())

    built = build_reports()

    review = RecordedApprovalOperator(
        task_id="review_reports",
        subject="Persetujuan laporan kinerja tahun {{ ti.xcom_pull(task_ids='build_reports')['tahun'] }}",
        body=(
            "Tim ahli: periksa keluaran di folder staging "
            "`{{ ti.xcom_pull(task_ids='build_reports')['staging'] }}`.\n\n"
            "{{ ti.xcom_pull(task_ids='build_reports')['summary'].get('ringkasan', '') }}\n\n"
            "Setujui untuk menerbitkan; tolak dengan alasan bila ada yang harus diperbaiki."
        ),
        params={"alasan": Param("", type="string", description="Alasan keputusan (wajib bila ditolak)")},
        retries=1,  # an infrastructure failure asks the reviewer again
    )

    @task(outlets=[REPORTS_APPROVED])
    def publish_reports(build: dict) -> str:  # type: ignore[type-arg]
        """Approved: replace the year's published outputs and tell the Satu Data sync."""
        from kinerja.pipeline import publish_year_reports

        published = publish_year_reports(build["tahun"], build["staging"])
        get_current_context()["outlet_events"][REPORTS_APPROVED].extra = {
            "tahun": build["tahun"],
            "published": published,
        }
        return published

    @task(trigger_rule="all_done", multiple_outputs=False)
    def record_decision(build: dict) -> dict:  # type: ignore[type-arg]
        """Keep the tim ahli's decision and reason, approved or not."""
        from common.connections import warehouse_url
        from kinerja.pipeline import record_review

        ti = get_current_context()["ti"]
        response = ti.xcom_pull(task_ids="review_reports", key=DECISION_KEY) or {}
        return record_review(build["tahun"], build["staging"], response, ti.run_id, warehouse_url())

    published = publish_reports(built)
    built >> review >> published >> record_decision(built)


compile_reports()
