"""A real CKAN 2.11 portal on 127.0.0.1 for the Satu Data publishing tests.

`running_ckan` (the session fixture `ckan_server` of fixtures.py) gives a `CkanServer`: CKAN from
PyPI (`ckan/requirements.txt`, pinned) in its own virtualenv, with the `datastore` plugin, backed by
the machine's PostgreSQL (a fresh CKAN database, a DataStore database and its write / read-only
roles, all dropped at teardown) and Redis (a non-zero db index; only the keys of this site are
removed at teardown). The search index is the
in-memory Solr stand-in of `ckan/solr_standin.py`, the only part that is not the real thing.

The virtualenv lives outside the repository, in `$XDG_CACHE_HOME` (or ~/.cache)
`/laporan-kinerja/ckan-<hash of requirements.txt>`: built once (under a file lock, so parallel pytest
runs wait for each other), reused afterwards. `KINERJA_CKAN_VENV` points the fixture at another one.

`ckan_fault_proxy` (fixtures.py, per test) puts a `FaultProxy` (fault_proxy.py) in front of the portal.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import ckanapi
import psycopg
import pytest
from sqlalchemy import Engine, text

from . import net
from .ckan.solr_standin import SolrStandin
from .fault_proxy import FaultProxy
from .net import HOST, free_port

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "ckan" / "requirements.txt"
ENSURE_PACKAGES = HERE.parents[1] / "scripts" / "ensure-system-packages.sh"
# What building the venv needs from Debian: psycopg2 compiles against libpq; python-magic loads libmagic.
BUILD_PACKAGES = ("libpq-dev", "libmagic1", "gcc")
REDIS_URL = os.environ.get("KINERJA_TEST_CKAN_REDIS", f"redis://{HOST}:6379/11")
SYSADMIN = "kinerja_admin"
START_TIMEOUT = 120.0


def tail(log: Path, lines: int = 60) -> str:
    return net.tail(log, lines)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process started with start_new_session=True, and whatever it forked."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


# --- the virtualenv ---------------------------------------------------------------------------------


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "laporan-kinerja"


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else ["python3", "-m", "uv"]


def _clean_env(venv: Path | None = None) -> dict[str, str]:
    """The environment for the CKAN venv's programs: not the project's venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    if venv is not None:
        env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    return env


def ckan_venv() -> Path:
    """The CKAN virtualenv for requirements.txt, built when missing. Returns its folder."""
    if override := os.environ.get("KINERJA_CKAN_VENV"):
        return Path(override)
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:16]
    root = _cache_root()
    root.mkdir(parents=True, exist_ok=True)
    venv, ready = root / f"ckan-{digest}", root / f"ckan-{digest}" / ".kinerja-ready"
    if ready.exists():
        return venv
    with (root / f"ckan-{digest}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another pytest may be building it: wait for that one
        if ready.exists():
            return venv
        started = time.monotonic()
        shutil.rmtree(venv, ignore_errors=True)  # a build that was interrupted
        _ensure_build_packages()
        log = root / f"ckan-{digest}.build.log"
        with log.open("w") as out:
            for cmd in (
                [*_uv(), "venv", "--quiet", "--python", "3.11", str(venv)],
                [*_uv(), "pip", "install", "--python", str(venv / "bin" / "python"), "-r", str(REQUIREMENTS)],
            ):
                done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=_clean_env())
                if done.returncode != 0:
                    shutil.rmtree(venv, ignore_errors=True)
                    pytest.fail(f"building the CKAN venv failed ({' '.join(cmd[-4:])}):\n{tail(log)}")
        ready.write_text(f"built in {time.monotonic() - started:.1f} s\n")
    return venv


