"""Look up the project's Airflow Connections; what their fields mean is in
`kinerja.sources.connections` (shared with the UI plugin). No secrets in code.

A missing connection falls back to the embedded defaults (SQLite file, local sample drive),
so the demo runs with no connection defined.
"""

from __future__ import annotations

from typing import Any

from kinerja.sources.connections import DriveSpec, PortalSpec
from kinerja.sources.connections import ckan_portal as _ckan_portal
from kinerja.sources.connections import drive_spec as _drive_spec
from kinerja.sources.connections import warehouse_url as _warehouse_url

WAREHOUSE_CONN_ID = "kinerja_warehouse"
WAREHOUSE_READ_CONN_ID = "kinerja_warehouse_read"
DRIVE_CONN_ID = "kinerja_drive"
SATU_DATA_CONN_ID = "satu_data_ckan"

__all__ = [
    "DRIVE_CONN_ID",
    "SATU_DATA_CONN_ID",
    "WAREHOUSE_CONN_ID",
    "WAREHOUSE_READ_CONN_ID",
    "DriveSpec",
    "PortalSpec",
    "ckan_portal",
    "connection",
    "drive_spec",
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


def drive_spec(conn_id: str = DRIVE_CONN_ID) -> DriveSpec:
    """The shared drive of the connection (fs, samba, sftp), or the default local drive."""
    return _drive_spec(connection(conn_id))


def ckan_portal(conn_id: str = SATU_DATA_CONN_ID) -> PortalSpec:
    """The Satu Data portal; unlike the warehouse there is no default: publishing needs one."""
    return _ckan_portal(connection(conn_id))
