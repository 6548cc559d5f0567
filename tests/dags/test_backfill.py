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
import sqlite3
import subprocess
import sys
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


# --- the real thing: `make backfill`, with a scheduler of its own (LocalExecutor) on 127.0.0.1 -----
class Airflow:
    """An Airflow home of its own (SQLite metadata DB) and the environment of its processes."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home, self.env = home, env

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

    def backfill(self, *years: int, arsip: Path, timeout: float) -> subprocess.CompletedProcess[str]:
        """What `make backfill TAHUN="..." ARSIP=...` runs."""
        argv = [sys.executable, str(PROJECT / "scripts" / "airflow_local.py"), "backfill", "--tahun"]
        argv += [str(y) for y in years] + ["--arsip", str(arsip), "--timeout", "300"]
        proc = subprocess.Popen(
            argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()  # the script stops the scheduler and API server it started
            out, _ = proc.communicate(timeout=60)
            raise AssertionError(
                f"make backfill did not finish in {timeout:.0f} s:\n{out}\n{self.logs()}"
            ) from None
        return subprocess.CompletedProcess(argv, proc.returncode, out, "")

    def logs(self) -> str:
        parts = [
            f"--- {log.name}\n" + log.read_text(errors="replace")[-4000:] for log in self.home.glob("*.log")
        ]
        for task_log in sorted((self.home / "logs").rglob("*.log"))[-4:]:
            parts.append(f"--- {task_log}\n" + task_log.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    def query(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.home / "airflow.db", timeout=30) as db:
            return db.execute(sql, args).fetchall()


@pytest.fixture
def airflow(tmp_path: Path) -> Airflow:
    home = tmp_path / "airflow"
    home.mkdir()
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
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "GX_ANALYTICS_ENABLED": "False",
            "KINERJA_DATA_DIR": str(tmp_path / "data"),
            "KINERJA_WAREHOUSE_URL": f"sqlite:///{tmp_path / 'warehouse.db'}",
            "KINERJA_SETTLE_SECONDS": "0",
            "KINERJA_DATA_DOCS": "0",
        }
    )
    af = Airflow(home, env)
    af.cli(["db", "migrate"], ["pools", "set", "kinerja_warehouse", "2", "warehouse writers"])
    return af


def _facts_per_year(engine: Engine) -> dict[tuple[str, int], int]:
    with engine.connect() as conn:
        return {
            (name, r.tahun): r.n
            for name, t in FACT_TABLES.items()
            for r in conn.execute(select(t.c.tahun, func.count().label("n")).group_by(t.c.tahun))
        }


@pytest.mark.integration
@pytest.mark.timeout(1200)
def test_backfill_of_two_years_loads_and_builds_each_year_on_its_own(
    airflow: Airflow, catalog: Catalog, tmp_path: Path
) -> None:
    """`make backfill TAHUN="2022 2023 2024"` from an archive holding 2022 and 2023: each year
    is loaded into its own year, gets its own report build waiting for the tim ahli, and 2024,
    which the archive lacks, fails with the reason, once."""
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
    out = airflow.backfill(*YEARS, 2024, arsip=tmp_path / "arsip", timeout=1100)
    report = out.stdout + out.stderr
    assert out.returncode == 1, report + airflow.logs()  # 2024 failed; 2022 and 2023 did not
    assert "Scheduler dan API server sementara berjalan" in report  # none was running: its own
    assert "GAGAL tahun 2024" in report and "tidak memuat tahun 2024" in report, report

    runs = airflow.query(
        "select run_id, run_type, state, run_after, logical_date from dag_run "
        "where dag_id = 'collect_submissions' order by run_after"
    )
    assert [(r[1], r[2]) for r in runs] == [("backfill", "success")] * 2 + [("backfill", "failed")]
    # the runs' dates are UTC: 31 December 17:00, i.e. 1 January 00:00 WIB of the next year
    assert [str(r[3])[:19] for r in runs[:2]] == ["2022-12-31 17:00:00", "2023-12-31 17:00:00"]
    assert [str(r[4])[:19] for r in runs[:2]] == ["2022-12-31 17:00:00", "2023-12-31 17:00:00"]
    failed = airflow.query(
        "select task_id, state, try_number from task_instance where run_id = ? and state = 'failed'",
        runs[2][0],
    )
    assert failed == [("prepare_warehouse", "failed", 1)]  # refused at once, not retried

    # one report build per year, each waiting for the tim ahli's review
    builds = airflow.query(
        "select d.partition_key, d.run_id, b.state, r.state from dag_run d "
        "join task_instance b on b.dag_id = d.dag_id and b.run_id = d.run_id "
        "join task_instance r on r.dag_id = d.dag_id and r.run_id = d.run_id "
        "where d.dag_id = 'compile_reports' and b.task_id = 'build_reports' "
        "and r.task_id = 'review_reports' order by d.partition_key"
    )
    assert [(b[0], b[2], b[3]) for b in builds] == [(str(t), "success", "awaiting_input") for t in YEARS], (
        builds
    )
    for tahun, run_id, _, _ in builds:
        assert f"Laporan {tahun} tersusun di" in report and "MENUNGGU PERSETUJUAN" in report
        staged = list((tmp_path / "data" / "reports" / "staging" / str(tahun)).iterdir())
        assert len(staged) == 1 and (staged[0] / "laporan.html").is_file(), (tahun, run_id, staged)
        assert f"Status pengumpulan Kota Medan, tahun pelaporan {tahun}" in report

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
