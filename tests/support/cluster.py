"""The production rehearsal: the deployed topology as processes on 127.0.0.1, one yearly cycle
through it, and the faults a deployment meets.

What runs (`make rehearsal`, and `tests/rehearsal/test_rehearsal.py` inside `make test`):

* Airflow with the CeleryExecutor and the settings of `deploy/airflow.env`, the file
  docker-compose.yml reads: api-server, scheduler, dag-processor, triggerer (one Airflow home,
  the "control" host) and two Celery workers, each with its own working directory, Airflow home
  and host name, as separate machines would have. Metadata in a PostgreSQL database of its own,
  Celery results there too; the broker is the machine's Redis (under a key prefix of this run).
* The drive: a real smbd on loopback (tests/support/servers.py); the warehouse: a PostgreSQL
  database used through logins in `kinerja_loader` / `kinerja_reader` (migration 0005); mail: an
  aiosmtpd server keeping a Maildir; Satu Data: the real CKAN of the tests.
* What tasks hand to each other goes through the warehouse, the SMB share, or the one shared
  folder `KINERJA_DATA_DIR` (report staging and publication, the archive); never a worker's own
  directory.

The cycle: a sample year (defective, late and corrected files) is collected by
`collect_submissions` while one worker is SIGKILLed during `process_batch`; `compile_reports`
follows from the asset, the scheduler is restarted while it builds, the tim ahli approve through
the REST API, `sync_satu_data` follows the approval; reminders and the deadline alert of the
year are sent; then the SMB server is stopped during a scan. The end state is checked against an
in-process `kinerja collect` of the same files (content checksums), the share, the published
folder, the portal and the Maildir. Everything started here is stopped here.
"""

from __future__ import annotations

