"""Turn Airflow Connections into what `kinerja` takes (URLs and paths); no secrets in code.

A missing connection falls back to the embedded defaults (SQLite file, local sample drive),
so the demo runs with no connection defined.
"""

from __future__ import annotations

WAREHOUSE_CONN_ID = "kinerja_warehouse"
DRIVE_CONN_ID = "kinerja_drive"


def _connection(conn_id: str):  # type: ignore[no-untyped-def]
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def warehouse_url(conn_id: str = WAREHOUSE_CONN_ID) -> str | None:
    """SQLAlchemy URL of the warehouse connection (postgres or sqlite), or None for the default."""
    conn = _connection(conn_id)
    if conn is None:
        return None
    if conn.conn_type == "sqlite":
        return f"sqlite:///{conn.host}"
    uri = conn.get_uri()
    return uri.replace("postgres://", "postgresql+psycopg://", 1).replace(
        "postgresql://", "postgresql+psycopg://", 1
    )


def drive_root(conn_id: str = DRIVE_CONN_ID) -> str | None:
    """Root folder of a local ('fs') drive connection, or None for the default sample drive."""
    conn = _connection(conn_id)
    if conn is None:
        return None
    return str(conn.extra_dejson.get("path") or conn.host)
