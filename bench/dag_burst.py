"""Deadline-day burst through Airflow: the collect_submissions DAG on the LocalExecutor.

    uv run python bench/dag_burst.py [--parallelism 4]

Starts its own Airflow home, API server (127.0.0.1 only) and a sample year, runs the DAG with
`airflow dags test --use-executor`, and prints its wall time beside `kinerja collect` on the
same files in one process (the ratio is the price of scheduling, task processes and imports).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

COMMAND = "uv run python bench/dag_burst.py " + shlex.join(sys.argv[1:])
PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(1)
    raise TimeoutError(url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parallelism", type=int, default=4)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="kinerja-dagbench-"))
    port = _free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",  # the "DagRun Finished" line (make exports WARNING)
        "AIRFLOW__CORE__PARALLELISM": str(args.parallelism),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "KINERJA_DATA_DIR": str(home / "data"),
        "KINERJA_DRIVE_DIR": str(home / "drive"),
        "KINERJA_SETTLE_SECONDS": "0",
        "PATH": f"{BIN}:{os.environ['PATH']}",
    }

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)

    run("airflow", "db", "migrate")
    run("airflow", "pools", "set", "kinerja_warehouse", "2", "bench")
    run("kinerja", "sample", "--year", str(args.year), "--out", str(home / "drive"), "--seed", "1")
    api = subprocess.Popen(
        ["airflow", "api-server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/api/v2/monitor/health")
        t = time.perf_counter()
        out = subprocess.run(
            [
                "airflow",
                "dags",
                "test",
                "collect_submissions",
                "--use-executor",
                "--conf",
                f'{{"tahun": {args.year}}}',
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t
    finally:
        os.killpg(api.pid, signal.SIGTERM)
        api.wait(timeout=30)
    log = out.stdout + out.stderr
    (home / "dag-test.log").write_text(log)
    finished = next((line for line in log.splitlines() if "DagRun Finished" in line), "")
    duration = re.search(r"run_duration=([0-9.]+)", finished)
    state = re.search(r" state=(\w+)", finished)
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
    dag_seconds = float(duration.group(1)) if duration else wall
    print(f"# {COMMAND}")
    print(
        f"collect_submissions on LocalExecutor (parallelism {args.parallelism}, 2 cores): "
        f"state {state.group(1) if state else 'unknown'}, run {dag_seconds:.1f} s "
        f"(command wall {wall:.1f} s)"
    )
    print(
        f"kinerja collect in one process, same files: {inprocess:.1f} s "
        f"(ratio DAG/in-process {dag_seconds / inprocess:.1f}x)"
    )
    print(f"airflow home: {home}")


if __name__ == "__main__":
    main()