import contextlib
import io
import json
import mailbox
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = PROJECT / "deploy" / "airflow.env"
HOST = "127.0.0.1"
PATIENCE = float(os.environ.get("KINERJA_REHEARSAL_PATIENCE", "2"))
"""Multiplies every wait (a shared, loaded machine: the waits are upper bounds, not expectations)."""
TAHUN = 2025
SEED = 13
AGENCIES = ("DINKES", "DISDIKBUD", "BAPPEDA", "KEC-MEDAN-KOTA")
"""Agencies that together hand in SPM, LPPD and LKPJ: a small year that still maps batches."""
LATE_AGENCY = "DISHUB"
"""Hands in late, during the SMB outage."""
WORKERS = ("worker-1", "worker-2")
OPERATORS = "operator1@kinerja.example,operator2@kinerja.example"
PG_ADMIN_URL = os.environ.get("KINERJA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("KINERJA_REHEARSAL_REDIS", f"redis://{HOST}:6379/0")

COMPONENTS: dict[str, list[str]] = {
    "airflow-apiserver": ["api-server"],
    "airflow-scheduler": ["scheduler"],
    "airflow-dag-processor": ["dag-processor"],
    "airflow-triggerer": ["triggerer"],
    "airflow-worker": ["celery", "worker"],
}
"""The docker-compose.yml service of each component → its `airflow` command (the drift test
compares them)."""

ENDPOINTS = (
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__CORE__DAGS_FOLDER",
    "AIRFLOW__CORE__PLUGINS_FOLDER",
    "AIRFLOW_CONN_KINERJA_WAREHOUSE",
    "AIRFLOW_CONN_KINERJA_WAREHOUSE_READ",
    "AIRFLOW_CONN_KINERJA_DRIVE",
    "AIRFLOW_CONN_KINERJA_SMTP",
    "AIRFLOW_CONN_SATU_DATA_CKAN",
    "KINERJA_CITY",
    "KINERJA_DATA_DIR",
    "KINERJA_OPERATOR_EMAILS",
)
"""What differs per deployment (addresses, secrets, paths): docker-compose.yml sets exactly these
in `environment` (from .env), the rehearsal sets them to the servers it starts. Everything else
comes from deploy/airflow.env."""

REHEARSAL_ONLY = {
    # a SIGKILLed worker's task is failed, then retried, after 20 s without heartbeat (not 5 min)
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
    # workers on one machine stand for separate hosts: each reports its own name
    "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tests.support.host.name",
    "PYTHONPATH": str(PROJECT),
}
"""The only settings the rehearsal adds to the deployed ones, and why."""


def read_settings(path: Path = SETTINGS_FILE) -> dict[str, str]:
    """`KEY=value` lines of an env file (comments and blank lines skipped), as docker-compose reads them."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


# --- processes ------------------------------------------------------------------------------------
@dataclass
class Component:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "airflow", *self.argv],
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Signal the component and every process below it (task supervisors and tasks too)."""
        if self.proc is None:
            return
        import psutil

        try:
            tree = [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            tree = []
        for p in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.send_signal(sig)
        _, alive = psutil.wait_procs(tree, timeout=30)
        for p in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self, chars: int = 3000) -> str:
        return f"--- {self.name}\n" + self.log.read_text(errors="replace")[-chars:]


class Api:
    """The Airflow REST API as one user (a JWT from /auth/token)."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        answer = self._request("POST", "/auth/token", {"username": username, "password": password}, None)
        self.token = str(answer["access_token"])

    def _request(self, method: str, path: str, body: Any, token: str | None) -> Any:
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {token}"} if token else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: {exc.code} {exc.read()[:2000]!r}") from None

    def call(self, method: str, path: str, body: Any = None) -> Any:
        return self._request(method, path, body, self.token)

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> str:
        return str(
            self.call("POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})[
                "dag_run_id"
            ]
        )


@dataclass
class Rehearsal:
    base: Path
    report: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def check(self, ok: bool, what: str) -> bool:
        if not ok:
            self.problems.append(what)
        return ok


def _wait(
    what: str, probe: Callable[[], Any], timeout: float, logs: Callable[[], str], every: float = 1.0
) -> Any:
    deadline = time.monotonic() + timeout * PATIENCE
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout * PATIENCE:.0f} s\n{logs()}")
        time.sleep(every)


# --- the servers ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _databases(tag: str) -> Iterator[dict[str, str]]:
    """The warehouse (migrated by its owner) with a loader and a reader login, and the reference
    warehouse; all dropped afterwards."""
    from kinerja.catalog import load_catalog
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference
    from sqlalchemy import text

    admin = engine_for(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    names = {k: f"kinerja_rh_{k}_{tag}" for k in ("warehouse", "reference")}
    logins = {"loader": f"kinerja_rh_etl_{tag}", "reader": f"kinerja_rh_lap_{tag}"}
    server = PG_ADMIN_URL.rsplit("/", 1)[0].split("://", 1)[1].split("@", 1)[1]  # host:port
    try:
        with admin.connect() as conn:
            for db in names.values():
                conn.execute(text(f'CREATE DATABASE "{db}"'))
        owner = engine_for(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{names['warehouse']}")
        migrate(owner)  # the deployment's owner runs migrations (creates kinerja_loader/_reader)
        sync_reference(owner, load_catalog("medan"))
        owner.dispose()
        with admin.connect() as conn:
            for role, login in logins.items():
                conn.execute(text(f'CREATE ROLE "{login}" LOGIN IN ROLE kinerja_{role}'))
        yield {
            "loader": f"postgresql://{logins['loader']}@{server}/{names['warehouse']}",
            "reader": f"postgresql://{logins['reader']}@{server}/{names['warehouse']}",
            "warehouse": PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{names['warehouse']}",
            "reference": PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{names['reference']}",
        }
    finally:
        with admin.connect() as conn:
            for db in names.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            for login in logins.values():
                conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        admin.dispose()


@contextlib.contextmanager
def _smtp(base: Path) -> Iterator[tuple[int, Path]]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    from tests.support.servers import free_port

    maildir = base / "maildir"
    controller = Controller(Mailbox(maildir), hostname=HOST, port=free_port())
    controller.start()
    try:
        yield controller.port, maildir
    finally:
        controller.stop()


def _forget_redis_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


# --- Airflow as deployed -------------------------------------------------------------------------
@dataclass
class Airflow:
    """A running cluster: its components, the REST API as the tim ahli, the metadata DB."""

    components: dict[str, Component]
    api: Api
    meta: Any
    """SQLAlchemy engine on the metadata database (to watch task instances)."""
    settings: dict[str, str]

    def logs(self) -> str:
        return "\n".join(c.tail() for c in self.components.values())

    def q(self, sql: str, **params: Any) -> list[Any]:
        from sqlalchemy import text

        with self.meta.connect() as conn:
            return list(conn.execute(text(sql), params))

    def finished(self, dag_id: str, run_id: str, timeout: float) -> str:
        """Wait for a DAG run to end; returns its state."""

        def state() -> str | None:
            rows = self.q("select state from dag_run where dag_id = :d and run_id = :r", d=dag_id, r=run_id)
            return str(rows[0][0]) if rows and rows[0][0] in ("success", "failed") else None

        return str(_wait(f"{dag_id} {run_id}", state, timeout, self.logs))


@contextlib.contextmanager
def running_airflow(
    base: Path,
    deployment: dict[str, str],
    lap: Callable[[str], None] = lambda _: None,
    workers: tuple[str, ...] = WORKERS,
    changes: dict[str, str] | None = None,
) -> Iterator[Airflow]:
    """Airflow with deploy/airflow.env (+ `changes`, e.g. another executor for a benchmark) and
    the `deployment`'s connections and KINERJA_* settings: the control host's four components
    and, for the CeleryExecutor, one Celery worker per name in `workers`, each its own "host"
    (working directory, Airflow home, host name). Metadata in a PostgreSQL database of its own,
    the broker under a key prefix of its own; all stopped and dropped afterwards."""
    from kinerja.warehouse.db import engine_for
    from sqlalchemy import text

    from tests.support.servers import free_port

    tag = uuid.uuid4().hex[:8]
    settings = read_settings() | (changes or {})
    server = PG_ADMIN_URL.rsplit("/", 1)[0].split("@", 1)[1]  # host:port/
    metadata_db = f"kinerja_rh_airflow_{tag}"
    port = free_port()
    prefix = f"kinerja-rehearsal-{tag}:"
    endpoints = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@{server}/{metadata_db}",
        "AIRFLOW__CELERY__BROKER_URL": REDIS_URL,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://postgres@{server}/{metadata_db}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{HOST}:{port}/execution/",
        "AIRFLOW__CORE__FERNET_KEY": _fernet_key(),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
        **deployment,
    }
    assert set(endpoints) == set(ENDPOINTS), set(endpoints) ^ set(ENDPOINTS)
    common = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "KINERJA_", "GX_"))}
    common |= settings | endpoints | REHEARSAL_ONLY
    common |= {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX": prefix,
    }

    def host(name: str) -> tuple[dict[str, str], Path]:
        home = base / name
        home.mkdir(exist_ok=True)
        return common | {"AIRFLOW_HOME": str(home), "KINERJA_REHEARSAL_HOST": name}, home

    admin = engine_for(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    components: dict[str, Component] = {}
    with contextlib.ExitStack() as stack:
        stack.callback(admin.dispose)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{metadata_db}"'))

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{metadata_db}" WITH (FORCE)'))

        stack.callback(drop)
        stack.callback(_forget_redis_keys, prefix)
        control_env, control = host("control")
        _airflow_cli(
            control_env,
            ["db", "migrate"],
            [
                "pools",
                "set",
                "kinerja_warehouse",
                settings["KINERJA_WAREHOUSE_POOL_SLOTS"],
                "Warehouse writers",
            ],
            ["dags", "reserialize"],
            *[["dags", "unpause", d] for d in DAG_IDS],
        )
        lap("airflow init")
        args = {
            "airflow-apiserver": ["--host", HOST, "--port", str(port)],
            "airflow-scheduler": ["--skip-serve-logs"],
            "airflow-dag-processor": [],
            "airflow-triggerer": ["--skip-serve-logs"],
        }
        for service, extra in args.items():
            components[service] = Component(
                service, COMPONENTS[service] + extra, control_env, control, control / f"{service}.log"
            )
        if settings["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor":
            for name in workers:
                env, home = host(name)
                components[name] = Component(
                    name,
                    [*COMPONENTS["airflow-worker"], "--celery-hostname", f"{name}@%h", "--skip-serve-logs"],
                    env,
                    home,
                    home / "worker.log",
                )
        stack.callback(lambda: [c.stop() for c in reversed(list(components.values()))])
        for c in components.values():
            c.start()
        api_base = f"http://{HOST}:{port}"

        def logs() -> str:
            return "\n".join(c.tail() for c in components.values())

        _wait("the API server", lambda: _up(f"{api_base}/api/v2/monitor/health"), 180, logs)
        passwords = json.loads((control / "simple_auth_manager_passwords.json.generated").read_text())
        meta = engine_for(f"postgresql+psycopg://postgres@{server}/{metadata_db}")
        stack.callback(meta.dispose)
        lap("airflow start")
        yield Airflow(components, Api(api_base, "tim_ahli", passwords["tim_ahli"]), meta, settings)


# --- the cycle ------------------------------------------------------------------------------------
def rehearse(base: Path) -> dict[str, Any]:
    """Run the whole rehearsal under `base`; returns the report (with `problems`: empty when
    every check held)."""
    from kinerja.catalog import load_catalog
    from kinerja.reports.keputusan import SETUJUI
    from kinerja.sample import SampleShares, generate_year
    from kinerja.warehouse.db import engine_for
    from kinerja.warehouse.models import notification_sent, submission
    from sqlalchemy import func, select

    from tests.support.ckan_server import running_ckan
    from tests.support.servers import _samba
    from tests.support.warehouse_state import canonical_rows, feedback_state

    started = time.monotonic()
    rh = Rehearsal(base)
    tag = uuid.uuid4().hex[:8]
    catalog = load_catalog("medan")
    lap_clock = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        rh.timings[name], lap_clock[0] = round(now - lap_clock[0], 1), now
        print(f"rehearsal: {name}: {rh.timings[name]} s, problems so far {rh.problems}", file=sys.stderr)

    with contextlib.ExitStack() as stack:
        dbs = stack.enter_context(_databases(tag))
        smb, smbd = _samba(base / "samba")
        smbd.start()
        stack.callback(smbd.stop)
        smtp_port, maildir = stack.enter_context(_smtp(base))
        from sqlalchemy import create_engine

        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        stack.callback(admin.dispose)
        (base / "ckan").mkdir()
        ckan = stack.enter_context(running_ckan(admin, base / "ckan"))
        lap("servers")

        # the year on the share: defective, late and corrected files; a copy for the reference run
        share = smb.folder
        files = generate_year(
            catalog,
            TAHUN,
            share / "kota",
            seed=SEED,
            only=AGENCIES,
            shares=SampleShares(late=0.25, missing=0.1, defective=0.3, corrected=0.5),
        )
        shutil.copytree(share / "kota", share / "rujukan", copy_function=shutil.copy2)

        data_dir = base / "shared-data"  # the one storage location all hosts share
        drive_conn = {
            "conn_type": "samba",
            "host": HOST,
            "port": smb.port,
            "login": smb.username,
            "password": smb.password,
            "schema": smb.share,
            "extra": {"root": "kota"},
        }
        connections = {
            "AIRFLOW_CONN_KINERJA_WAREHOUSE": dbs["loader"],
            "AIRFLOW_CONN_KINERJA_WAREHOUSE_READ": dbs["reader"],
            "AIRFLOW_CONN_KINERJA_DRIVE": json.dumps(drive_conn),
            "AIRFLOW_CONN_KINERJA_SMTP": json.dumps(
                {
                    "conn_type": "smtp",
                    "host": HOST,
                    "port": smtp_port,
                    "extra": {
                        "disable_ssl": True,
                        "disable_tls": True,
                        "from_email": "Laporan Kinerja <laporan@kinerja.example>",
                    },
                }
            ),
            "AIRFLOW_CONN_SATU_DATA_CKAN": json.dumps(
                {"conn_type": "http", "host": ckan.url, "password": ckan.api_token}
            ),
            "KINERJA_CITY": "medan",
            "KINERJA_DATA_DIR": str(data_dir),
            "KINERJA_OPERATOR_EMAILS": OPERATORS,
        }
        # 1. the reference: an in-process `kinerja collect` of the same files (another folder of
        # the share), in a thread while Airflow starts
        reference_url = dbs["reference"]
        source = f"smb://{smb.username}@{HOST}:{smb.port}/{smb.share}/rujukan"
        pool = stack.enter_context(ThreadPoolExecutor(1))
        reference_run = pool.submit(
            _collect_in_process, source, smb.password, reference_url, base / "ref-archive"
        )
        af = stack.enter_context(running_airflow(base, connections, lap))
        api, q = af.api, af.q

        def finished(dag_id: str, run_id: str, timeout: float) -> str:
            state = af.finished(dag_id, run_id, timeout)
            rh.check(state == "success", f"{dag_id} {run_id} ended {state}")
            return state

        reference_run.result()  # 1. the in-process collection, run while Airflow started
        lap("reference collect (in-process) done")

        # 2. collect_submissions through the cluster; one worker SIGKILLed in process_batch
        collect_run = api.trigger("collect_submissions", {"tahun": TAHUN})

        def running_batch() -> tuple[int, str] | None:
            rows = q(
                "select map_index, hostname from task_instance where dag_id = 'collect_submissions' "
                "and run_id = :r and task_id = 'process_batch' and state = 'running' and hostname <> ''",
                r=collect_run,
            )
            return (int(rows[0][0]), str(rows[0][1])) if rows else None

        map_index, victim = _wait("a running process_batch", running_batch, 300, af.logs, every=0.2)
        time.sleep(2)  # into its work (imports, first files), not at its first instruction
        af.components[victim].stop(signal.SIGKILL)
        killed_at = time.monotonic()
        finished("collect_submissions", collect_run, 420)
        run_done_after_kill = round(time.monotonic() - killed_at, 1)
        lap("collect_submissions (worker killed)")
        retried = q(
            "select try_number, hostname, state from task_instance where dag_id = 'collect_submissions' "
            "and run_id = :r and task_id = 'process_batch' and map_index = :m",
            r=collect_run,
            m=map_index,
        )
        survivor = next(w for w in WORKERS if w != victim)
        recovered = rh.check(
            bool(retried) and retried[0][0] >= 2 and retried[0][1] == survivor and retried[0][2] == "success",
            f"process_batch[{map_index}] after killing {victim}: {retried}",
        )
        af.components[victim].start()  # the host comes back

        warehouse = engine_for(dbs["warehouse"])
        reference = engine_for(reference_url)
        stack.callback(warehouse.dispose)
        stack.callback(reference.dispose)
        same_rows = _content(warehouse) == _content(reference)
        same_feedback = feedback_state(share / "kota") == feedback_state(share / "rujukan")
        rh.check(same_rows, "warehouse content differs from the in-process collection")
        rh.check(same_feedback, "feedback on the share differs from the in-process collection's")

        # 3. compile_reports from the asset; the scheduler restarted while it builds; approval via REST
        compile_run = _wait(
            "compile_reports triggered by the asset",
            lambda: (r := q("select run_id from dag_run where dag_id = 'compile_reports'")) and str(r[0][0]),
            180,
            af.logs,
        )
        _wait(
            "build_reports running",
            lambda: q(
                "select 1 from task_instance where dag_id = 'compile_reports' and task_id = 'build_reports' "
                "and state in ('running', 'success')"
            ),
            300,
            af.logs,
            every=0.3,
        )
        scheduler = af.components["airflow-scheduler"]
        scheduler.stop()
        scheduler.start()
        _wait(
            "review_reports waiting for the tim ahli",
            lambda: q(
                "select 1 from task_instance where dag_id = 'compile_reports' and run_id = :r "
                "and task_id = 'review_reports' and state in ('deferred', 'awaiting_input')",
                r=compile_run,
            ),
            420,
            af.logs,
        )
        api.call(
            "PATCH",
            f"/api/v2/dags/compile_reports/dagRuns/{compile_run}/taskInstances/review_reports/-1/hitlDetails",
            {"chosen_options": [SETUJUI], "params_input": {"alasan": "Sesuai (gladi produksi)"}},
        )
        finished("compile_reports", compile_run, 300)
        lap("compile_reports (scheduler restarted, approved)")
        sync_run = _wait(
            "sync_satu_data triggered by the approval",
            lambda: (r := q("select run_id from dag_run where dag_id = 'sync_satu_data'")) and str(r[0][0]),
            180,
            af.logs,
        )
        finished("sync_satu_data", sync_run, 420)
        lap("sync_satu_data")

        # 4. reminders (H-7, again the same day: nothing twice) and the deadline alert
        for dag_id, day in (
            ("send_reminders", "2026-01-19"),
            ("send_reminders", "2026-01-19"),
            ("send_reminders", "2026-01-25"),
            ("alert_deadline", "2026-01-27"),
        ):
            finished(dag_id, api.trigger(dag_id, {"tahun": TAHUN, "tanggal": day}), 300)
        lap("reminders and deadline alert")

        # 5. the SMB server unreachable during a scan: retried, nothing marked done meanwhile
        api.call("PATCH", "/api/v2/dags/compile_reports", {"is_paused": True})  # no second review
        before = canonical_rows(warehouse)
        late = generate_year(
            catalog,
            TAHUN,
            share / "kota",
            seed=SEED,
            only=(LATE_AGENCY,),
            shares=SampleShares(late=1, missing=0, defective=0, corrected=0),
        )
        smbd.stop()
        outage_run = api.trigger("collect_submissions", {"tahun": TAHUN})
        failed_scan = _wait(
            "a task failing on the unreachable drive",
            lambda: q(
                "select task_id from task_instance where dag_id = 'collect_submissions' and run_id = :r "
                "and state = 'up_for_retry'",
                r=outage_run,
            ),
            300,
            af.logs,
        )
        untouched = canonical_rows(warehouse) == before
        rh.check(untouched, "the warehouse changed while the drive was unreachable")
        smbd.start()
        finished("collect_submissions", outage_run, 420)
        with warehouse.connect() as conn:
            late_rows = conn.execute(
                select(submission.c.status, submission.c.terlambat).where(submission.c.kode_pd == LATE_AGENCY)
            ).all()
        rh.check(
            len(late_rows) == len(late) and all(r.status == "loaded" and r.terlambat for r in late_rows),
            f"late files after the outage: {late_rows}",
        )
        lap("SMB outage during a scan")

        # 6. the end state
        published = data_dir / "reports" / "published" / str(TAHUN)
        (built,) = q(
            "select value from xcom where dag_id = 'compile_reports' and run_id = :r "
            "and task_id = 'build_reports' and key = 'return_value'",
            r=compile_run,
        )[0]
        approved_staging = Path((built if isinstance(built, dict) else json.loads(built))["staging"])
        rh.check(
            _tree(published) == _tree(approved_staging), "the published folder is not the approved staging"
        )
        datasets = _portal_matches(published / "satu-data", ckan.url, ckan.api_token, rh)
        messages = [m for m in mailbox.Maildir(maildir, create=False)]
        with warehouse.connect() as conn:
            recorded = conn.execute(
                select(notification_sent.c.kind, notification_sent.c.kode_pd, notification_sent.c.key)
            ).all()
            statuses = Counter(conn.execute(select(submission.c.status)).scalars())
            total = conn.execute(select(func.count()).select_from(submission)).scalar()
        rh.check(
            len(messages) == len(recorded) == len(set(recorded)) > 0,
            f"{len(messages)} mails, {len(recorded)} recorded ({len(set(recorded))} distinct)",
        )
        rh.check(
            any(kind == "batas" for kind, _, _ in recorded),
            f"no deadline alert among {sorted({k for k, _, _ in recorded})}",
        )
        # every file processed in any run (the late ones too) has both feedback files on the share
        with warehouse.connect() as conn:
            processed = conn.execute(select(submission.c.path, submission.c.feedback_path)).all()
        feedback_written = sum(
            1
            for _, fb in processed
            if fb and (share / "kota" / fb).is_file() and _workbook_beside(share / "kota" / fb).is_file()
        )
        rh.check(
            feedback_written == len(processed), f"feedback for {feedback_written} of {len(processed)} files"
        )
        ran = _tasks_per_worker(q)
        rh.check(all(ran.get(w) for w in WORKERS), f"tasks per worker: {ran}")
        rh.report = {
            "executor": af.settings["AIRFLOW__CORE__EXECUTOR"],
            "workers": ran,
            "files": len(files) + len(late),
            "loaded": statuses.get("loaded", 0),
            "rejected": statuses.get("rejected", 0),
            "feedback_written": feedback_written,
            "reports_published": sum(1 for p in published.rglob("*") if p.is_file()),
            "ckan_datasets": datasets,
            "notifications": len(messages),
            "worker_killed_recovered": recovered and same_rows and same_feedback,
            "worker_killed": victim,
            "run_done_after_kill_s": run_done_after_kill,
            "scheduler_restarted": True,
            "smb_outage_retried": {"failed": sorted({r[0] for r in failed_scan}), "untouched": untouched},
            "submissions": total,
            "phases_s": rh.timings,
        }
    rh.report["seconds"] = round(time.monotonic() - started, 1)
    rh.report["problems"] = rh.problems
    return rh.report


DAG_IDS = ("collect_submissions", "compile_reports", "sync_satu_data", "send_reminders", "alert_deadline")


def _collect_in_process(source: str, password: str, warehouse: str, archive: Path) -> None:
    """`kinerja collect --json` (its output discarded); the drive's password from the environment,
    as the CLI takes it."""
    from kinerja.cli import main as kinerja

    os.environ["KINERJA_DRIVE_PASSWORD"] = password
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            kinerja(
                [
                    *("collect", "--year", str(TAHUN), "--source", source),
                    *("--warehouse", warehouse, "--archive", str(archive), "--json"),
                ]
            )
    finally:
        del os.environ["KINERJA_DRIVE_PASSWORD"]


def _content(engine: Any) -> dict[str, str]:
    """Content checksums of the tables a collection writes (submissions, issues, facts:
    tests/support/warehouse_state.py), with the drive's name (its URL: the two runs read two
    folders of one share) left out. The cluster also mails each file's feedback (notification
    ledger), which the in-process reference run has no SMTP server for: that is checked apart."""
    import hashlib

    from kinerja.warehouse.models import submission
    from sqlalchemy import select

    from tests.support.warehouse_state import canonical_rows

    with engine.connect() as conn:
        drives = list(conn.execute(select(submission.c.drive).distinct()).scalars())
    out = {}
    for table, rows in canonical_rows(engine).items():
        if not table.startswith(("submission", "fact_")):
            continue
        text = "\n".join(rows)
        for drive in drives:
            text = text.replace(repr(drive), "'<drive>'")
        out[table] = f"{len(rows)}:" + hashlib.sha256(text.encode()).hexdigest()
    return out


def _workbook_beside(html: Path) -> Path:
    """`<name>.umpan-balik.xlsx` beside the recorded `<name>.umpan-balik.html`."""
    return html.with_suffix(".xlsx")


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def _airflow_cli(env: dict[str, str], *argvs: list[str]) -> None:
    """Airflow CLI commands in one process (each process costs seconds of imports)."""
    script = (
        "import sys, json; from airflow.cli.cli_parser import get_parser; p = get_parser()\n"
        "for argv in json.loads(sys.argv[1]):\n    a = p.parse_args(argv); a.func(a)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(argvs)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode:
        raise RuntimeError(f"airflow {argvs} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")


def _tree(folder: Path) -> dict[str, str]:
    import hashlib

    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _portal_matches(folder: Path, url: str, token: str, rh: Rehearsal) -> int:
    """Datasets on the portal equal to the approved export: the sync's own plan, by content
    hash, finds nothing to create or update."""
    from kinerja.satudata.ckan import portal_client, sync_year

    plan = sync_year(portal_client(url, token), folder, dry_run=True).to_json()
    steps = plan["langkah"]
    pending = [s for s in steps if s["op"] != "unchanged"]
    rh.check(not pending, f"the portal differs from the approved export: {pending[:5]}")
    return len({s["name"] for s in steps if s["target"] == "dataset"})


def _tasks_per_worker(q: Callable[..., list[Any]]) -> dict[str, list[str]]:
    """Worker → the task attempts it ran (`dag.task[map]`; a killed attempt marked so)."""
    rows = q(
        "select hostname, dag_id, task_id, map_index, state from task_instance where hostname <> '' "
        "union all select hostname, dag_id, task_id, map_index, state from task_instance_history "
        "where hostname <> ''"
    )
    out: dict[str, list[str]] = {}
    for host, dag_id, task_id, map_index, state in rows:
        label = f"{dag_id}.{task_id}" + (f"[{map_index}]" if map_index >= 0 else "")
        out.setdefault(str(host), []).append(
            label + ("" if state in ("success", "skipped") else f" ({state})")
        )
    return {k: sorted(v) for k, v in sorted(out.items())}
