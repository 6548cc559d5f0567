"""Fixtures for the tests under tests/integration/; the shared ones, the CKAN portal included
(tests/dags uses it too, and one portal serves the whole session), are in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kinerja.catalog import Catalog
from sqlalchemy import Engine

from tests.support.driver_client import CollectDriver, collect_driver
from tests.support.warehouse_state import PgDatabases


@pytest.fixture(scope="module")
def pg_databases(pg_admin: Engine, catalog: Catalog) -> Iterator[PgDatabases]:
    """Fresh warehouses for one test module, cloned from a migrated template; dropped afterwards."""
    dbs = PgDatabases(pg_admin, catalog)
    try:
        yield dbs
    finally:
        dbs.drop_all()


@pytest.fixture(scope="module")
def collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CollectDriver]:
    """One collection driver process for a test module (tests/support/crash_driver.py)."""
    with collect_driver(tmp_path_factory.mktemp("driver-data")) as d:
        yield d
