"""Faults around a collection: two runs at once, the warehouse's PostgreSQL restarted mid-run, the SMB
server stopped mid-scan, the SMTP server gone mid-send. Each time the run fails (or waits) cleanly,
nothing is marked done that was not, and the next run completes everything exactly once: the
warehouse then equals a clean run's (warehouse_state.py), every file recorded once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kinerja.catalog import Catalog
from kinerja.intake.collect import CollectRun, FileOutcome
from kinerja.sample import SampleShares, generate_year
from kinerja.sources import LocalDrive
from kinerja.sources.base import DriveUnavailable
from sqlalchemy import Engine

from ..conftest import collected_sample_year, make_run
from .driver_client import CollectDriver, collect_driver
from .private_pg import PrivatePostgres, private_postgres
from .servers import Server, Smbd, stoppable_smb_server
from .warehouse_state import (
    PgDatabases,
    archive_problems,
    canonical_rows,
    copy_drive,
    differences,
    empty_warehouse,
    feedback_state,
    leftover_tmp,
    recorded_paths,
    versions_problems,
)

pytestmark = pytest.mark.integration

__all__ = ["stoppable_smb_server"]  # the fixture, imported for this module

AGENCIES = ("BAPPEDA", "DISDIKBUD")
SHARES = SampleShares(late=0.3, missing=0, defective=0.3, corrected=1)


@dataclass
class Clean:
    drive: Path
    paths: list[str]
    rows: dict[str, list[str]]
    feedback: dict[str, str]


@pytest.fixture(scope="module")
def databases(pg_admin: Engine, catalog: Catalog) -> Iterator[PgDatabases]:
    dbs = PgDatabases(pg_admin, catalog)
    try:
        yield dbs
    finally:
        dbs.drop_all()


@pytest.fixture(scope="module")
def clean(catalog: Catalog, databases: PgDatabases, tmp_path_factory: pytest.TempPathFactory) -> Clean:
    """A sample drive and what one uninterrupted run makes of it (in this process)."""
    from kinerja.warehouse.db import engine_for

    base = tmp_path_factory.mktemp("clean")
    files = generate_year(catalog, 2025, base / "pristine", seed=5, only=AGENCIES, shares=SHARES)
    copy_drive(base / "pristine", base / "drive")
    engine = engine_for(databases.fresh())
    try:
        make_run(engine, base / "drive", catalog, base).run()
        assert versions_problems(engine, [f.path for f in files]) == []
        rows = canonical_rows(engine)
    finally:
        engine.dispose()
    return Clean(base / "pristine", [f.path for f in files], rows, feedback_state(base / "drive"))


def assert_like_clean(engine: Engine, clean: Clean, drive: Path, archive: Path) -> None:
    assert differences(engine, clean.rows) == {}
    assert versions_problems(engine, clean.paths) == []
    assert feedback_state(drive) == clean.feedback
    assert archive_problems(archive, engine) == []


# --- two runs at once -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CollectDriver]:
    with collect_driver(tmp_path_factory.mktemp("driver-data")) as d:
        yield d


@pytest.mark.parametrize("attempt", range(3))
def test_two_runs_at_once_give_the_result_of_one(
    attempt: int, driver: CollectDriver, databases: PgDatabases, clean: Clean, tmp_path: Path
) -> None:
    """Two processes collect the same year into the same warehouse, started together: each file
    is handled by exactly one of them, and the warehouse is a clean run's."""
    from kinerja.warehouse.db import engine_for

    drive, archive = tmp_path / "drive", tmp_path / "archive"
    copy_drive(clean.drive, drive)
    url = databases.fresh() if attempt == 0 else databases.url(databases.made[-1])
    empty_warehouse(url)
    first, second = driver.collect(url, drive, archive, children=2)
    assert (first["exit"], second["exit"]) == (0, 0), first["error"] or second["error"]
    handled = Counter(o["path"] for o in first["outcomes"] + second["outcomes"] if o["status"] != "unchanged")
    assert handled == Counter(clean.paths), "each file handled by exactly one run"
    engine = engine_for(url)
    try:
        assert_like_clean(engine, clean, drive, archive)
    finally:
        engine.dispose()


def test_two_runs_at_once_on_sqlite_give_the_result_of_one(
    driver: CollectDriver, catalog: Catalog, clean: Clean, tmp_path: Path
) -> None:
    """The embedded warehouse: SQLite's write lock serialises the two runs file by file. (SQLite
    stores times unlike PostgreSQL, so the clean run to compare with is one on SQLite too.)"""
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference

    engines = {}
    for name in ("alone", "racing"):
        engine = engines[name] = engine_for(f"sqlite:///{tmp_path / name / 'warehouse.db'}")
        migrate(engine)
        sync_reference(engine, catalog)
        copy_drive(clean.drive, tmp_path / name / "drive")
    try:
        (alone,) = driver.collect(
            str(engines["alone"].url), tmp_path / "alone/drive", tmp_path / "alone/archive"
        )
        assert alone["exit"] == 0, alone["error"]
        drive, archive = tmp_path / "racing/drive", tmp_path / "racing/archive"
        first, second = driver.collect(str(engines["racing"].url), drive, archive, children=2)
        assert (first["exit"], second["exit"]) == (0, 0), first["error"] or second["error"]
        handled = Counter(
            o["path"] for o in first["outcomes"] + second["outcomes"] if o["status"] != "unchanged"
        )
        assert handled == Counter(clean.paths), "each file handled by exactly one run"
        like_alone = Clean(
            clean.drive,
            clean.paths,
            canonical_rows(engines["alone"]),
            feedback_state(tmp_path / "alone/drive"),
        )
        assert_like_clean(engines["racing"], like_alone, drive, archive)
    finally:
        for engine in engines.values():
            engine.dispose()


