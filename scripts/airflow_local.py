"""The local Airflow of the Makefile: the chain unpaused, and backfills that report.

    python scripts/airflow_local.py chain                      # make airflow: unpause the chain
    python scripts/airflow_local.py backfill --tahun 2022 2023 --arsip /jalur/arsip   # make backfill

Run with the Makefile's environment (AIRFLOW_HOME, DAGS_FOLDER, ...) after `airflow db migrate`.

`chain` registers the DAGs and unpauses the chain collect_submissions → compile_reports →
sync_satu_data: an asset event reaches only unpaused DAGs (Airflow does not queue a run for a
paused consumer, and unpausing it later does not pick the event up). The DAGs that send e-mail
stay as they are; every DAG still paused is listed.

`backfill` points the connection `kinerja_arsip` at the archive folder, backfills
collect_submissions one reporting year after the other (Airflow runs one backfill per DAG at a
time), with a scheduler and API server of its own when none is running, waits for each year's
report build, then prints the year's collection status and where its build waits for review.
A year the archive lacks, or outside the calendar, fails its run with the reason (the DAG
checks it), printed here.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "dags"))  # `common`, as in Airflow's own processes

CHAIN = ("collect_submissions", "compile_reports", "sync_satu_data")
ARCHIVE_CONN_ID = "kinerja_arsip"
HOST = "127.0.0.1"
AWAITING_REVIEW = ("awaiting_input", "deferred")
"""A review task waiting for the tim ahli (Airflow 3.3 parks HITL tasks in `awaiting_input`)."""
SETUP_ERROR = "Kesalahan konfigurasi (tidak dicoba ulang): "
"""How `common.failures` starts the message of a configuration error."""


def airflow_cli(*argv: str) -> None:
    """One Airflow CLI command, in this process (each new process costs seconds of imports)."""
    from airflow.cli.cli_parser import get_parser

    args = get_parser().parse_args(list(argv))
    printed = io.StringIO()
    try:
        with redirect_stdout(printed):  # its tables are noise here; shown when it fails
            args.func(args)
    except BaseException:
        print(printed.getvalue(), end="")
        raise


def chain() -> list[str]:
    """Register the DAGs, unpause the chain; returns (and prints) the DAGs still paused."""
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    airflow_cli("dags", "reserialize")
    for dag_id in CHAIN:
        airflow_cli("dags", "unpause", dag_id)
    with create_session() as session:
        paused = sorted(
            str(d.dag_id)
            for d in session.query(DagModel).filter(
                DagModel.is_paused.is_(True), DagModel.is_stale.is_(False)
            )
        )
    print(f"Rantai berjalan (tidak dijeda): {', '.join(CHAIN)}")
    if paused:
        print(
            "\n*** DAG yang masih DIJEDA (tidak berjalan sampai di-unpause di UI atau dengan "
            f"`airflow dags unpause <dag_id>`): {', '.join(paused)} ***\n"
        )
    return paused


# --- a scheduler of our own when none runs ------------------------------------------------------
def scheduler_alive() -> bool:
    from airflow.jobs.job import most_recent_job

    job = most_recent_job("SchedulerJob")
    return bool(job and job.is_alive())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def own_scheduler(log_dir: Path) -> Iterator[None]:
    """An API server (tasks talk to it) and a scheduler on 127.0.0.1, stopped on the way out."""
    port = _free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{HOST}:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": os.environ.get("AIRFLOW__API_AUTH__JWT_SECRET")
        or secrets.token_urlsafe(64),
        "AIRFLOW__API__SECRET_KEY": os.environ.get("AIRFLOW__API__SECRET_KEY") or secrets.token_urlsafe(32),
    }
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    commands = {
        "api-server": ["api-server", "--host", HOST, "--port", str(port), "--workers", "1"],
        "scheduler": ["scheduler", "--skip-serve-logs"],
    }
    try:
        for name, argv in commands.items():
            with (log_dir / f"backfill-{name}.log").open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "airflow", *argv],
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://{HOST}:{port}/api/v2/monitor/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise SystemExit(
                        f"Scheduler/API server tidak mau mulai: lihat {log_dir}/backfill-*.log"
                    ) from None
                time.sleep(0.5)
        print(f"Scheduler dan API server sementara berjalan (log: {log_dir}/backfill-*.log)")
        yield
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


# --- one year -----------------------------------------------------------------------------------
def backfill_tick(tahun: int) -> str:
    """The one cron tick that collects `tahun`: 00:00 WIB on 1 January of the next year
    (`common.runs`: the reporting year is the year before the run's date in WIB)."""
    return f"{tahun + 1}-01-01T00:00:00+07:00"


def start_backfill(tahun: int, conn_id: str, timeout: float) -> int:
    """`airflow backfill create` for the year's tick; returns the backfill's id. Airflow allows
    one running backfill per DAG and marks one complete up to 30 s after its run ended."""
    from airflow.models.backfill import AlreadyRunningBackfill, Backfill
    from airflow.utils.session import create_session

    tick = backfill_tick(tahun)
    deadline = time.monotonic() + timeout
    while True:
        try:
            airflow_cli(
                "backfill", "create", "--dag-id", "collect_submissions",
                "--from-date", tick, "--to-date", tick, "--reprocess-behavior", "completed",
                "--dag-run-conf", json.dumps({"drive_conn_id": conn_id}),
            )  # fmt: skip
            break
        except AlreadyRunningBackfill:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)
    with create_session() as session:
        latest = (
            session.query(Backfill)
            .filter(Backfill.dag_id == "collect_submissions")
            .order_by(Backfill.id.desc())
            .first()
        )
        assert latest is not None
        return int(latest.id)


