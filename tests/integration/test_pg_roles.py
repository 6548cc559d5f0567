"""Least privilege on the real PostgreSQL server (migration 0005).

Login users made members of `kinerja_reader` read every warehouse table and change nothing;
members of `kinerja_loader` run a collection but cannot change the schema; the reports build
from a reader's URL. The login users are temporary and dropped at teardown.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.cli import main
from kinerja.pipeline import build_year_reports, summary_lines
from kinerja.runtime import Runtime
from kinerja.sample import SampleShares, generate_year
from kinerja.warehouse.db import engine_for, migrate
from kinerja.warehouse.load import sync_reference
from kinerja.warehouse.models import metadata
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ..conftest import SMALL_SET, make_run
from ..unit.test_collect import table_checksums

pytestmark = pytest.mark.integration

INSUFFICIENT_PRIVILEGE = "42501"
Login = Callable[[str], str]


@pytest.fixture
def login(pg_engine: Engine, pg_admin: Engine) -> Iterator[Login]:
    """`login(role)`: the URL of a new temporary LOGIN user, member of `role`, on the test's
    database (the server trusts local connections: no password)."""
    users: list[str] = []

    def make(role: str) -> str:
        user = f"kinerja_t_{role.rsplit('_', 1)[-1]}_{uuid.uuid4().hex[:8]}"
        with pg_admin.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{user}" LOGIN IN ROLE {role}'))
        users.append(user)
        return make_url(pg_engine.url).set(username=user, password=None).render_as_string(hide_password=False)

    yield make
    for user in users:
        with pg_engine.begin() as conn:  # anything it might own in this database, then the role
            conn.execute(text(f'DROP OWNED BY "{user}"'))
        with pg_admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"), {"u": user}
            )
            conn.execute(text(f'DROP ROLE "{user}"'))


def _collected(engine: Engine, catalog: Catalog, tmp_path: Path, seed: int = 3) -> None:
    generate_year(
        catalog,
        2025,
        tmp_path / "drive",
        seed=seed,
        only=SMALL_SET,
        shares=SampleShares(late=0.2, missing=0, defective=0.3, corrected=1),
    )
    outcomes = make_run(engine, tmp_path / "drive", catalog, tmp_path).run()
    assert {o.status for o in outcomes} >= {"loaded", "rejected"}


def _denied(engine: Engine, sql: str) -> None:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text(sql))
    assert getattr(caught.value.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE, (sql, caught.value)


def _schema(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() ORDER BY 1, 2"
                )
            )
        ]


def test_the_migration_is_idempotent_and_the_roles_are_group_roles(pg_engine: Engine) -> None:
    migrate(pg_engine)  # again: roles exist already (another warehouse of the cluster made them)
    with pg_engine.connect() as conn:
        roles = conn.execute(
            text(
                "SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                "WHERE rolname IN ('kinerja_loader', 'kinerja_reader') ORDER BY 1"
            )
        ).all()
        public_create = conn.execute(
            text("SELECT has_schema_privilege('public', current_schema(), 'CREATE')")
        ).scalar()
    assert [tuple(r) for r in roles] == [
        ("kinerja_loader", False, False, False, False),
        ("kinerja_reader", False, False, False, False),
    ]
    assert public_create is False


def test_a_reader_reads_every_table_and_can_change_nothing(
    pg_engine: Engine, catalog: Catalog, tmp_path: Path, login: Login
) -> None:
    _collected(pg_engine, catalog, tmp_path)
    before = table_checksums(pg_engine)
    reader = engine_for(login("kinerja_reader"))
    try:
        tables = [t.name for t in metadata.sorted_tables] + ["alembic_version"]
        with reader.connect() as conn:
            counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        assert counts["submission"] and counts["fact_spm_penerima"], counts
        for t in tables:
            column = next(iter(metadata.tables[t].columns)).name if t in metadata.tables else "version_num"
            _denied(reader, f'INSERT INTO "{t}" DEFAULT VALUES')
            _denied(reader, f'UPDATE "{t}" SET "{column}" = "{column}"')
            _denied(reader, f'DELETE FROM "{t}"')
            _denied(reader, f'TRUNCATE "{t}"')
            _denied(reader, f'DROP TABLE "{t}"')
            _denied(reader, f'ALTER TABLE "{t}" ADD COLUMN x integer')
        _denied(reader, "CREATE TABLE public.ausgedacht (i integer)")
        _denied(reader, "SELECT nextval('submission_id_seq')")
        assert table_checksums(pg_engine) == before
    finally:
        reader.dispose()


def test_a_loader_collects_but_cannot_change_the_schema(
    pg_engine: Engine, catalog: Catalog, tmp_path: Path, login: Login
) -> None:
    loader = engine_for(login("kinerja_loader"))
    try:
        schema = _schema(pg_engine)
        migrate(loader)  # at head: only reads alembic_version, as the DAG's prepare step does
        sync_reference(loader, catalog)
        _collected(loader, catalog, tmp_path)
        with loader.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM submission_current")).scalar()
        _denied(loader, "CREATE TABLE public.ausgedacht (i integer)")
        _denied(loader, "DROP TABLE fact_spm_penerima")
        _denied(loader, "ALTER TABLE submission ADD COLUMN x integer")
        _denied(loader, "TRUNCATE submission_issue")
        _denied(loader, "CREATE INDEX ix_x ON submission (path)")
        assert _schema(pg_engine) == schema
    finally:
        loader.dispose()


def test_reports_build_from_a_reader_url(
    pg_engine: Engine, catalog: Catalog, tmp_path: Path, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    _collected(pg_engine, catalog, tmp_path, seed=4)
    before = table_checksums(pg_engine)
    # The writer's URL leads nowhere: everything below must go through the reader's.
    monkeypatch.setenv("KINERJA_WAREHOUSE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/nowhere")
    monkeypatch.setenv("KINERJA_WAREHOUSE_READ_URL", login("kinerja_reader"))
    monkeypatch.setenv("KINERJA_REPORTS_DIR", str(tmp_path / "reports"))
    out = tmp_path / "laporan"
    assert main(["report", "--year", "2025", "--out", str(out), "--json"]) == 0
    assert (out / "city.xlsx").is_file() and (out / "laporan.html").is_file()
    assert main(["status", "--year", "2025", "--json"]) == 0
    reader = Runtime.open(read_only=True)  # what a DAG task builds without connections
    built = build_year_reports(reader, 2025, "manual__roles")
    assert (Path(built.staging) / "laporan.pdf").is_file()
    assert summary_lines(reader, 2025)
    assert table_checksums(pg_engine) == before
