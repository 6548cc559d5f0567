"""Backfilling past years with Airflow's own backfill, through a real scheduler.

What a backfill run looks like on 3.3.2 (checked with `airflow backfill create`): the run for the
00:00 WIB tick of 1 January 2023 has `run_after` = `logical_date` = 2022-12-31T17:00Z. Dates are
UTC, so the reporting year must come from the run's date *in WIB* (2023 - 1 = 2022), never from
`.year` of the UTC date (2022 - 1 = 2021: the old code collected the wrong, empty year and
succeeded). `common.runs` does that; these tests pin it, then backfill two years end to end.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from kinerja.catalog import Catalog
from kinerja.sample import SampleShares, generate_year
from kinerja.warehouse.db import engine_for, migrate
from kinerja.warehouse.load import sync_reference
from kinerja.warehouse.models import FACT_TABLES, submission
from sqlalchemy import Engine, func, select

from ..conftest import make_run
from .conftest import DAGS, PROJECT

sys.path.insert(0, str(DAGS))
from common.runs import is_backfill, reporting_year, run_day

YEARS = (2022, 2023)
AGENCIES = ("DINKES", "KEC-MEDAN-KOTA")
"""Two agencies that together hand in SPM, LPPD and LKPJ: two mapped batches, one wave."""
HOST = "127.0.0.1"


def _context(run_after: datetime, run_type: str = "scheduled", **params: object) -> dict[str, Any]:
    return {"dag_run": SimpleNamespace(run_after=run_after, run_type=run_type), "params": params}


@pytest.mark.parametrize(
    ("run_after", "tahun"),
    [
        (datetime(2022, 12, 31, 17, 0, tzinfo=UTC), 2022),  # 1 Jan 2023 00:00 WIB: the backfill tick
        (datetime(2022, 12, 31, 16, 50, tzinfo=UTC), 2021),  # 31 Dec 2022 23:50 WIB
        (datetime(2026, 1, 26, 0, 0, tzinfo=UTC), 2025),
        (datetime(2026, 3, 31, 16, 59, tzinfo=UTC), 2025),
    ],
)
def test_reporting_year_is_taken_from_the_run_date_in_wib(run_after: datetime, tahun: int) -> None:
    assert reporting_year(_context(run_after, "backfill")) == tahun
    assert reporting_year(_context(run_after, tahun=2019)) == 2019
    assert run_day(_context(run_after, tanggal="2026-01-19")).isoformat() == "2026-01-19"


def test_backfill_runs_are_recognised() -> None:
    moment = datetime(2022, 12, 31, 17, tzinfo=UTC)
    assert is_backfill(_context(moment, "backfill"))
    assert not is_backfill(_context(moment, "scheduled")) and not is_backfill(_context(moment, "manual"))


# --- the real thing: api-server + scheduler (LocalExecutor) on 127.0.0.1 ----------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Airflow:
    """An Airflow of its own (home, SQLite metadata DB) whose servers the test stops."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home, self.env = home, env
        self.procs: list[tuple[subprocess.Popen[bytes], Path]] = []

    def cli(self, *argvs: list[str]) -> None:
        """Airflow CLI commands, in one process (each process costs seconds of imports)."""
        script = (
            "import sys, json; from airflow.cli.cli_parser import get_parser; p = get_parser()\n"
            "for argv in json.loads(sys.argv[1]):\n    a = p.parse_args(argv); a.func(a)"
        )
        out = subprocess.run(
            [sys.executable, "-c", script, json.dumps(argvs)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if out.returncode:
            raise AssertionError(f"airflow {argvs} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")

    def start(self, name: str, *args: str) -> None:
        log = self.home / f"{name}.log"
        with log.open("wb") as f:
            proc = subprocess.Popen(
                [sys.executable, "-m", "airflow", *args],
                env=self.env,
                stdout=f,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs.append((proc, log))

    def stop(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, _ in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def logs(self) -> str:
        parts = [f"--- {log.name}\n" + log.read_text(errors="replace")[-4000:] for _, log in self.procs]
        for task_log in sorted((self.home / "logs").rglob("*.log"))[-4:]:
            parts.append(f"--- {task_log}\n" + task_log.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    def query(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.home / "airflow.db", timeout=30) as db:
            return db.execute(sql, args).fetchall()


@pytest.fixture
def airflow(tmp_path: Path) -> Iterator[Airflow]:
    home = tmp_path / "airflow"
    home.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "KINERJA_"))}
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{HOST}:{port}/execution/",
            "AIRFLOW__API__HOST": HOST,
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            # no airflow.cfg is written (the CLI runs in-process): every component needs the same keys
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "GX_ANALYTICS_ENABLED": "False",
            "KINERJA_DATA_DIR": str(tmp_path / "data"),
            "KINERJA_WAREHOUSE_URL": f"sqlite:///{tmp_path / 'warehouse.db'}",
            "KINERJA_SETTLE_SECONDS": "0",
            "KINERJA_DATA_DOCS": "0",
            # the archive of past years, laid out like the drive: <root>/<tahun>/<KODE_PD>/...
            "AIRFLOW_CONN_KINERJA_ARSIP": json.dumps(
                {"conn_type": "fs", "extra": {"path": str(tmp_path / "arsip")}}
            ),
        }
    )
    af = Airflow(home, env)
    af.cli(
        ["db", "migrate"],
        ["pools", "set", "kinerja_warehouse", "2", "warehouse writers"],
        ["dags", "reserialize"],
        ["dags", "unpause", "collect_submissions"],  # queued backfill runs wait while a DAG is paused
    )
    try:
        af.start("api-server", "api-server", "--host", HOST, "--port", str(port))
        af.start("scheduler", "scheduler", "--skip-serve-logs")
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://{HOST}:{port}/api/v2/monitor/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or any(p.poll() is not None for p, _ in af.procs):
                    raise AssertionError("Airflow did not start:\n" + af.logs()) from None
                time.sleep(0.5)
        yield af
    finally:
        af.stop()


