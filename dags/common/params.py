"""The run parameters the DAGs share, defined once."""

from __future__ import annotations

from airflow.sdk import Param
from kinerja.sources.connections import SMTP_CONN_ID

TAHUN_HELP = "Tahun pelaporan (kosong: tahun sebelum tanggal run, WIB)"


def tahun_param(description: str = TAHUN_HELP) -> Param:
    """The reporting year of a manual run; empty means: derive it from the run."""
    return Param(None, type=["null", "integer"], minimum=2000, maximum=2100, description=description)


def tanggal_param() -> Param:
    """Act as if the run were on another day (for reruns and tests)."""
    return Param(
        None,
        type=["null", "string"],
        format="date",
        description="Bertindak seolah-olah pada tanggal ini (kosong: tanggal run, WIB)",
    )


def smtp_param() -> Param:
    return Param(SMTP_CONN_ID, type="string", description="Koneksi SMTP")
