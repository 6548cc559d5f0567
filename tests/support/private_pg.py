"""A private PostgreSQL server for tests that restart it (never the machine's shared cluster).

The binaries are found at run time (`pg_config --bindir`, else the newest Debian
/usr/lib/postgresql/<n>/bin); the cluster lives in a temp dir, listens on a free port on
127.0.0.1 only, trusts local connections, and is stopped (immediate) and removed afterwards.
As root, initdb and the server run as the `postgres` OS user (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .servers import HOST, free_port


def pg_bindir() -> Path:
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        folder = Path(done.stdout.strip())
        if done.returncode == 0 and (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3].split(".")[0])
    )
    if not found:
        pytest.fail("no PostgreSQL server binaries (initdb, pg_ctl) found for the private server")
    return Path(found[-1]).parent


class PrivatePostgres:
    def __init__(self, base: Path, port: int) -> None:
        self.base, self.port = base, port
        self.data, self.log = base / "data", base / "server.log"
        self.bindir = pg_bindir()
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
            owner = pwd.getpwnam("postgres")
            os.chown(base, owner.pw_uid, owner.pw_gid)

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@{HOST}:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stdout}{done.stderr}\n{log}")

    def _ctl(self, *args: str) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", *args)

    def init(self) -> None:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses={HOST} -c fsync=off"
        self._ctl("-o", options, "start")

    def restart(self) -> None:
        """A fast restart: every session is cut off, open transactions roll back."""
        options = f"-p {self.port} -k {self.base} -c listen_addresses={HOST} -c fsync=off"
        self._ctl("-m", "fast", "-o", options, "restart")

    def stop(self) -> None:
        self._ctl("-m", "immediate", "stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    base = Path(tempfile.mkdtemp(prefix="kinerja-pg-"))
    server = PrivatePostgres(base, free_port())
    started = False
    try:
        server.init()
        server.start()
        started = True
        yield server
    finally:
        if started:
            with contextlib.suppress(RuntimeError):  # already down
                server.stop()
        shutil.rmtree(base, ignore_errors=True)
