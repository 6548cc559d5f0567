"""Real file servers for the drive tests, bound to 127.0.0.1 only, all their state in a temp dir.

- Samba: the Debian `smbd`, installed on demand by scripts/ensure-system-packages.sh, run in the
  foreground on a free high port with a private config, passdb, locks and logs.
- SFTP: an in-process asyncssh server on its own event loop thread, chrooted to a temp folder.

Each server fixture is session-scoped; tests get a fresh folder inside the share (`fresh_root`).
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kinerja.sources.sftp import SftpDrive
from kinerja.sources.smb import SmbDrive

from tests.support.net import HOST, free_port, tail

ENSURE_PACKAGES = Path(__file__).resolve().parents[2] / "scripts" / "ensure-system-packages.sh"
SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"smbd exited with {proc.returncode}:\n{tail(log)}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"smbd did not listen on {HOST}:{port} within {timeout:.0f} s:\n{tail(log)}")


@dataclass
class Server:
    kind: str
    port: int
    username: str
    password: str
    folder: Path
    """The folder the server serves, on this machine: tests put files here directly."""
    share: str = ""
    host_key: str = ""

    def fresh_root(self) -> str:
        """A new, empty folder inside the served folder, for one test."""
        name = f"t-{uuid.uuid4().hex[:10]}"
        (self.folder / name).mkdir()
        return name

    def drive(self, root: str) -> SmbDrive | SftpDrive:
        if self.kind == "smb":
            return SmbDrive(HOST, self.share, self.username, self.password, port=self.port, root=root)
        return SftpDrive(
            HOST, self.username, self.password, port=self.port, root=f"/{root}", host_key=self.host_key
        )


def _smbd() -> tuple[str, str]:
    if not (shutil.which("smbd", path=SBIN_PATH) and shutil.which("smbpasswd", path=SBIN_PATH)):
        done = subprocess.run(["bash", str(ENSURE_PACKAGES), "samba"], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(
                "Samba (smbd) is needed for the SMB drive tests and could not be installed "
                f"with scripts/ensure-system-packages.sh samba:\n{(done.stdout + done.stderr)[-2000:]}"
            )
    smbd, smbpasswd = shutil.which("smbd", path=SBIN_PATH), shutil.which("smbpasswd", path=SBIN_PATH)
    if not (smbd and smbpasswd):
        pytest.fail("the samba package is installed but smbd / smbpasswd are not on PATH or in /usr/sbin")
    return smbd, smbpasswd


SMB_CONF = """\
[global]
  server role = standalone server
  workgroup = KINERJA
  interfaces = {host}
  bind interfaces only = yes
  smb ports = {port}
  disable netbios = yes
  server min protocol = SMB2_10
  map to guest = never
  passdb backend = tdbsam:{state}/private/passdb.tdb
  private dir = {state}/private
  state directory = {state}/state
  lock directory = {state}/lock
  cache directory = {state}/cache
  pid directory = {state}/pid
  ncalrpc dir = {state}/ncalrpc
  log file = {state}/log/smbd.log
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  usershare max shares = 0

[{share}]
  path = {folder}
  read only = no
  browseable = yes
  valid users = {user}
  follow symlinks = no
"""


class Smbd:
    """One smbd on its private config: `stop()` it mid-test, `start()` it again on the same port."""

    def __init__(self, smbd: str, conf: Path, port: int, log: Path) -> None:
        self.smbd, self.conf, self.port, self.log = smbd, conf, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [self.smbd, "--foreground", "--no-process-group", "--debug-stdout", "-s", str(self.conf)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends smbd and its children
            )
        wait_for_port(self.port, self.proc, self.log)

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None


def _samba(base: Path) -> tuple[Server, Smbd]:
    """A configured, not yet started smbd serving `base/share` as `drive`."""
    smbd, smbpasswd = _smbd()
    state, folder = base / "state", base / "share"
    for sub in ("private", "state", "lock", "cache", "pid", "ncalrpc", "log"):
        (state / sub).mkdir(parents=True)
    (state / "private").chmod(0o700)
    folder.mkdir()
    # smbd maps a Samba account onto a Unix user: ours is the user running the tests (no useradd).
    user, password, port = getpass.getuser(), secrets.token_urlsafe(12), free_port()
    conf = base / "smb.conf"
    conf.write_text(
        SMB_CONF.format(host=HOST, port=port, state=state, share="drive", folder=folder, user=user)
    )
    added = subprocess.run(
        [smbpasswd, "-c", str(conf), "-a", "-s", user],
        input=f"{password}\n{password}\n",
        capture_output=True,
        text=True,
    )
    if added.returncode != 0:
        pytest.fail(f"smbpasswd could not add {user!r}: {added.stdout}{added.stderr}")
    server = Server("smb", port, user, password, folder, share="drive")
    return server, Smbd(smbd, conf, port, base / "smbd.out")


@pytest.fixture(scope="session")
def smb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server, smbd = _samba(tmp_path_factory.mktemp("samba"))
    try:
        smbd.start()
        yield server
    finally:
        smbd.stop()


@pytest.fixture
def stoppable_smb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Smbd]]:
    """A Samba server of the test's own, which the test may stop and start again."""
    server, smbd = _samba(tmp_path_factory.mktemp("samba-own"))
    try:
        smbd.start()
        yield server, smbd
    finally:
        smbd.stop()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        os.killpg(proc.pid, signal.SIGKILL)  # whatever is left: a stuck smbd or its forked children
    except ProcessLookupError:
        pass  # the whole group is gone already
    proc.wait()


@pytest.fixture(scope="session")
def sftp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import asyncssh

    folder = tmp_path_factory.mktemp("sftp")
    user, password = "kinerja", secrets.token_urlsafe(12)
    key = asyncssh.generate_private_key("ssh-ed25519")

    connections: set[asyncssh.SSHServerConnection] = set()

    class PasswordOnly(asyncssh.SSHServer):
        def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
            connections.add(conn)

        def begin_auth(self, username: str) -> bool:
            return True

        def password_auth_supported(self) -> bool:
            return True

        def validate_password(self, username: str, pw: str) -> bool:
            return secrets.compare_digest(username, user) and secrets.compare_digest(pw, password)

    async def start() -> asyncssh.SSHAcceptor:
        return await asyncssh.listen(
            HOST,
            0,
            server_factory=PasswordOnly,
            server_host_keys=[key],
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=os.fsencode(folder)),
            allow_scp=False,
        )

    async def stop(acceptor: asyncssh.SSHAcceptor) -> None:
        acceptor.close()
        await acceptor.wait_closed()
        for conn in list(connections):  # clients the tests left open
            conn.close()
            await conn.wait_closed()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sftp-server", daemon=True)
    thread.start()
    try:
        acceptor = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
        try:
            port = int(acceptor.sockets[0].getsockname()[1])
            public_key = key.export_public_key().decode().strip()
            yield Server("sftp", port, user, password, folder, host_key=public_key)
        finally:
            asyncio.run_coroutine_threadsafe(stop(acceptor), loop).result(timeout=30)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
