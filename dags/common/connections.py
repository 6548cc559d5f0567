"""Turn Airflow Connections into what `kinerja` takes (URLs); no secrets in code.

A missing connection falls back to the embedded defaults (SQLite file, local sample drive),
so the demo runs with no connection defined.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

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
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


@dataclass(frozen=True)
class DriveSpec:
    url: str | None
    """What `kinerja.sources.url.drive_from_url` takes, without the password."""
    password: str | None = None


def drive_spec(conn_id: str = DRIVE_CONN_ID) -> DriveSpec:
    """The shared drive of a connection: `fs` (extra `path`), `samba` (schema = share, extra
    `root`) or `sftp` (extra `root`, `key_file`, `host_key`). None: the sample drive."""
    conn = _connection(conn_id)
    if conn is None:
        return DriveSpec(None)
    extra = conn.extra_dejson
    root = str(extra.get("root") or "").strip("/")
    if conn.conn_type == "fs":
        return DriveSpec(str(extra.get("path") or conn.host))
    user = quote(conn.login or "", safe="")
    if conn.conn_type == "samba":
        port = f":{conn.port}" if conn.port else ""
        path = "/".join(p for p in (conn.schema, root) if p)
        return DriveSpec(f"smb://{user}@{conn.host}{port}/{path}", conn.password)
    if conn.conn_type in ("sftp", "ssh"):
        port = f":{conn.port}" if conn.port else ""
        query = "&".join(
            f"{k}={quote(str(extra[k]), safe='')}" for k in ("key_file", "host_key") if extra.get(k)
        )
        return DriveSpec(
            f"sftp://{user}@{conn.host}{port}/{root}" + (f"?{query}" if query else ""), conn.password
        )
    raise ValueError(f"connection {conn_id}: unsupported type {conn.conn_type!r} for a drive")