def _wait(check: Any, timeout: float, every: float = 2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        time.sleep(every)
    return None


def collection_run(backfill_id: int, timeout: float) -> tuple[str, str, dict[str, str]] | None:
    """(run_id, state, task states) of the backfill's run once it has finished."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    def finished() -> tuple[str, str, dict[str, str]] | None:
        with create_session() as session:
            run = session.query(DagRun).filter(DagRun.backfill_id == backfill_id).first()
            if run is None or run.state not in ("success", "failed"):
                return None
            tis = session.query(TaskInstance).filter(
                TaskInstance.dag_id == run.dag_id, TaskInstance.run_id == run.run_id
            )
            return str(run.run_id), str(run.state), {t.task_id: str(t.state) for t in tis}

    return _wait(finished, timeout)


def _strings(value: Any) -> Iterator[str]:
    """Every string in a decoded JSON log event."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def failure_reasons(run_id: str) -> list[str]:
    """The configuration errors in the run's task logs (the DAG names what to fix)."""
    from airflow.configuration import conf

    logs = Path(conf.get("logging", "base_log_folder")) / "dag_id=collect_submissions" / f"run_id={run_id}"
    reasons: list[str] = []
    for log in sorted(logs.rglob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            try:
                texts = list(_strings(json.loads(line)))  # task logs: one JSON event per line
            except ValueError:
                texts = [line]
            for text in texts:
                for found in re.findall(re.escape(SETUP_ERROR) + r"(.+)", text):
                    if found not in reasons:
                        reasons.append(found)
    return reasons


def review_of(tahun: int, since: datetime, timeout: float) -> tuple[str, str] | None:
    """(run_id, state of review_reports) of the year's compile_reports run queued after `since`,
    once its build is waiting for review (or has ended)."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    def waiting() -> tuple[str, str] | None:
        with create_session() as session:
            run = (
                session.query(DagRun)
                .filter(
                    DagRun.dag_id == "compile_reports",
                    DagRun.partition_key == str(tahun),
                    DagRun.run_after >= since,
                )
                .order_by(DagRun.run_after.desc())
                .first()
            )
            if run is None:
                return None
            states = {
                t.task_id: str(t.state)
                for t in session.query(TaskInstance).filter(
                    TaskInstance.dag_id == "compile_reports", TaskInstance.run_id == run.run_id
                )
            }
            review = states.get("review_reports", "None")
            if (
                review in (*AWAITING_REVIEW, "success", "failed", "skipped", "upstream_failed")
                or run.state == "failed"
            ):
                return str(run.run_id), review if run.state != "failed" else "failed"
            return None

    return _wait(waiting, timeout)


def staged_folder(run_id: str) -> str:
    """The staging folder build_reports reported (its XCom), never recomputed: computing it
    with `staging_dir` would empty it."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter(
                XComModel.dag_id == "compile_reports",
                XComModel.run_id == run_id,
                XComModel.task_id == "build_reports",
                XComModel.key == "return_value",
            )
            .first()
        )
        value = XComModel.deserialize_value(row) if row is not None else None
    return str(value["staging"]) if isinstance(value, dict) else "(folder staging tidak tercatat)"


def print_status(tahun: int) -> None:
    from common.connections import warehouse_read_url
    from kinerja.cli import main as kinerja

    url = warehouse_read_url()
    kinerja(["status", "--year", str(tahun), *(["--warehouse", url] if url else [])])


