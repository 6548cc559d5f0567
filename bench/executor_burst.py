"""The deadline burst of a sample year three ways, in one run: in one process (`kinerja collect`),
through the LocalExecutor, and through the CeleryExecutor with two workers (the deployed
settings of deploy/airflow.env, started as `make rehearsal` starts them); the ratios, and where
each task's time goes.

    uv run python bench/executor_burst.py [--only DINKES,BAPPEDA,...]

Every way reads the same files (a local folder as the `fs` drive) into a PostgreSQL warehouse of
its own. Both executors get 4 task slots (LocalExecutor: parallelism 4; Celery: 2 workers × 2).
Per task, from the metadata DB: **queued** (queued → started: a free slot, the broker, the worker
picking it up) and **run** (started → ended). For `process_batch` the run is split into **work**
(its files × the in-process time per file) and **start + imports** (the rest: a fresh task
process, Airflow's task runner, Great Expectations and our code imported again per task).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import header, throwaway_pg
from tests.support.cluster import running_airflow

TAHUN = 2025
SLOTS = "4"


def _in_process(drive: Path, warehouse: str, archive: Path) -> tuple[float, int]:
    from kinerja.cli import main as kinerja

    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        kinerja(
            [
                *("collect", "--year", str(TAHUN), "--source", str(drive), "--warehouse", warehouse),
                *("--archive", str(archive), "--settle", "0", "--json"),
            ]
        )
    return time.perf_counter() - started, len(out.getvalue().splitlines())


def _through(executor: str, base: Path, drive: Path, warehouse: str) -> dict[str, Any]:
    changes = {"AIRFLOW__CORE__EXECUTOR": executor}
    if executor == "LocalExecutor":
        changes["AIRFLOW__CORE__PARALLELISM"] = SLOTS
    deployment = {
        "AIRFLOW_CONN_KINERJA_WAREHOUSE": warehouse.replace("postgresql+psycopg://", "postgresql://"),
        "AIRFLOW_CONN_KINERJA_WAREHOUSE_READ": warehouse.replace("postgresql+psycopg://", "postgresql://"),
        "AIRFLOW_CONN_KINERJA_DRIVE": json.dumps({"conn_type": "fs", "extra": {"path": str(drive)}}),
        "AIRFLOW_CONN_KINERJA_SMTP": json.dumps({"conn_type": "smtp", "host": "127.0.0.1"}),
        "AIRFLOW_CONN_SATU_DATA_CKAN": json.dumps({"conn_type": "http", "host": "http://127.0.0.1:9"}),
        "KINERJA_CITY": "medan",
        "KINERJA_DATA_DIR": str(base / "data"),
        "KINERJA_OPERATOR_EMAILS": "operator@kinerja.example",
    }
    base.mkdir()
    with running_airflow(base, deployment, changes=changes | {"KINERJA_SETTLE_SECONDS": "0"}) as af:
        af.api.call("PATCH", "/api/v2/dags/compile_reports", {"is_paused": True})
        run_id = af.api.trigger("collect_submissions", {"tahun": TAHUN})
        state = af.finished("collect_submissions", run_id, 1800)
        (run,) = af.q(
            "select start_date, end_date from dag_run where dag_id = 'collect_submissions' and run_id = :r",
            r=run_id,
        )
        tasks = af.q(
            "select task_id, map_index, hostname, queued_dttm, start_date, end_date from task_instance "
            "where dag_id = 'collect_submissions' and run_id = :r order by start_date",
            r=run_id,
        )
        files = {
            int(m): len(v if isinstance(v, list) else json.loads(v))
            for m, v in af.q(
                "select map_index, value from xcom where dag_id = 'collect_submissions' and run_id = :r "
                "and task_id = 'process_batch' and key = 'return_value'",
                r=run_id,
            )
        }
    return {
        "state": state,
        "seconds": (run[1] - run[0]).total_seconds(),
        "tasks": [
            {
                "task": t[0] + (f"[{t[1]}]" if t[1] >= 0 else ""),
                "host": t[2],
                "queued": (t[4] - t[3]).total_seconds(),
                "run": (t[5] - t[4]).total_seconds(),
                "files": files.get(t[1]) if t[0] == "process_batch" else None,
            }
            for t in tasks
        ],
    }


def main() -> None:
    from kinerja.catalog import load_catalog
    from kinerja.sample import generate_year

    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="comma-separated kode_pd (default: every agency)")
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    header()
    base = Path(tempfile.mkdtemp(prefix="kinerja-executor-burst-"))
    drive = base / "drive"
    generate_year(load_catalog("medan"), TAHUN, drive, seed=1, only=only)
    results: dict[str, Any] = {}
    with throwaway_pg() as wh:
        seconds, n = _in_process(drive, wh, base / "archive")
    per_file = seconds / n
    results["in-process"] = {"seconds": seconds}
    for executor in ("LocalExecutor", "CeleryExecutor"):
        with throwaway_pg() as wh:
            results[executor] = _through(executor, base / executor, drive, wh)
    print(
        f"sample year {TAHUN}: {n} files; in one process {seconds:.1f} s ({per_file * 1000:.0f} ms per file)"
    )
    for executor in ("LocalExecutor", "CeleryExecutor"):
        r = results[executor]
        print(
            f"{executor}: run {r['seconds']:.1f} s, state {r['state']}, "
            f"{r['seconds'] / seconds:.2f}x in-process"
        )
        for t in r["tasks"]:
            line = f"  {t['task']:18} {t['host']:10} queued {t['queued']:5.1f} s, run {t['run']:5.1f} s"
            if t["files"]:
                work = t["files"] * per_file
                line += f", work ~{work:.1f} s, start + imports ~{t['run'] - work:.1f} s"
            print(line)
        batches = [t for t in r["tasks"] if t["files"]]
        if batches:
            overhead = statistics.mean(t["run"] - t["files"] * per_file for t in batches)
            print(f"  process_batch: mean start + imports ~{overhead:.1f} s per task")
    local, celery = results["LocalExecutor"]["seconds"], results["CeleryExecutor"]["seconds"]
    print(f"Celery (2 workers) / LocalExecutor: {celery / local:.2f}x")
    print(f"# done; load average now {__import__('bench.common', fromlist=['load']).load()}")


if __name__ == "__main__":
    main()
