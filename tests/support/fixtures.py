"""The fixtures that reach a server, shared by tests/integration, tests/dags and tests/rehearsal
(tests/conftest.py imports them, so one CKAN portal serves the whole session). What they start is
imported when a test asks for it, so a run of `tests/unit` loads none of it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from kinerja.catalog import Catalog
from kinerja.warehouse.db import engine_for, migrate
from kinerja.warehouse.load import sync_reference
from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from tests.support.ckan_server import CkanServer
    from tests.support.fault_proxy import FaultProxy

PG_ADMIN_URL = os.environ.get("KINERJA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

SERVER_FIXTURES = frozenset({"pg_admin", "pg_engine", "ckan_server", "ckan_fault_proxy"})
"""The fixtures of this module; a test under tests/unit may not ask for them."""


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    engine = engine_for(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except Exception as exc:  # pragma: no cover - CI starts the cluster (.ci/run)
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_admin: Engine, catalog: Catalog) -> Iterator[Engine]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name = f"kinerja_test_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = engine_for(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        migrate(engine)
        sync_reference(engine, catalog)
        yield engine
    finally:
        engine.dispose()
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def ckan_server(pg_admin: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CkanServer]:
    """One real CKAN portal per session (tests/support/ckan_server.py)."""
    from tests.support.ckan_server import running_ckan

    with running_ckan(pg_admin, tmp_path_factory.mktemp("ckan")) as server:
        yield server


@pytest.fixture
def ckan_fault_proxy(ckan_server: CkanServer) -> Iterator[FaultProxy]:
    """A FaultProxy in front of the portal, for one test: `ckan_server.client(url=proxy.url)`."""
    from tests.support.fault_proxy import FaultProxy

    with FaultProxy(ckan_server.url) as proxy:
        yield proxy