def collect_year(tahun: int, conn_id: str, timeout: float) -> tuple[datetime, bool] | None:
    """Backfill the year's collection and wait for its run. None when it failed (the reasons are
    printed); else when it started and whether a report build was asked for."""
    print(f"\n=== Tahun {tahun}: backfill collect_submissions dari connection {conn_id}")
    since = datetime.now(UTC)
    found = collection_run(start_backfill(tahun, conn_id, timeout), timeout)
    if found is None:
        print(f"GAGAL tahun {tahun}: run backfill belum selesai setelah {timeout:.0f} detik")
        return None
    run_id, state, tasks = found
    if state != "success":
        reasons = failure_reasons(run_id)
        failed = sorted(t for t, s in tasks.items() if s in ("failed", "upstream_failed"))
        print(f"GAGAL tahun {tahun} (run {run_id}; task gagal: {', '.join(failed) or '-'}):")
        for reason in reasons or ["lihat log task di Airflow UI (Grid → task yang merah → Logs)"]:
            print(f"  {reason}")
        return None
    print(f"Tahun {tahun} dimuat (run {run_id}).")
    return since, tasks.get("announce_changes") != "skipped"


def report_year(tahun: int, since: datetime, built: bool, timeout: float) -> bool:
    """Print the year's collection status and where its report build waits for review."""
    print(f"\n=== Tahun {tahun}")
    print_status(tahun)
    if not built:
        print(f"Tidak ada berkas baru untuk {tahun}: laporannya tidak disusun ulang.")
        return True
    review = review_of(tahun, since, timeout)
    if review is None:
        print(
            f"Laporan {tahun} belum tersusun setelah {timeout:.0f} detik: lihat DAG compile_reports "
            f"(partition key {tahun}); apakah DAG itu dijeda?"
        )
        return False
    review_run, review_state = review
    staging = staged_folder(review_run)
    if review_state in AWAITING_REVIEW:
        print(
            f"Laporan {tahun} tersusun di {staging} dan MENUNGGU PERSETUJUAN tim ahli: Airflow UI "
            f"(make airflow) → Browse → Required Actions, run compile_reports {review_run}."
        )
        return True
    print(f"Penyusunan laporan {tahun} (run compile_reports {review_run}): review_reports = {review_state}")
    return review_state == "success"


def backfill(years: list[int], arsip: str | None, conn_id: str, timeout: float) -> int:
    from airflow.configuration import AIRFLOW_HOME

    if arsip is not None:
        folder = Path(arsip).expanduser().resolve()
        if not folder.is_dir():
            print(f"Folder arsip {folder} tidak ada: periksa ARSIP=...", file=sys.stderr)
            return 2
        with suppress(SystemExit):  # not there yet
            airflow_cli("connections", "delete", conn_id)
        airflow_cli(
            "connections",
            "add",
            conn_id,
            "--conn-type",
            "fs",
            "--conn-extra",
            json.dumps({"path": str(folder)}),
        )
        print(f"Connection {conn_id} → {folder}")
    chain()
    ok = True
    log_dir = Path(AIRFLOW_HOME)
    with own_scheduler(log_dir) if not scheduler_alive() else _nothing():
        # the collections one after the other (one backfill per DAG at a time); a year's report
        # build runs meanwhile, beside the next year's collection
        loaded = {}
        for tahun in years:
            if (found := collect_year(tahun, conn_id, timeout)) is None:
                ok = False
            else:
                loaded[tahun] = found
        for tahun, (since, built) in loaded.items():
            ok = report_year(tahun, since, built, timeout) and ok
    return 0 if ok else 1


@contextmanager
def _nothing() -> Iterator[None]:
    print("Scheduler yang sedang berjalan dipakai.")
    yield


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # so the servers started here are stopped on the way out


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("chain", help="daftarkan DAG, jalankan rantai, sebutkan DAG yang dijeda")
    b = sub.add_parser("backfill", help="muat tahun lampau dari arsip dan laporkan")
    b.add_argument("--tahun", type=int, nargs="+", required=True)
    b.add_argument("--arsip", help="folder arsip <tahun>/<KODE_PD>/...; kosong: connection yang ada")
    b.add_argument("--conn-id", default=ARCHIVE_CONN_ID)
    b.add_argument("--timeout", type=float, default=1800, help="detik per tahun (bawaan 1800)")
    args = parser.parse_args(argv)
    if args.command == "chain":
        chain()
        return 0
    return backfill(sorted(set(args.tahun)), args.arsip, args.conn_id, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