# --- the warehouse's PostgreSQL restarted during a run --------------------------------------
class RestartingDrive(LocalDrive):
    """The local drive; its k-th write (feedback, inside the file's transaction) first restarts
    the warehouse's server, so that transaction's next statement meets a dead connection."""

    def __init__(self, root: Path, server: PrivatePostgres, k: int) -> None:
        super().__init__(root)
        self.server, self.left = server, k

    def write_bytes(self, path: str, data: bytes) -> None:
        self.left -= 1
        if self.left == 0:
            self.server.restart()
        super().write_bytes(path, data)


@pytest.mark.parametrize("moment", ["between_files", "inside_a_transaction"])
def test_postgres_restarted_during_a_run(moment: str, catalog: Catalog, clean: Clean, tmp_path: Path) -> None:
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    drive = tmp_path / "drive"
    copy_drive(clean.drive, drive)
    with private_postgres() as server:
        admin = engine_for(server.admin_url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE kinerja"))
        admin.dispose()
        engine = engine_for(server.admin_url.rsplit("/", 1)[0] + "/kinerja")
        try:
            migrate(engine)
            sync_reference(engine, catalog)
            run = make_run(engine, drive, catalog, tmp_path)
            done: list[FileOutcome] = []

            def on_file(outcome: FileOutcome) -> None:
                done.append(outcome)
                if moment == "between_files" and len(done) == 2:
                    server.restart()

            if moment == "inside_a_transaction":
                run.drive = RestartingDrive(drive, server, k=5)  # the 3rd file's feedback
            failure: Exception | None = None
            try:
                run.run(on_file=on_file)
            except DBAPIError as exc:
                failure = exc
            if moment == "inside_a_transaction":
                assert failure is not None, "the file's transaction died with its connection"
                assert len(done) == 2
            else:
                assert failure is None, "pool_pre_ping reconnects between files"
                assert len(done) == len(clean.paths)
            # Nothing marked done that was not done: the manifest holds exactly what was reported.
            recorded = recorded_paths(engine)
            assert recorded == {o.path for o in done}
            assert versions_problems(engine, []) == []
            again = make_run(engine, drive, catalog, tmp_path).run()
            assert {o.path for o in again if o.status != "unchanged"} == set(clean.paths) - recorded
            assert_like_clean(engine, clean, drive, tmp_path / "archive")
        finally:
            engine.dispose()


# --- the SMTP server gone in the middle of the reminders ------------------------------------
def _smtp_controller(handler: Any, port: int) -> Any:
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def test_smtp_server_gone_mid_send_then_back(catalog: Catalog, tmp_path: Path) -> None:
    """The real aiosmtpd server drops the connection after 3 messages and stays down for the retry;
    once back, the next run sends each remaining message, and none twice."""
    import smtplib
    from datetime import date

    from aiosmtpd.handlers import Mailbox
    from kinerja.notify import HEADER, dispatch, plan_day, unsent
    from kinerja.runtime import Runtime

    from .servers import free_port

    url, engine, _ = collected_sample_year(
        catalog, tmp_path, seed=4, shares=SampleShares(late=0.2, missing=0.2, defective=0.4, corrected=0)
    )
    maildir = tmp_path / "maildir"

    class GoesAwayAfter(Mailbox):
        """Delivers `n` messages, then drops the client's connection as a dying server does."""

        def __init__(self, n: int) -> None:
            super().__init__(maildir)
            self.left = n

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            if self.left == 0:
                server.transport.close()
                return "421 4.3.2 Service shutting down"
            self.left -= 1
            return str(await super().handle_DATA(server, session, envelope))

    def labels() -> list[str]:
        import mailbox

        return sorted(str(m[HEADER]) for m in mailbox.Maildir(maildir, create=False))

    runtime = Runtime.open(warehouse_url=url)
    try:
        planned = plan_day(runtime, 2025, date(2026, 1, 23))
        assert len(planned) > 3
        port = free_port()
        controller = _smtp_controller(GoesAwayAfter(3), port)
        try:
            with (
                pytest.raises((smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException)),
                smtplib.SMTP("127.0.0.1", port, timeout=10) as client,
            ):
                dispatch(client, planned, engine, sender="laporan@kinerja.example")
        finally:
            controller.stop()
        assert len(labels()) == 3
        assert len(unsent(engine, planned)) == len(planned) - 3, "only what the server took is recorded"
        # The retry while the server is down fails before sending anything, recording nothing.
        with pytest.raises(OSError):
            smtplib.SMTP("127.0.0.1", port, timeout=10)
        assert len(unsent(engine, planned)) == len(planned) - 3
        # The server is back: the next run sends the rest, each once.
        controller = _smtp_controller(Mailbox(maildir), port)
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                again = dispatch(
                    client,
                    plan_day(runtime, 2025, date(2026, 1, 23)),
                    engine,
                    sender="laporan@kinerja.example",
                )
        finally:
            controller.stop()
        assert len(again) == len(planned) - 3
        assert labels() == sorted(n.label for n in planned), "every message exactly once"
        assert plan_day(runtime, 2025, date(2026, 1, 23)) == []
    finally:
        runtime.engine.dispose()
        engine.dispose()


# --- the SMB server stopped in the middle of a run ------------------------------------------
class StopsWhileListing:
    """An SMB drive whose listing stops the server after `after` entries (mid-scan)."""

    def __init__(self, drive: Any, smbd: Smbd, after: int) -> None:
        self.drive, self.smbd, self.after, self.name = drive, smbd, after, drive.name

    def list_files(self, tahun: int) -> Iterator[Any]:
        return self.survey(tahun)

    def survey(self, tahun: int) -> Iterator[Any]:
        for i, f in enumerate(self.drive.survey(tahun)):
            if i == self.after:
                self.smbd.stop()
            yield f

    def read_bytes(self, path: str, max_bytes: int) -> bytes:
        return bytes(self.drive.read_bytes(path, max_bytes))

    def write_bytes(self, path: str, data: bytes) -> None:
        self.drive.write_bytes(path, data)


def _smb_run(engine: Engine, drive: Any, catalog: Catalog, base: Path) -> CollectRun:
    return CollectRun(
        tahun=2025,
        drive=drive,
        engine=engine,
        catalog=catalog,
        archive_dir=base / "archive",
        settle_seconds=0,
    )


@pytest.mark.parametrize("moment", ["mid_scan", "mid_processing"])
def test_smb_server_stopped_during_a_run(
    moment: str,
    stoppable_smb_server: tuple[Server, Smbd],
    catalog: Catalog,
    clean: Clean,
    tmp_path: Path,
) -> None:
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference

    server, smbd = stoppable_smb_server
    roots: dict[str, str] = {}
    engines: dict[str, Engine] = {}
    for name in ("clean", "faulty"):
        roots[name] = server.fresh_root()
        copy_drive(clean.drive / "2025", server.folder / roots[name] / "2025")
        engine = engines[name] = engine_for(f"sqlite:///{tmp_path / name / 'warehouse.db'}")
        migrate(engine)
        sync_reference(engine, catalog)
    drives = []
    try:
        # What an undisturbed run makes of the same files on the same server.
        drives.append(server.drive(roots["clean"]))
        _smb_run(engines["clean"], drives[-1], catalog, tmp_path / "clean").run()
        expected = Clean(
            clean.drive,
            clean.paths,
            canonical_rows(engines["clean"]),
            feedback_state(server.folder / roots["clean"]),
        )
        drives.append(server.drive(roots["faulty"]))
        run = _smb_run(engines["faulty"], drives[-1], catalog, tmp_path / "faulty")
        done: list[FileOutcome] = []

        def on_file(outcome: FileOutcome) -> None:
            done.append(outcome)
            if moment == "mid_processing" and len(done) == 3:
                smbd.stop()

        if moment == "mid_scan":
            run.drive = StopsWhileListing(drives[-1], smbd, after=2)  # inside the first agency's folder
        # However smbprotocol notices (the session's socket closed, the reconnection refused, a
        # socket error), the run fails with one clear error naming the share.
        with pytest.raises(DriveUnavailable, match="tidak dapat dihubungi") as failure:
            run.run(on_file=on_file)
        print(f"{moment}: the run failed with {type(failure.value).__name__}: {failure.value}")
        assert recorded_paths(engines["faulty"]) == {o.path for o in done}, "nothing marked done that was not"
        assert len(done) == (0 if moment == "mid_scan" else 3)
        smbd.start()
        drives.append(server.drive(roots["faulty"]))  # a new session, as the next task run opens
        again = _smb_run(engines["faulty"], drives[-1], catalog, tmp_path / "faulty").run()
        assert {o.path for o in again if o.status != "unchanged"} == set(clean.paths) - {o.path for o in done}
        assert differences(engines["faulty"], expected.rows) == {}
        assert versions_problems(engines["faulty"], clean.paths) == []
        assert feedback_state(server.folder / roots["faulty"]) == expected.feedback
        assert leftover_tmp(server.folder / roots["faulty"]) == []
        assert archive_problems(tmp_path / "faulty/archive", engines["faulty"]) == []
    finally:
        for d in drives:
            d.close()
        for engine in engines.values():
            engine.dispose()
