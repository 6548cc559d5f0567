"""
### Susun laporan kinerja

Menyusun keluaran SPM, LPPD dan LKPJ satu tahun pelaporan (buku kerja kota, laporan PDF dan
HTML, tiga draf dokumen .docx, paket situs web per PD, data Satu Data) ke folder *staging*, lalu
menunggu **tim ahli**: permintaan persetujuan memuat tautan ke halaman *Tinjauan Laporan*
(`/kinerja/tinjauan`), tempat semua berkas staging dibuka di peramban; jawab di *Browse →
Required Actions* dengan *Setujui* atau *Tolak* (alasan wajib bila menolak). Checksum setiap
berkas staging dicatat bersama keputusan. Disetujui: keluaran menggantikan folder terbit tahun
itu (hanya bila berkasnya sama dengan yang disetujui) dan *Sinkronkan Satu Data* berjalan.
Ditolak: yang sudah terbit tidak berubah. Keputusan, peninjau dan alasan selalu dicatat di
gudang data.

**Kapan**: setiap kali *Kumpulkan data PD* memuat atau menolak berkas, **satu run per tahun
pelaporan** (kolom *Partition key* = tahun): backfill 2021 dan 2022 menghasilkan dua susunan dan
dua permintaan persetujuan. Run manual: isi `tahun`.

**Bila gagal**: *Kesalahan konfigurasi* (tidak dicoba ulang) menyebut yang harus dibuat;
kesalahan lain dicoba ulang 2 kali. Setelah diperbaiki, *Clear* task yang gagal.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from airflow.sdk import Param, PartitionedAssetTimetable, dag, get_current_context, task
from common.assets import REPORTS_APPROVED, SUBMISSIONS
from common.params import tahun_param
from common.review import DECISION_KEY, RecordedApprovalOperator

# Developer notes. One run per reporting year, not one run mapping over the years: the
# collection's `kinerja_submissions` events carry their year as an asset partition
# (`add_partitions`), and a `PartitionedAssetTimetable` makes the scheduler queue one run per
# partition key (events of the same year still waiting are merged into one run). A year's
# review is then a run of its own: its own Required Action, approval or rejection, retries and
# history, and the review task is the same for one year or ten. With events in one run and
# `max(tahun)` (the old way), a backfilled 2022 was never built. A paused consumer gets no
# queued run from an event (Airflow skips paused DAGs when the event is registered): `make
# airflow` starts the chain unpaused and the status board flags a paused step.


@dag(
    dag_id="compile_reports",
    dag_display_name="Susun laporan kinerja",
    description="Per tahun pelaporan, setelah data PD berubah: susun laporan, tunggu persetujuan tim ahli",
    schedule=PartitionedAssetTimetable(assets=SUBMISSIONS),
    start_date=None,
    catchup=False,
    max_active_runs=4,  # years waiting for review at once (a backfill of several years)
    doc_md=__doc__,
    tags=["kinerja", "laporan"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    params={
        "tahun": tahun_param("Tahun pelaporan (kosong: tahun dari partisi/peristiwa pengumpulan)"),
    },
)
def compile_reports() -> None:
    @task(multiple_outputs=False)
    def build_reports() -> dict:  # type: ignore[type-arg]
        """Compute the marts and render every output into staging (`BuiltReports.to_json()`)."""
        from common.connections import runtime
        from common.failures import setup_errors_fail_at_once
        from common.lineage import report_lineage
        from common.runs import event_year
        from kinerja.lineage import build_datasets
        from kinerja.pipeline import build_year_reports
        from kinerja.satudata.package import FOLDER

        context = get_current_context()
        with setup_errors_fail_at_once():
            tahun = event_year(context)
        rt = runtime(read_only=True)
        built = build_year_reports(rt, tahun, context["run_id"])
        report_lineage(build_datasets(str(rt.engine.url), Path(built.staging) / FOLDER))
        return built.to_json()

    built = build_reports()

    review = RecordedApprovalOperator(
        task_id="review_reports",
        subject="Persetujuan laporan kinerja tahun {{ ti.xcom_pull(task_ids='build_reports')['tahun'] }}",
        tahun="{{ ti.xcom_pull(task_ids='build_reports')['tahun'] }}",
        staging="{{ ti.xcom_pull(task_ids='build_reports')['staging'] }}",
        body=(
            "**Setujui** untuk menerbitkan. **Tolak** bila ada yang harus diperbaiki, dengan alasan "
            "(tanpa alasan, permintaan ini dibuka lagi)."
        ),
        params={
            "alasan": Param(
                None, type=["null", "string"], title="Alasan", description="Wajib diisi bila menolak"
            )
        },
        retries=1,  # an infrastructure failure asks the reviewer again
    )

    @task(outlets=[REPORTS_APPROVED])
    def publish_reports(build: dict) -> str:  # type: ignore[type-arg]
        """Approved: replace the year's published outputs and tell the Satu Data sync."""
        from common.connections import runtime
        from common.lineage import report_lineage
        from common.runs import announce_year
        from kinerja.handover import BuiltReports
        from kinerja.lineage import publish_datasets
        from kinerja.pipeline import publish_year_reports

        built = BuiltReports.from_json(build)
        published = publish_year_reports(runtime(), built.tahun, built.staging)
        report_lineage(publish_datasets(Path(built.staging), Path(published)))
        extra = {"tahun": built.tahun, "published": published}
        announce_year(get_current_context(), REPORTS_APPROVED, built.tahun, extra)  # also for a manual run
        return published

    @task(trigger_rule="all_done", multiple_outputs=False)
    def record_decision(build: dict) -> dict:  # type: ignore[type-arg]
        """Keep the tim ahli's decision and reason, approved or not."""
        from common.connections import runtime
        from kinerja.handover import Answer, BuiltReports
        from kinerja.pipeline import record_review

        built = BuiltReports.from_json(build)
        ti = get_current_context()["ti"]
        answer = Answer.from_json(ti.xcom_pull(task_ids="review_reports", key=DECISION_KEY) or {})
        return record_review(runtime(), built.tahun, built.staging, answer, ti.run_id).to_json()

    published = publish_reports(built)
    built >> review >> published >> record_decision(built)


compile_reports()
