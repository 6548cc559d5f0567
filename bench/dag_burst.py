"""Deadline-day burst through Airflow: the collect_submissions DAG on the LocalExecutor.

    uv run python bench/dag_burst.py [--parallelism 4] [--only preload,tuned]

Starts its own Airflow home, API server (127.0.0.1 only) and a sample year, then, for each
variant, starts a real `airflow scheduler` (the LocalExecutor: executor workers that each run a
task supervisor, which forks the task process) and runs the whole year through the DAG twice:

* **cold**: triggered as soon as the scheduler is started. This run pays what a long-running
  scheduler pays once: its executor starting its workers (with the forkserver: the forkserver
  starting and importing the preload before the first task can start).
* **warm**: the same year again under the same scheduler, after the drive and the warehouse are
  put back as they were (nothing is running then: every task opens them anew). This is what an
  operator sees on a deadline day: a scheduler that has been up for hours.

Variants (`--only`; the first three by default): `default` (Airflow as it starts: every task
process imports Great Expectations), `preload` (`kinerja.preload` in the executor's forkserver:
task processes inherit it), `tuned` (the settings of the Makefile's `airflow` target, read from
it: Airflow's task-side modules preloaded too, `scheduler_idle_sleep_time` 0.25 s,
`min_heartbeat_interval` 1 s), `tuned-0.1` and `tuned-hb5` (one of those settings changed).

Prints, per run, where the time goes (each task's wait in the queue, its run, its own code, how
long its executor worker stayed busy after it, and the time no task ran: from the metadata
database, the task logs and the scheduler's log), and the ratio to `kinerja collect` of the same
files in one process (target <= 1.3x), wall and CPU seconds: the DAG's CPU is every process of
the scheduler (its executor workers, the task supervisors and task processes) and of the API
server while the run lasted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from common import PROJECT, airflow_env, api_server, free_port, header

PRELOAD = {
    "AIRFLOW__SCHEDULER__MP_START_METHOD": "forkserver",
    "AIRFLOW__CORE__MP_FORKSERVER_PRELOAD": "kinerja.preload",
}


def _make_airflow_settings() -> dict[str, str]:
    """The latency settings the Makefile's `airflow` target starts Airflow with."""
    make = (PROJECT / "Makefile").read_text()

    def value(name: str) -> str:
        found = re.search(rf"^{name} := (\S+)$", make, re.MULTILINE)
        if not found:
            raise SystemExit(f"Makefile: {name} not found")
        return found.group(1)

    return {
        "AIRFLOW__SCHEDULER__MP_START_METHOD": "forkserver",
        "AIRFLOW__CORE__MP_FORKSERVER_PRELOAD": value("AIRFLOW_FORKSERVER_PRELOAD"),
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": value("AIRFLOW_IDLE_SLEEP"),
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": value("AIRFLOW_MIN_HEARTBEAT"),
    }


