"""Look up the project's Airflow Connections; what their fields mean is in
`kinerja.sources.connections` (shared with the UI plugin). No secrets in code.

A missing connection falls back to the embedded defaults (SQLite file, local sample drive),
so the demo runs with no connection defined.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kinerja.config import SetupError
from kinerja.sources.connections import (
    DRIVE_CONN_ID,
    SATU_DATA_CONN_ID,
    SMTP_CONN_ID,
    WAREHOUSE_CONN_ID,
    WAREHOUSE_READ_CONN_ID,
    DriveSpec,
    PortalSpec,
)
from kinerja.sources.connections import ckan_portal as _ckan_portal
from kinerja.sources.connections import drive_spec as _drive_spec
from kinerja.sources.connections import warehouse_url as _warehouse_url

if TYPE_CHECKING:
    from kinerja.runtime import Runtime

__all__ = [
    "DRIVE_CONN_ID",
    "SATU_DATA_CONN_ID",
    "SMTP_CONN_ID",
    "WAREHOUSE_CONN_ID",
    "WAREHOUSE_READ_CONN_ID",
    "DriveSpec",
    "PortalSpec",
    "ckan_portal",
    "connection",
    "drive_spec",
    "runtime",
    "warehouse_read_url",
    "warehouse_url",
]


def connection(conn_id: str) -> Any:
    """The Airflow Connection `conn_id`, or None when it is not defined."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def warehouse_url(conn_id: str = WAREHOUSE_CONN_ID) -> str | None:
    """SQLAlchemy URL of the warehouse connection, or None for the default."""
    return _warehouse_url(connection(conn_id))


def warehouse_read_url() -> str | None:
    """The reports' read-only login (`kinerja_warehouse_read`, a member of kinerja_reader);
    without it the warehouse connection, and without that the default."""
    return _warehouse_url(connection(WAREHOUSE_READ_CONN_ID)) or warehouse_url()


def drive_spec(conn_id: str = DRIVE_CONN_ID, required: bool = False) -> DriveSpec:
    """The shared drive of the connection (fs, samba, sftp), or the default local drive.
    `required` (an archive for a backfill): a missing connection is a `SetupError` naming the
    command that creates it, never a silent switch to the default drive."""
    conn = connection(conn_id)
    if conn is None and required:
        raise SetupError(
            f"Connection drive/arsip {conn_id!r} belum dibuat. Buat dengan: airflow connections add "
            f'{conn_id} --conn-type fs --conn-extra \'{{"path": "/jalur/arsip"}}\' '
            "(atau jalankan make backfill TAHUN=... ARSIP=/jalur/arsip, yang membuatnya)"
        )
    return _drive_spec(conn)


def ckan_portal(conn_id: str = SATU_DATA_CONN_ID) -> PortalSpec:
    """The Satu Data portal; unlike the warehouse there is no default: publishing needs one
    (a `SetupError` naming the connection and the command otherwise)."""
    return _ckan_portal(connection(conn_id), conn_id)


def runtime(*, read_only: bool = False, migrated: bool = False) -> Runtime:
    """The task's `kinerja.runtime.Runtime`, built once and handed to `include/`: the settings,
    the catalogue and the warehouse of the connections (`read_only`: the reports' login,
    `warehouse_read_url`), else of the settings."""
    from kinerja.runtime import Runtime

    url = warehouse_read_url() if read_only else warehouse_url()
    return Runtime.open(warehouse_url=url, read_only=read_only, migrated=migrated)
