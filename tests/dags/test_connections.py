"""Airflow Connections become drive, warehouse and portal URLs; secrets stay out of URLs."""

from __future__ import annotations

import json
import sys

import pytest

from .conftest import DAGS

sys.path.insert(0, str(DAGS))
from common.connections import (
    DriveSpec,
    PortalSpec,
    ckan_portal,
    drive_spec,
    warehouse_read_url,
    warehouse_url,
)


@pytest.mark.parametrize(
    ("conn", "expected"),
    [
        ({"conn_type": "fs", "extra": {"path": "/srv/drive"}}, DriveSpec("/srv/drive")),
        (
            {
                "conn_type": "samba",
                "host": "10.0.0.5",
                "port": 445,
                "login": "kinerja",
                "password": "s3cret",
                "schema": "laporan",
                "extra": {"root": "pd"},
            },
            DriveSpec("smb://kinerja@10.0.0.5:445/laporan/pd", "s3cret"),
        ),
        (
            {
                "conn_type": "sftp",
                "host": "files.example",
                "login": "tapem",
                "password": "pw",
                "extra": {"root": "data/laporan"},
            },
            DriveSpec("sftp://tapem@files.example/data/laporan", "pw"),
        ),
    ],
)
def test_drive_connections(
    conn: dict,
    expected: DriveSpec,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_KINERJA_DRIVE", json.dumps(conn))
    spec = drive_spec()
    assert spec == expected
    assert "s3cret" not in (spec.url or "")


def test_missing_connections_mean_the_embedded_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_KINERJA_DRIVE", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_KINERJA_WAREHOUSE", raising=False)
    assert drive_spec() == DriveSpec(None)
    assert warehouse_url() is None


def test_postgres_warehouse_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_KINERJA_WAREHOUSE", "postgres://loader:pw@db.example:5432/kinerja")
    assert warehouse_url() == "postgresql+psycopg://loader:pw@db.example:5432/kinerja"


@pytest.mark.parametrize(
    ("conn", "expected"),
    [
        (
            {"conn_type": "http", "host": "data.kota.example", "password": "tok"},
            PortalSpec("https://data.kota.example", "tok"),
        ),
        (
            {
                "conn_type": "http",
                "host": "127.0.0.1",
                "port": 5000,
                "schema": "http",
                "extra": {"api_token": "t"},
            },
            PortalSpec("http://127.0.0.1:5000", "t"),
        ),
        (
            {"conn_type": "http", "host": "https://data.kota.example/", "password": "tok"},
            PortalSpec("https://data.kota.example", "tok"),
        ),
    ],
)
def test_satu_data_portal_connection(
    conn: dict,  # type: ignore[type-arg]
    expected: PortalSpec,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_SATU_DATA_CKAN", json.dumps(conn))
    assert ckan_portal() == expected


def test_satu_data_portal_has_no_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_SATU_DATA_CKAN", raising=False)
    with pytest.raises(
        ValueError, match=r"'satu_data_ckan' belum dibuat.*airflow connections add satu_data_ckan"
    ):
        ckan_portal()


def test_reports_read_through_the_read_only_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_KINERJA_WAREHOUSE", "postgres://loader:pw@db.example:5432/kinerja")
    monkeypatch.delenv("AIRFLOW_CONN_KINERJA_WAREHOUSE_READ", raising=False)
    assert warehouse_read_url() == "postgresql+psycopg://loader:pw@db.example:5432/kinerja"
    monkeypatch.setenv("AIRFLOW_CONN_KINERJA_WAREHOUSE_READ", "postgres://laporan:pw@db.example:5432/kinerja")
    assert warehouse_read_url() == "postgresql+psycopg://laporan:pw@db.example:5432/kinerja"