TUNED = _make_airflow_settings()
VARIANTS = {
    "default": {},
    "preload": PRELOAD,
    "tuned": TUNED,
    "tuned-0.1": {**TUNED, "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.1"},
    "tuned-hb5": {**TUNED, "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "5"},
}
LABELS = {
    "default": "each task imports Great Expectations",
    "preload": "kinerja.preload in the executor's forkserver",
    "tuned": "as `make airflow` starts it: the preload + Airflow's task-side modules in the "
    "forkserver, scheduler_idle_sleep_time 0.25 s, min_heartbeat_interval 1 s",
    "tuned-0.1": "the same with scheduler_idle_sleep_time 0.1 s",
    "tuned-hb5": "the same with [workers] min_heartbeat_interval 5 s (Airflow's default)",
}
IDLE_SECONDS = 10.0
"""How long the scheduler's CPU is measured idle after the warm run."""


@dataclass
class Task:
    name: str
    queued: datetime
    started: datetime
    ended: datetime
    body: float | None  # seconds of the task's own code (log: end of "Pre Execute" to "Done")
    held: float | None  # seconds its executor worker stayed busy after the task ended


@dataclass
class Run:
    state: str
    queued: datetime
    started: datetime
    ended: datetime
    tasks: list[Task]
    cpu: float  # CPU seconds of the scheduler's and the API server's process trees

    @property
    def seconds(self) -> float:
        return (self.ended - self.started).total_seconds()


def _stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def _session(root: int) -> Iterator[tuple[int, list[str]]]:
    """(pid, /proc/pid/stat fields after the name) of every live process in `root`'s session
    (the benchmark starts each server with its own session)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == root:  # session id (field 6 of stat)
            yield int(stat.parent.name), fields


def _session_pids(root: int) -> list[int]:
    return [pid for pid, _ in _session(root)]


def _tree_cpu(root: int) -> float:
    """CPU seconds of `root`'s session: every live process in it, with the children each has
    reaped (a task process is reaped by its supervisor, an executor worker)."""
    ticks = sum(sum(int(v) for v in fields[11:15]) for _, fields in _session(root))  # u/s/cu/cs time
    return ticks / os.sysconf("SC_CLK_TCK")


def _task_body(home: Path, run_id: str, task: str, map_index: int) -> float | None:
    part = f"task_id={task}" + (f"/map_index={map_index}" if map_index >= 0 else "")
    logs = sorted(home.glob(f"logs/dag_id=collect_submissions/run_id={run_id}/{part}/attempt=*.log"))
    if not logs:
        return None
    begin = done = None
    for line in logs[-1].read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        event = str(entry.get("event", ""))
        if event == "::endgroup::" and begin is None:  # end of "Pre Execute": the task's code starts
            begin = _stamp(entry["timestamp"])
        elif event.startswith(("Done.", "::group::Post Execute")) and done is None:
            done = _stamp(entry["timestamp"])
    return (done - begin).total_seconds() if begin and done else None


def _worker_done(scheduler_log: Path) -> dict[str, datetime]:
    """When each task's executor worker was done with it (its supervisor's "Workload finished"
    line in the scheduler's log), by task instance id."""
    done = {}
    for line in scheduler_log.read_text(errors="replace").splitlines():
        found = re.match(r"(\S+)Z \[info\s*\] Workload finished .*workload_id=([0-9a-f-]+)", line)
        if found:
            done[found.group(2).replace("-", "")] = _stamp(found.group(1))
    return done


def _read_run(home: Path, run_id: str, cpu: float, scheduler_log: Path) -> Run:
    with sqlite3.connect(home / "airflow.db") as db:
        state, queued, started, ended = db.execute(
            "SELECT state, queued_at, start_date, end_date FROM dag_run WHERE run_id = ?", (run_id,)
        ).fetchone()
        rows = db.execute(
            "SELECT id, task_id, map_index, queued_dttm, start_date, end_date FROM task_instance "
            "WHERE run_id = ? AND start_date IS NOT NULL ORDER BY start_date",
            (run_id,),
        ).fetchall()
    worker = _worker_done(scheduler_log)
    tasks = [
        Task(
            name=t + (f"[{i}]" if i >= 0 else ""),
            queued=_stamp(q),
            started=_stamp(s),
            ended=_stamp(e),
            body=_task_body(home, run_id, t, i),
            held=(worker[ti_id] - _stamp(e)).total_seconds() if ti_id in worker else None,
        )
        for ti_id, t, i, q, s, e in rows
    ]
    return Run(state, _stamp(queued), _stamp(started), _stamp(ended), tasks, cpu)


def _idle(run: Run) -> float:
    """Seconds of the run in which no task was running (the scheduler's turn)."""
    busy, reach = 0.0, run.started
    for t in sorted(run.tasks, key=lambda t: t.started):
        start = max(t.started, reach)
        if t.ended > start:
            busy += (t.ended - start).total_seconds()
            reach = t.ended
    return run.seconds - busy


def _print_run(label: str, run: Run) -> None:
    print(f"  {label}: state {run.state}, run {run.seconds:.1f} s, CPU {run.cpu:.1f} s")
    print(
        "    task                 queued->start  start->end  own code  worker held  (s after the run started)"
    )
    for t in run.tasks:
        wait = (t.started - t.queued).total_seconds()
        took = (t.ended - t.started).total_seconds()
        body = f"{t.body:8.2f}" if t.body is not None else "       -"
        held = f"{t.held:11.2f}" if t.held is not None else "          -"
        at = (t.queued - run.started).total_seconds()
        print(f"    {t.name:20} {wait:13.2f} {took:11.2f} {body}  {held}  (queued at {at:.1f})")
    queue = sum((t.started - t.queued).total_seconds() for t in run.tasks)
    own = sum(t.body or 0.0 for t in run.tasks)
    span = sum((t.ended - t.started).total_seconds() for t in run.tasks)
    print(
        f"    no task running for {_idle(run):.1f} s of the run; {len(run.tasks)} task processes: "
        f"{span:.1f} s from start to end, {own:.1f} s in their own code, "
        f"{span - own:.1f} s task start + finish; {queue:.1f} s queued in all"
    )
    slept = [t.held for t in run.tasks if t.held is not None and t.held > 1]
    print(
        f"    executor worker still busy > 1 s after its task ended (its supervisor missed the "
        f"exit and slept): {len(slept)} of {len(run.tasks)} tasks, {sum(slept):.1f} s in all"
    )


class Bench:
    def __init__(self, home: Path, env: dict[str, str], year: int) -> None:
        self.home, self.env, self.year = home, env, year

    def cli(self, *cmd: str, env: dict[str, str] | None = None) -> None:
        subprocess.run(cmd, env=env or self.env, check=True, capture_output=True, text=True)

    def reset(self, name: str) -> dict[str, str]:
        """A fresh copy of the drive and an empty data folder (warehouse, archive, Data Docs) for
        the variant `name`; returns its environment."""
        drive, data = self.home / f"drive-{name}", self.home / f"data-{name}"
        shutil.rmtree(drive, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(self.home / "drive", drive)
        return {**self.env, "KINERJA_DRIVE_DIR": str(drive), "KINERJA_DATA_DIR": str(data)}

    @contextmanager
    def scheduler(self, name: str, env: dict[str, str]) -> Iterator[int]:
        proc = subprocess.Popen(
            ["airflow", "scheduler", "--skip-serve-logs"],
            env=env,
            stdout=(self.home / f"scheduler-{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc.pid
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
            # the executor's workers forked by the forkserver can outlive the scheduler
            for pid in _session_pids(proc.pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def run(self, run_id: str, env: dict[str, str], sessions: tuple[int, ...]) -> float:
        """Trigger `run_id`, wait until it is done; returns the CPU seconds `sessions` used."""
        cpu = sum(_tree_cpu(s) for s in sessions)
        self.cli(
            "airflow",
            "dags",
            "trigger",
            "collect_submissions",
            "--run-id",
            run_id,
            "--conf",
            json.dumps({"tahun": self.year}),
            env=env,
        )
        while True:
            time.sleep(0.5)
            with sqlite3.connect(self.home / "airflow.db") as db:
                row = db.execute("SELECT state FROM dag_run WHERE run_id = ?", (run_id,)).fetchone()
            if row and row[0] in ("success", "failed"):
                break
        return sum(_tree_cpu(s) for s in sessions) - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parallelism", type=int, default=4)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument(
        "--only", default="default,preload,tuned", help=f"variants, comma-separated: {', '.join(VARIANTS)}"
    )
    args = parser.parse_args()
    variants = args.only.split(",")
    home = Path(tempfile.mkdtemp(prefix="kinerja-dagbench-"))
    port = free_port()
    env = airflow_env(
        home,
        port,
        args.parallelism,
        AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",  # the "DagRun Finished" line (make exports WARNING)
    )
    bench = Bench(home, env, args.year)
    bench.cli("airflow", "db", "migrate")
    bench.cli("airflow", "pools", "set", "kinerja_warehouse", "2", "bench")
    bench.cli("kinerja", "sample", "--year", str(args.year), "--out", str(home / "drive"), "--seed", "1")
    bench.cli("airflow", "dags", "reserialize")  # the scheduler reads serialized DAGs; no dag-processor
    bench.cli("airflow", "dags", "unpause", "collect_submissions")

    # in one process first, on the drive as sampled (the DAG runs work on copies)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    bench.cli(
        "kinerja",
        "collect",
        "--year",
        str(args.year),
        "--source",
        str(bench.reset("inprocess")["KINERJA_DRIVE_DIR"]),
        "--warehouse",
        f"sqlite:///{home / 'inprocess.db'}",
        "--archive",
        str(home / "archive-inprocess"),
        "--json",
    )
    inprocess = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    inprocess_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime

    results: dict[str, tuple[Run, Run]] = {}
    idle: dict[str, float] = {}
    with api_server(env, port) as api:
        for name in variants:
            run_env = {**bench.reset(name), **VARIANTS[name]}
            with bench.scheduler(name, run_env) as scheduler:
                cold_cpu = bench.run(f"{name}-cold", run_env, (scheduler, api.pid))
                bench.reset(name)  # same paths, so the running scheduler's environment holds
                warm_cpu = bench.run(f"{name}-warm", run_env, (scheduler, api.pid))
                cpu = _tree_cpu(scheduler)
                time.sleep(IDLE_SECONDS)  # the workers are done with the last tasks meanwhile
                idle[name] = (_tree_cpu(scheduler) - cpu) / IDLE_SECONDS
            log = home / f"scheduler-{name}.log"
            results[name] = (
                _read_run(home, f"{name}-cold", cold_cpu, log),
                _read_run(home, f"{name}-warm", warm_cpu, log),
            )

    header()
    print(
        f"kinerja collect in one process, same files (cold: imports, migrations, Data Docs): "
        f"{inprocess:.1f} s wall, {inprocess_cpu:.1f} s CPU"
    )
    for name, (cold, warm) in results.items():
        print(f"\n{name}: {LABELS[name]} (parallelism {args.parallelism}, pool kinerja_warehouse 2)")
        _print_run("cold (scheduler just started)", cold)
        _print_run("warm (second run, same scheduler)", warm)
    print("\nratio DAG run / in-process, same bench run (target <= 1.3x):")
    for name, (cold, warm) in results.items():
        print(
            f"  {name:8} warm {warm.seconds:5.1f} s = {warm.seconds / inprocess:.2f}x wall, "
            f"CPU {warm.cpu:5.1f} s = {warm.cpu / inprocess_cpu:.2f}x; "
            f"cold {cold.seconds:5.1f} s = {cold.seconds / inprocess:.2f}x wall; "
            f"scheduler idle afterwards: {idle[name]:.3f} CPU s per s"
        )
    print(f"airflow home: {home}")


if __name__ == "__main__":
    main()
