"""The same migrations and the same collection on the real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kinerja.catalog import Catalog
from kinerja.sample import SampleShares, generate_year
from kinerja.status.spm import spm_for_year
from kinerja.warehouse.models import metadata
from sqlalchemy import Engine

from ..conftest import SMALL_SET, make_run
from ..unit.test_collect import table_checksums

pytestmark = pytest.mark.integration


def test_migrations_match_the_models_on_postgres(pg_engine: Engine) -> None:
    with pg_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], diff


def test_migrations_match_the_models_on_sqlite(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], diff


def test_postgres_and_sqlite_warehouses_agree(
    catalog: Catalog, pg_engine: Engine, sqlite_engine: Engine, tmp_path: Path
) -> None:
    drive = tmp_path / "drive"
    generate_year(
        catalog,
        2025,
        drive,
        seed=8,
        only=SMALL_SET,
        shares=SampleShares(late=0.2, missing=0, defective=0.3),
    )
    pg = [o.to_json() for o in make_run(pg_engine, drive, catalog, tmp_path).run()]
    lite = [o.to_json() for o in make_run(sqlite_engine, drive, catalog, tmp_path).run()]
    assert pg == lite
    assert spm_for_year(pg_engine, catalog, 2025) == spm_for_year(sqlite_engine, catalog, 2025)
    before = table_checksums(pg_engine)
    again = make_run(pg_engine, drive, catalog, tmp_path).run()
    assert {o.status for o in again} == {"unchanged"}
    assert table_checksums(pg_engine) == before
