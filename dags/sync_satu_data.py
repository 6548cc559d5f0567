"""
### Sinkronkan Satu Data

Menerbitkan tabel yang sudah disetujui tim ahli untuk satu tahun pelaporan ke portal Satu Data
kota (CKAN): organisasi per PD (atau walidata), dataset per tabel dengan metadatanya, tabel
DataStore semua tahun dan satu CSV per tahun. Yang dikirim hanya folder `satu-data/` dari
laporan terbit, diperiksa ulang agar tidak memuat data pribadi.

**Kapan**: setiap kali laporan suatu tahun disetujui (satu run per tahun; kolom *Partition key*
= tahun). Run manual: isi `tahun`; `dry_run` hanya menampilkan rencana tanpa menulis.

**Perlu** connection `satu_data_ckan` (tipe http): host = alamat portal, password = token API.
Tanpa itu run gagal sekali, tanpa dicoba ulang, dengan perintah untuk membuatnya:
`airflow connections add satu_data_ckan --conn-type http --conn-host https://data.kota.example
--conn-password '<token API>'`; lalu *Clear* task yang gagal.

**Bila gagal** karena portal tidak menjawab (batas waktu, galat 5xx): dicoba ulang 3 kali dengan
jeda yang makin panjang. Run ulang tidak menulis apa pun yang sudah sama di portal, dan run yang
terhenti melanjutkan dari titik berhentinya.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, PartitionedAssetTimetable, dag, get_current_context, task
from common.assets import REPORTS_APPROVED, SATU_DATA
from common.params import tahun_param


@dag(
    dag_id="sync_satu_data",
    dag_display_name="Sinkronkan Satu Data",
    description="Per tahun, setelah laporan disetujui: terbitkan tabelnya ke portal Satu Data (CKAN)",
    schedule=PartitionedAssetTimetable(assets=REPORTS_APPROVED),
    start_date=None,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["kinerja", "satu-data"],
    default_args={"retries": 3, "retry_delay": timedelta(minutes=2), "retry_exponential_backoff": True},
    params={
        "tahun": tahun_param("Tahun pelaporan (kosong: dari peristiwa aset laporan disetujui)"),
        "dry_run": Param(False, type="boolean", description="Hanya tampilkan rencana, tanpa menulis"),
    },
)
def sync_satu_data() -> None:
    @task(outlets=[SATU_DATA], multiple_outputs=False)
    def publish_to_portal() -> dict:  # type: ignore[type-arg]
        """Plan against the portal's content hashes, then create / update what changed."""
        from common.connections import ckan_portal
        from common.failures import setup_errors_fail_at_once
        from common.lineage import report_lineage
        from common.runs import event_years
        from kinerja.config import Settings, SetupError
        from kinerja.lineage import sync_datasets
        from kinerja.pipeline import sync_satu_data as sync

        context = get_current_context()
        years = event_years(context)
        dry_run = bool(context["params"]["dry_run"])
        with setup_errors_fail_at_once():
            if not years:
                raise SetupError("tahun tidak diketahui: jalankan manual dengan parameter tahun")
            portal = ckan_portal()
        settings = Settings.from_env()  # the task's settings (no warehouse or catalogue needed)
        synced = [sync(settings, t, portal.url, portal.api_token, dry_run=dry_run) for t in years]
        for r in synced:
            print(f"Satu Data {r.result.tahun}: {r.result.counts()}")
            if not r.result.dry_run:
                report_lineage(sync_datasets(r.folder, r.result.portal))
        results = [r.brief() for r in synced]
        context["outlet_events"][SATU_DATA].extra = {"tahun": years, "jumlah": [r["jumlah"] for r in results]}
        return {"hasil": results}

    publish_to_portal()


sync_satu_data()
