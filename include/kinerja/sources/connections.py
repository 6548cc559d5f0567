"""What an Airflow Connection's fields mean for us: a warehouse URL, a drive URL, a CKAN portal.

Pure mapping, no Airflow import: the DAGs and the UI plugin look the Connection up themselves
and hand it here, so both read the same Connection the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from kinerja.config import SetupError

# The Airflow Connections the project reads, named once (DAGs, the UI plugin, the status board).
WAREHOUSE_CONN_ID = "kinerja_warehouse"
WAREHOUSE_READ_CONN_ID = "kinerja_warehouse_read"
"""The reports' read-only login (a member of `kinerja_reader`)."""
DRIVE_CONN_ID = "kinerja_drive"
SATU_DATA_CONN_ID = "satu_data_ckan"
SMTP_CONN_ID = "kinerja_smtp"
"""The e-mail server; without it the SMTP provider's `smtp_default`."""


class ConnectionLike(Protocol):
    conn_type: str
    host: str | None
    port: int | None
    login: str | None
    password: str | None
    schema: str | None

    @property
    def extra_dejson(self) -> dict[str, Any]: ...

    def get_uri(self) -> str: ...


@dataclass(frozen=True)
class DriveSpec:
    url: str | None
    """What `kinerja.sources.url.drive_from_url` takes, without the password; None: default."""
    password: str | None = None


def warehouse_url(conn: ConnectionLike | None) -> str | None:
    """SQLAlchemy URL of a postgres or sqlite connection, or None for the default warehouse."""
    if conn is None:
        return None
    if conn.conn_type == "sqlite":
        return f"sqlite:///{conn.host}"
    uri = conn.get_uri()
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


def drive_spec(conn: ConnectionLike | None) -> DriveSpec:
    """The shared drive of a connection: `fs` (extra `path`), `samba` (schema = share, extra
    `root`) or `sftp` (extra `root`, `key_file`, `host_key`). None: the default local drive."""
    if conn is None:
        return DriveSpec(None)
    extra = conn.extra_dejson
    if conn.conn_type == "fs":
        return DriveSpec(str(extra.get("path") or conn.host))
    root = str(extra.get("root") or "").strip("/")
    user = quote(conn.login or "", safe="")
    port = f":{conn.port}" if conn.port else ""
    if conn.conn_type == "samba":
        path = "/".join(p for p in (conn.schema, root) if p)
        return DriveSpec(f"smb://{user}@{conn.host}{port}/{path}", conn.password)
    if conn.conn_type in ("sftp", "ssh"):
        query = "&".join(
            f"{k}={quote(str(extra[k]), safe='')}" for k in ("key_file", "host_key") if extra.get(k)
        )
        return DriveSpec(
            f"sftp://{user}@{conn.host}{port}/{root}" + (f"?{query}" if query else ""), conn.password
        )
    raise ValueError(f"unsupported connection type {conn.conn_type!r} for a drive")


@dataclass(frozen=True)
class PortalSpec:
    url: str
    api_token: str | None


def ckan_portal(conn: ConnectionLike | None, conn_id: str = SATU_DATA_CONN_ID) -> PortalSpec:
    """The Satu Data (CKAN) portal of an `http` connection: host (with or without the scheme),
    schema = `https` (default) or `http`, port; the API token is the password (or extra
    `api_token`). No connection (or no host) is a `SetupError` naming what to create."""
    if conn is None or not conn.host:
        state = "belum dibuat" if conn is None else "belum diatur (host kosong)"
        raise SetupError(
            f"Koneksi portal Satu Data {conn_id!r} {state}. Buat dengan: airflow connections add "
            f"{conn_id} --conn-type http --conn-host https://data.kota.example "
            "--conn-password '<token API CKAN>' (atau di UI: Admin > Connections)"
        )
    host = conn.host.rstrip("/")
    if "://" not in host:
        port = f":{conn.port}" if conn.port else ""
        host = f"{conn.schema or 'https'}://{host}{port}"
    return PortalSpec(host, conn.password or conn.extra_dejson.get("api_token"))
