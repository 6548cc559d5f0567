"""
### Kumpulkan data PD

Mengambil buku kerja (xlsx) setiap Perangkat Daerah untuk satu tahun pelaporan dari shared drive,
memeriksa templat dan isinya, memuat yang valid ke gudang data dan mencatat setiap penolakan
beserta alasannya. PD menerima umpan balik di folder `umpan-balik/` masing-masing.

**Kapan**: setiap 10 menit, Januari–Maret (WIB). Run bulan Januari 2026 mengumpulkan data tahun
2025. Run manual boleh mengisi `tahun`.

**E-mail**: setiap versi berkas yang diproses dikirimi umpan baliknya (dengan salinan buku kerja
yang ditandai) ke alamat PD di `perangkat_daerah.csv`, dan ke petugas di lembar Info hanya bila
alamatnya di domain PD itu (task `mail_feedback`, connection SMTP di parameter `smtp_conn_id`,
bawaan `kinerja_smtp`). Sekali per versi; server e-mail yang mati tidak menggagalkan run: sisanya
dikirim run berikutnya. Run backfill tidak mengirim e-mail. E-mail yang kemudian dipantulkan server
penerima (laporan pengiriman di kotak surat pengirim, connection IMAP `kinerja_imap`) dicatat dan
tampil di halaman status sebagai "tidak sampai" (task `read_bounces`); tanpa connection itu, dilewati.

**Sesudahnya**: bila ada berkas yang dimuat atau ditolak, *Susun laporan kinerja* berjalan untuk
tahun itu (satu run per tahun) dan menunggu persetujuan tim ahli.

**Backfill tahun lampau** (arsip berstruktur seperti drive: `<tahun>/<KODE_PD>/<berkas>.xlsx`):
`make backfill TAHUN=2022 ARSIP=/jalur/arsip` (beberapa tahun: `TAHUN="2021 2022"`). Run backfill
menolak tahun yang tidak ada di arsip atau di luar kalender, dan connection arsip yang belum dibuat.

**Bila gagal**:

* *Kesalahan konfigurasi* (tidak dicoba ulang): pesan di log menyebut connection atau tahun yang
  salah dan perintah untuk membuatnya; perbaiki, lalu *Clear* task itu.
* *Drive atau gudang data tidak dapat dihubungi*: dicoba ulang otomatis 2 kali; bila tetap gagal,
  periksa jaringan/connection `kinerja_drive` dan `kinerja_warehouse`, lalu *Clear*.
* Data yang salah tidak membuat run gagal: berkasnya ditolak dan PD mendapat umpan balik.

Connection: `kinerja_warehouse` (tanpa itu: SQLite bawaan), drive dari parameter `drive_conn_id`
(bawaan `kinerja_drive`; tanpa itu: drive contoh lokal).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable
from common.assets import SUBMISSIONS
from common.connections import DRIVE_CONN_ID
from common.params import smtp_param, tahun_param
from common.runs import TZ

WAREHOUSE_POOL = "kinerja_warehouse"
"""Bounds concurrent warehouse writers (created by `make airflow-db` and `airflow-init` with
KINERJA_WAREHOUSE_POOL_SLOTS slots; size it to the database). A run maps one batch of agencies'
files per slot (`Settings.warehouse_writers`): never one task per file."""


# Developer notes. The reporting year is the year before the run's date *in WIB*
# (`common.runs.reporting_year`): Airflow's dates are UTC, and the 00:00 WIB run of 1 January is
# still 31 December in UTC; backfill runs behave like scheduled ones. The timetable keeps
# `interval` at 0 (a yearly interval moves scheduled and backfill logical dates a year back).
# Bad data never raises (it is rejected); infrastructure errors are retried; configuration
# errors (`SetupError`) fail at once (`common.failures`).


def _drive_conn_id() -> str:
    return str(get_current_context()["params"].get("drive_conn_id") or DRIVE_CONN_ID)


def _drive():  # type: ignore[no-untyped-def]
    """The drive of the run's `drive_conn_id` (an archive for backfills); a named connection
    that does not exist fails at once, never a silent switch to the default drive."""
    from common.connections import drive_spec
    from common.failures import setup_errors_fail_at_once

    with setup_errors_fail_at_once():
        return drive_spec(_drive_conn_id(), required=_reads_archive())


def _reads_archive() -> bool:
    """A backfill, or a run pointed at another drive than the live one: an archive."""
    from common.runs import is_backfill

    return is_backfill(get_current_context()) or _drive_conn_id() != DRIVE_CONN_ID


@dag(
    dag_id="collect_submissions",
    dag_display_name="Kumpulkan data PD",
    description="Setiap 10 menit, Januari–Maret (WIB): ambil, periksa dan muat buku kerja PD",
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
            DRIVE_CONN_ID,
            type="string",
            description="Koneksi drive (mis. arsip tahun lampau untuk backfill)",
        ),
        "smtp_conn_id": smtp_param(),
    },
)
def collect_submissions() -> None:
    @task
    def prepare_warehouse() -> int:
        """Migrate the warehouse, refresh reference data; an archive must hold the year.
        Returns the reporting year."""
        from common.connections import runtime
        from common.failures import setup_errors_fail_at_once
        from common.runs import reporting_year
        from kinerja.pipeline import check_archive_year, open_run

        tahun = reporting_year(get_current_context())
        with setup_errors_fail_at_once():
            run = open_run(runtime(), tahun, _drive(), prepare=True)
            if _reads_archive():
                found = check_archive_year(run, _drive_conn_id())
                print(f"arsip {_drive_conn_id()}: {found} berkas untuk tahun {tahun}")
        return tahun

    @task
    def scan_drive(tahun: int) -> list[list[dict]]:  # type: ignore[type-arg]
        """New or changed files, in batches per agency (`Batch.to_json()`)."""
        from common.connections import runtime
        from kinerja.pipeline import open_run, plan_batches

        rt = runtime()
        todo, skipped = open_run(rt, tahun, _drive()).scan()
        print(f"{len(todo)} berkas baru/berubah, {len(skipped)} dilewati")
        return [b.to_json() for b in plan_batches(todo, rt.settings.warehouse_writers)]

    @task(map_index_template="{{ batch_label }}", pool=WAREHOUSE_POOL)
    def process_batch(batch: list[dict], tahun: int) -> list[dict]:  # type: ignore[type-arg]
        """Check, validate and load one batch of files (`FileResult.to_json()` each)."""
        from common.connections import runtime
        from common.lineage import report_lineage
        from kinerja.handover import Batch
        from kinerja.lineage import collect_datasets
        from kinerja.pipeline import open_run, process_batch

        files = Batch.from_json(batch)
        get_current_context()["batch_label"] = files.label()  # type: ignore[literal-required]
        run = open_run(runtime(), tahun, _drive())
        done = [r.to_json() for r in process_batch(run, files)]
        report_lineage(collect_datasets(done, run.drive, str(run.engine.url)))
        return done

    @task(multiple_outputs=False)
    def summarize(results: list[list[dict]], tahun: int) -> dict:  # type: ignore[type-arg]
        """Log the year's status; returns what changed (`Changes.to_json()`)."""
        from common.connections import runtime
        from kinerja.handover import Changes, FileResult
        from kinerja.pipeline import summary_lines

        # One slice request; iterating the lazy sequence asks for one item past the end and the
        # client logs that 404 as an error ("XCom not found") in a successful run.
        flat = [FileResult.from_json(o) for batch in results[:] for o in batch]
        for line in summary_lines(runtime(read_only=True), tahun):
            print(line)
        return Changes.of(tahun, flat).to_json()

    @task(outlets=[SUBMISSIONS], multiple_outputs=False)
    def announce_changes(changes: dict) -> dict:  # type: ignore[type-arg]
        """When files were loaded or rejected: the `kinerja_submissions` event for the year, as
        its asset partition, so the reports are built for that year (one run per year). Nothing
        changed: skipped, and no rebuild is asked for."""
        from airflow.sdk.exceptions import AirflowSkipException
        from common.runs import announce_year
        from kinerja.handover import Changes

        changed = Changes.from_json(changes)
        if not changed.any:
            raise AirflowSkipException(
                f"tahun {changed.tahun}: tidak ada berkas baru, laporan tidak disusun ulang"
            )
        announce_year(get_current_context(), SUBMISSIONS, changed.tahun, changed.to_json())
        return changed.to_json()

    @task(trigger_rule="all_done", multiple_outputs=False)
    def mail_feedback(tahun: int) -> dict:  # type: ignore[type-arg]
        """Mail each processed version's feedback to its agency, once; never fails the run."""
        from airflow.sdk.exceptions import AirflowSkipException
        from common.connections import runtime
        from common.mail import send_file_feedback, smtp_conn_id
        from common.runs import is_backfill

        context = get_current_context()
        if is_backfill(context):
            raise AirflowSkipException("backfill: umpan balik tahun lampau tidak dikirim lewat e-mail")
        conn_id = smtp_conn_id(context["params"]["smtp_conn_id"])
        return send_file_feedback(tahun, conn_id, runtime(migrated=True))

    @task(trigger_rule="all_done", multiple_outputs=False)
    def read_bounces() -> dict:  # type: ignore[type-arg]
        """Mail bounced later (delivery reports in the sender's mailbox, connection `kinerja_imap`)
        onto the sent-ledger, so the status board shows it; never fails the run."""
        from airflow.sdk.exceptions import AirflowSkipException
        from common.connections import runtime
        from common.mail import read_mail_bounces
        from common.runs import is_backfill

        if is_backfill(get_current_context()):
            raise AirflowSkipException("backfill: kotak surat tidak dibaca")
        return read_mail_bounces(runtime(migrated=True))

    tahun = prepare_warehouse()
    batches = scan_drive(tahun)
    results = process_batch.partial(tahun=tahun).expand(batch=batches)
    announce_changes(summarize(results, tahun))
    results >> mail_feedback(tahun) >> read_bounces()


collect_submissions()
