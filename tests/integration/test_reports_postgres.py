"""The year's figures read from PostgreSQL equal those read from SQLite (moved from
tests/unit/test_reports_outputs.py, whose year loader it uses: it needs the PostgreSQL server)."""

from __future__ import annotations

import pytest
from kinerja.catalog import Catalog
from kinerja.reports.tables import city_tables
from kinerja.reports.year import build_year
from sqlalchemy import Engine

from ..unit.test_reports_outputs import _hostile, load_year


@pytest.mark.integration
def test_postgresql_gives_the_same_figures_as_sqlite(
    catalog: Catalog, sqlite_engine: Engine, pg_engine: Engine
) -> None:
    from kinerja.reports.headline import headline
    from kinerja.reports.tables import pd_tables

    for engine in (sqlite_engine, pg_engine):
        load_year(engine, catalog, 2024, seed=4)
        load_year(engine, catalog, 2025, seed=5, edit=_hostile)
    lite, pg = build_year(sqlite_engine, catalog, 2025), build_year(pg_engine, catalog, 2025)
    assert headline(lite) == headline(pg)
    assert [t.rows for t in city_tables(lite)] == [t.rows for t in city_tables(pg)]
    assert [t.rows for t in pd_tables(lite, "DINKES")] == [t.rows for t in pd_tables(pg, "DINKES")]