def _backfill_year(af: Airflow, tahun: int, timeout: float = 150) -> None:
    """The README's command for one reporting year; waits until its run has finished.

    Airflow allows one running backfill per DAG and marks a backfill complete on a 30 s timer
    after its runs ended: the next year's `backfill create` is retried until it is accepted."""
    tick = f"{tahun + 1}-01-01T00:00:00+07:00"
    command = [
        "backfill",
        "create",
        "--dag-id",
        "collect_submissions",
        "--from-date",
        tick,
        "--to-date",
        tick,
    ]
    command += ["--dag-run-conf", '{"drive_conn_id": "kinerja_arsip"}']
    deadline = time.monotonic() + timeout
    while True:
        try:
            af.cli(command)
            break
        except AssertionError as exc:
            if "Another backfill is running" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(2)
    while time.monotonic() < deadline:
        state = af.query("select state from dag_run where run_id = ?", f"backfill__{tick}")
        if state == [("success",)]:
            return
        bad = af.query("select task_id, state from task_instance where state in ('failed', 'up_for_retry')")
        if bad or state == [("failed",)]:
            raise AssertionError(f"backfill {tahun}: {state} {bad}\n{af.logs()}")
        time.sleep(1)
    raise AssertionError(f"backfill {tahun} did not finish in {timeout:.0f} s\n{af.logs()}")


def _facts_per_year(engine: Engine) -> dict[tuple[str, int], int]:
    with engine.connect() as conn:
        return {
            (name, r.tahun): r.n
            for name, t in FACT_TABLES.items()
            for r in conn.execute(select(t.c.tahun, func.count().label("n")).group_by(t.c.tahun))
        }


@pytest.mark.integration
@pytest.mark.timeout(240)
def test_backfill_of_two_years_loads_each_year_on_its_own(
    airflow: Airflow, catalog: Catalog, tmp_path: Path
) -> None:
    files = {
        tahun: generate_year(
            catalog,
            tahun,
            tmp_path / "arsip",
            seed=tahun,
            only=AGENCIES,
            shares=SampleShares(late=0.2, missing=0, defective=0.25, corrected=0),
        )
        for tahun in YEARS
    }
    for tahun in YEARS:  # one running backfill per DAG: one year after the other
        _backfill_year(airflow, tahun)

    runs = airflow.query(
        "select run_id, run_type, state, run_after, logical_date from dag_run "
        "where dag_id = 'collect_submissions' order by run_after"
    )
    assert [(r[1], r[2]) for r in runs] == [("backfill", "success")] * 2
    # the runs' dates are UTC: 31 December 17:00, i.e. 1 January 00:00 WIB of the next year
    assert [str(r[3])[:19] for r in runs] == ["2022-12-31 17:00:00", "2023-12-31 17:00:00"]
    assert [str(r[4])[:19] for r in runs] == ["2022-12-31 17:00:00", "2023-12-31 17:00:00"]
    years = airflow.query(
        "select x.value from xcom x join dag_run d on d.id = x.dag_run_id "
        "where x.task_id = 'prepare_warehouse' order by d.run_after"
    )
    assert [json.loads(str(v)) for (v,) in years] == list(YEARS)

    warehouse = engine_for(airflow.env["KINERJA_WAREHOUSE_URL"])
    with warehouse.connect() as conn:
        rows = conn.execute(
            select(submission.c.tahun, submission.c.kode_pd, submission.c.path, submission.c.status)
        )
        seen = {(r.tahun, r.path): r for r in rows}
        for name, t in FACT_TABLES.items():
            crossing = conn.execute(
                select(func.count())
                .select_from(t.join(submission, submission.c.id == t.c.submission_id))
                .where((t.c.tahun != submission.c.tahun) | (t.c.kode_pd != submission.c.kode_pd))
            ).scalar()
            assert crossing == 0, name
    for (tahun, path), r in seen.items():
        assert path.split("/")[:2] == [str(tahun), r.kode_pd], path  # the folder's year and agency
    for tahun in YEARS:
        expected = {f.path: ("rejected" if f.kind.startswith("defect") else "loaded") for f in files[tahun]}
        assert {p: r.status for (t, p), r in seen.items() if t == tahun} == expected

    # the same archive collected in-process, one year at a time, gives the same facts per year
    reference = engine_for(f"sqlite:///{tmp_path / 'reference.db'}")
    migrate(reference)
    sync_reference(reference, catalog)
    for tahun in YEARS:
        make_run(reference, tmp_path / "arsip", catalog, tmp_path / "ref", tahun=tahun).run()
    facts = _facts_per_year(warehouse)
    assert facts == _facts_per_year(reference)
    assert {t for (_, t) in facts} == set(YEARS)
