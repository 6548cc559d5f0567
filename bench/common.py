"""Helpers shared by the benchmarks: the command line, load average, peak memory, a
throwaway PostgreSQL database (created for one run, dropped afterwards), and an Airflow home with
its API server on 127.0.0.1."""

from __future__ import annotations

import os
import resource
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("KINERJA_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def command() -> str:
    """The exact command that runs this benchmark, as typed from the project folder."""
    script = Path(sys.argv[0]).resolve()
    try:
        shown = script.relative_to(PROJECT).as_posix()
    except ValueError:
        shown = str(script)
    return " ".join(["uv run python", shown, *map(shlex.quote, sys.argv[1:])])


def header() -> None:
    print(f"# {command()}")
    print(f"#   load average {load()}, {os.cpu_count()} cores")


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def throwaway_pg(prefix: str = "kinerja_bench") -> Iterator[str]:
    """A fresh PostgreSQL database: yields its SQLAlchemy URL, drops it afterwards."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server the benchmark starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_url(url: str, seconds: float = 120) -> None:
    """Wait until `url` answers (a server the benchmark started)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(1)
    raise TimeoutError(url)


def airflow_env(home: Path, api_port: int, parallelism: int, **extra: str) -> dict[str, str]:
    """The environment of an Airflow home at `home` (LocalExecutor, the project's DAGs and plugin,
    the API server on `api_port`) collecting from `home`/drive; `extra` added or overriding."""
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "KINERJA_DATA_DIR": str(home / "data"),
        "KINERJA_DRIVE_DIR": str(home / "drive"),
        "KINERJA_SETTLE_SECONDS": "0",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        **extra,
    }


@contextmanager
def api_server(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`airflow api-server` on 127.0.0.1:`port`, healthy on entry, stopped on exit (yields its
    process: the leader of its own session)."""
    api = subprocess.Popen(
        ["airflow", "api-server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_url(f"http://127.0.0.1:{port}/api/v2/monitor/health")
        yield api
    finally:
        os.killpg(api.pid, signal.SIGTERM)
        api.wait(timeout=30)
