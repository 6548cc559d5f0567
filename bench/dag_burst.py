"""Deadline-day burst through Airflow: the collect_submissions DAG on the LocalExecutor.

    uv run python bench/dag_burst.py [--parallelism 4]

Starts its own Airflow home, API server (127.0.0.1 only) and a sample year, then runs the DAG
twice through a real `airflow scheduler` (the LocalExecutor forks a task process per task from
its worker processes): once as Airflow starts by default, where every task process imports
Great Expectations itself, and once with `kinerja.preload` in the executor's forkserver
(`[scheduler] mp_start_method = forkserver`, `[core] mp_forkserver_preload = kinerja.preload`),
where task processes inherit it. Each run gets a fresh copy of the drive and its own warehouse.
Prints both run times beside `kinerja collect` on the same files in one process (the ratio is
the price of scheduling, task processes and imports; target <= 1.3x).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

from common import airflow_env, api_server, free_port, header

VARIANTS = {
    "each task imports Great Expectations": {},
    "preloaded in the executor's forkserver": {
        "AIRFLOW__SCHEDULER__MP_START_METHOD": "forkserver",
        "AIRFLOW__CORE__MP_FORKSERVER_PRELOAD": "kinerja.preload",
    },
}


def _scheduled_run(
    home: Path, env: dict[str, str], variant: str, extra: dict[str, str], year: int
) -> tuple[str, float]:
    """Trigger one run on a fresh copy of the drive and its own warehouse, under a scheduler
    started with `extra`; returns (state, run duration from the metadata database)."""
    name = re.sub(r"\W+", "-", variant)
    drive = home / f"drive-{name}"
    shutil.copytree(home / "drive", drive)
    env = {**env, **extra, "KINERJA_DRIVE_DIR": str(drive), "KINERJA_DATA_DIR": str(home / f"data-{name}")}
    scheduler = subprocess.Popen(
        ["airflow", "scheduler", "--skip-serve-logs"],
        env=env,
        stdout=(home / f"scheduler-{name}.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    run_id = f"bench-{name}"
    try:
        subprocess.run(
            [
                "airflow",
                "dags",
                "trigger",
                "collect_submissions",
                "--run-id",
                run_id,
                "--conf",
                f'{{"tahun": {year}}}',
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        while True:
            time.sleep(2)
            with sqlite3.connect(home / "airflow.db") as db:
                row = db.execute(
                    "SELECT state, start_date, end_date FROM dag_run WHERE run_id = ?", (run_id,)
                ).fetchone()
            if row and row[0] in ("success", "failed"):
                break
    finally:
        os.killpg(scheduler.pid, signal.SIGTERM)
        scheduler.wait(timeout=60)
    started, ended = (datetime.fromisoformat(v) for v in row[1:])
    ready, busy = [], 0.0
    for log in (home / "logs").glob(f"dag_id=collect_submissions/run_id={run_id}/task_id=*/**/*.log"):
        text = log.read_text()
        ready += [float(m) for m in re.findall(r"Great Expectations siap dalam ([0-9.]+) s", text)]
        stamps = re.findall(r'"timestamp":"([^"]+)"', text)
        if stamps:
            busy += (datetime.fromisoformat(stamps[-1]) - datetime.fromisoformat(stamps[0])).total_seconds()
    print(
        f"  {variant}: task processes busy {busy:.1f} s in all; Great Expectations ready in each "
        f"process_batch after {', '.join(f'{r:.2f}' for r in ready)} s"
    )
    return row[0], (ended - started).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parallelism", type=int, default=4)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="kinerja-dagbench-"))
    port = free_port()
    env = airflow_env(
        home,
        port,
        args.parallelism,
        AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",  # the "DagRun Finished" line (make exports WARNING)
    )

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)

    run("airflow", "db", "migrate")
    run("airflow", "pools", "set", "kinerja_warehouse", "2", "bench")
    run("kinerja", "sample", "--year", str(args.year), "--out", str(home / "drive"), "--seed", "1")
    run("airflow", "dags", "reserialize")  # the scheduler reads serialized DAGs; no dag-processor
    run("airflow", "dags", "unpause", "collect_submissions")
    results: dict[str, tuple[str, float]] = {}
    with api_server(env, port):
        for variant, extra in VARIANTS.items():
            results[variant] = _scheduled_run(home, env, variant, extra, args.year)
    t = time.perf_counter()
    run(
        "kinerja",
        "collect",
        "--year",
        str(args.year),
        "--source",
        str(home / "drive"),
        "--warehouse",
        f"sqlite:///{home / 'inprocess.db'}",
        "--archive",
        str(home / "archive2"),
        "--json",
    )
    inprocess = time.perf_counter() - t
    header()
    print(f"kinerja collect in one process, same files: {inprocess:.1f} s")
    for variant, (state, seconds) in results.items():
        print(
            f"collect_submissions, scheduler + LocalExecutor (parallelism {args.parallelism}), {variant}: "
            f"state {state}, run {seconds:.1f} s (ratio DAG/in-process {seconds / inprocess:.2f}x)"
        )
    print(f"airflow home: {home}")


if __name__ == "__main__":
    main()