def _ensure_build_packages() -> None:
    done = subprocess.run(["bash", str(ENSURE_PACKAGES), *BUILD_PACKAGES], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(
            f"the CKAN venv needs {' '.join(BUILD_PACKAGES)}, which could not be installed with "
            f"scripts/ensure-system-packages.sh:\n{(done.stdout + done.stderr)[-2000:]}"
        )


# --- the server -------------------------------------------------------------------------------------


@dataclass
class CkanServer:
    """A running CKAN: `url`, a sysadmin's `api_token`, `client()` for ckanapi, `stop()` / `start()`."""

    url: str
    api_token: str
    port: int
    sysadmin: str
    site_id: str
    venv: Path
    config: Path
    log: Path
    solr: SolrStandin
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds each start-up step took (venv, databases, config, db init, ..., web), and `total`."""
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def client(self, url: str | None = None, api_token: str | None = None) -> ckanapi.RemoteCKAN:
        """A ckanapi client for this portal (or for `url`, e.g. a FaultProxy in front of it)."""
        return ckanapi.RemoteCKAN(
            url or self.url,
            apikey=self.api_token if api_token is None else api_token,
            user_agent="laporan-kinerja-tests",
        )

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the web server on `port` (again) and wait until the API answers."""
        if not self.running:
            self._launch()
        self._wait_until_up(timeout)

    def _launch(self) -> None:
        with self.log.open("ab") as out:
            self._proc = subprocess.Popen(
                [
                    *(str(self.venv / "bin" / "ckan"), "-c", str(self.config), "run"),
                    *("--host", HOST, "--port", str(self.port), "--disable-reloader", "--threaded"),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.config.parent,
                env=_clean_env(self.venv),
                start_new_session=True,
            )

    def stop(self) -> None:
        """Stop the web server (the databases, Redis and the search index stay)."""
        if self._proc is not None:
            _stop(self._proc)
            self._proc = None

    def cli(self, *args: str, input: str | None = None) -> str:
        """Run `ckan -c ckan.ini ARGS` in the CKAN venv; returns its output, fails the test on error."""
        return _ckan(self.venv, self.config, *args, input=input)

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        status = f"{self.url}/api/3/action/status_show"
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                pytest.fail(f"CKAN exited with {self._proc.returncode}:\n{tail(self.log)}")
            if ckan_is_reachable(self.url):
                return
            time.sleep(0.2)
        pytest.fail(f"CKAN did not answer {status} within {timeout:.0f} s:\n{tail(self.log)}")


def _ckan(venv: Path, config: Path, *args: str, input: str | None = None) -> str:
    cmd = [str(venv / "bin" / "ckan"), "-c", str(config), *args]
    done = subprocess.run(
        cmd, input=input, capture_output=True, text=True, cwd=config.parent, env=_clean_env(venv)
    )
    if done.returncode != 0:
        pytest.fail(f"`ckan {' '.join(args[:3])}` exited with {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


@dataclass
class _Databases:
    """A CKAN database and a DataStore database with their three roles, on the admin's cluster."""

    admin: Engine
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    @property
    def names(self) -> dict[str, str]:
        t = self.tag
        return {
            "maindb": f"ckan_test_{t}",
            "datastoredb": f"ckan_test_{t}_ds",
            "mainuser": f"ckan_test_{t}",
            "writeuser": f"ckan_test_{t}_w",
            "readuser": f"ckan_test_{t}_r",
        }

    def url(self, user: str, db: str) -> str:
        u = self.admin.url
        password = f":{u.password}" if u.password else ""
        return f"postgresql://{user}{password}@{u.host or HOST}:{u.port or 5432}/{db}"

    def create(self) -> None:
        n = self.names
        with self.admin.connect() as conn:
            for role in ("mainuser", "writeuser", "readuser"):
                password = f" PASSWORD '{self.admin.url.password}'" if self.admin.url.password else ""
                conn.execute(
                    text(f'CREATE ROLE "{n[role]}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE{password}')
                )
            conn.execute(text(f'CREATE DATABASE "{n["maindb"]}" OWNER "{n["mainuser"]}" ENCODING \'UTF8\''))
            conn.execute(
                text(f'CREATE DATABASE "{n["datastoredb"]}" OWNER "{n["writeuser"]}" ENCODING \'UTF8\'')
            )

    def apply(self, script: str) -> None:
        """Run `ckan datastore set-permissions` output as the superuser, honouring its `\\connect`."""
        u = self.admin.url
        parts = re.split(r"^\\connect\s+(\S+)\s*$", script, flags=re.M)
        if ";" in re.sub(r"/\*.*?\*/|--[^\n]*", "", parts[0], flags=re.S):
            raise AssertionError(f"set-permissions printed SQL before its first \\connect:\n{parts[0]}")
        for db, chunk in zip(parts[1::2], parts[2::2], strict=True):
            with psycopg.connect(
                host=u.host or HOST, port=u.port or 5432, user=u.username, password=u.password,
                dbname=db.strip('"'), autocommit=True,
            ) as conn:  # fmt: skip
                conn.execute(chunk.encode())

    def drop(self) -> None:
        n = self.names
        with self.admin.connect() as conn:
            for db in ("datastoredb", "maindb"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{n[db]}" WITH (FORCE)'))
            for role in ("readuser", "writeuser", "mainuser"):
                conn.execute(text(f'DROP ROLE IF EXISTS "{n[role]}"'))


def _forget_redis_keys(venv: Path, site_id: str) -> None:
    """Remove what this site put in Redis (its job queues), with the CKAN venv's redis client."""
    script = (
        "import sys, redis\n"
        "r = redis.Redis.from_url(sys.argv[1]); site = sys.argv[2]\n"
        "keys = list(r.scan_iter(match=f'*{site}*'))\n"
        "r.delete(*keys) if keys else None\n"
        "for m in r.smembers('rq:queues'):\n"
        "    if site.encode() in m: r.srem('rq:queues', m)\n"
    )
    subprocess.run(
        [str(venv / "bin" / "python"), "-c", script, REDIS_URL, site_id],
        capture_output=True,
        env=_clean_env(venv),
        timeout=30,
    )


def _configure(venv: Path, base: Path, dbs: _Databases, solr_url: str, port: int, site_id: str) -> Path:
    config = base / "ckan.ini"
    n = dbs.names
    # `ckan generate config` once per venv (it is the same but for SECRET_KEY, set anew below).
    template = venv / "kinerja-generated-ckan.ini"
    if not template.exists():
        fresh = base / "generated.ini"
        _ckan_plain(venv, base, "generate", "config", str(fresh))
        os.replace(fresh, template)
    shutil.copyfile(template, config)
    settings = {
        "SECRET_KEY": secrets.token_urlsafe(24),
        "sqlalchemy.url": dbs.url(n["mainuser"], n["maindb"]),
        "ckan.datastore.write_url": dbs.url(n["writeuser"], n["datastoredb"]),
        "ckan.datastore.read_url": dbs.url(n["readuser"], n["datastoredb"]),
        "ckan.plugins": "activity datastore",
        "solr_url": solr_url,
        "ckan.redis.url": REDIS_URL,
        "ckan.site_url": f"http://{HOST}:{port}",
        "ckan.site_id": site_id,
        "ckan.storage_path": str(base / "storage"),
        "ckan.devserver.threaded": "true",
        "debug": "false",
    }
    _ckan_plain(venv, base, "config-tool", str(config), *(f"{k}={v}" for k, v in settings.items()))
    return config


def _ckan_plain(venv: Path, cwd: Path, *args: str) -> None:
    """A `ckan` command that needs no config file (generate config, config-tool)."""
    done = subprocess.run(
        [str(venv / "bin" / "ckan"), *args], capture_output=True, text=True, cwd=cwd, env=_clean_env(venv)
    )
    if done.returncode != 0:
        pytest.fail(f"`ckan {' '.join(args[:2])}` exited with {done.returncode}:\n{done.stderr[-3000:]}")


@contextlib.contextmanager
def running_ckan(pg_admin: Engine, base: Path) -> Iterator[CkanServer]:
    """Everything `ckan_server` does, as a context manager: start, yield, tear all of it down."""
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name], clock = round(now - clock, 2), now

    venv = ckan_venv()
    lap("venv")
    schema = next((venv / "lib").glob("python3*/site-packages/ckan/config/solr/schema.xml"))
    with contextlib.ExitStack() as cleanup:
        solr = SolrStandin.from_file(schema).start()
        cleanup.callback(solr.stop)
        dbs = _Databases(pg_admin)
        cleanup.callback(dbs.drop)
        dbs.create()
        lap("databases")
        site_id = f"kinerja-test-{dbs.tag}"
        cleanup.callback(_forget_redis_keys, venv, site_id)
        port = free_port()
        config = _configure(venv, base, dbs, solr.url, port, site_id)
        lap("config")
        with ThreadPoolExecutor(1) as pool:  # both load CKAN (seconds each): side by side
            permissions = pool.submit(_ckan, venv, config, "datastore", "set-permissions")
            _ckan(venv, config, "db", "init")
            dbs.apply(permissions.result())
        lap("db init, datastore set-permissions")
        server = CkanServer(
            url=f"http://{HOST}:{port}",
            api_token="",
            port=port,
            sysadmin=SYSADMIN,
            site_id=site_id,
            venv=venv,
            config=config,
            log=base / "ckan.log",
            solr=solr,
            timings=timings,
        )
        cleanup.callback(server.stop)
        server._launch()  # the web server loads while the sysadmin and the token are made
        # `sysadmin add` of a user that does not exist yet asks whether to create it: yes.
        who = (f"email={SYSADMIN}@example.invalid", f"password={uuid.uuid4().hex}")
        _ckan(venv, config, "sysadmin", "add", SYSADMIN, *who, input="y\n")
        lap("sysadmin add")
        server.api_token = _ckan(venv, config, "user", "token", "add", SYSADMIN, "kinerja-tests").split()[-1]
        lap("user token add")
        server.start()
        lap("web server")
        timings["total"] = round(sum(timings.values()), 2)
        yield server


def ckan_is_reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/3/action/status_show", timeout=5) as answer:
            return bool(json.load(answer).get("success"))
    except (OSError, ValueError, urllib.error.URLError):
        return False


__all__ = ["CkanServer", "FaultProxy", "ckan_venv", "running_ckan"]
