"""A folder on an SSH server as a shared drive, through `paramiko` (what the sftp provider uses).

SFTP (version 3, all paramiko speaks) reports modification times in whole seconds, so the
manifest of an SFTP drive holds whole-second mtimes; that is stable from run to run.
"""

from __future__ import annotations

import base64
import contextlib
import posixpath
import stat
import uuid

import paramiko

from kinerja.sources.base import Entry, ListedDrive, safe_relative


class SftpDrive(ListedDrive):
    def __init__(
        self,
        host: str,
        username: str,
        password: str | None = None,
        port: int = 22,
        root: str = ".",
        key_file: str | None = None,
        name: str = "sftp",
        host_key: str | None = None,
    ) -> None:
        """`host_key` ("ssh-ed25519 AAAA...") pins the server's key; without it the server must be
        in the user's known_hosts. Unknown servers are refused: a password never goes to a stranger."""
        self.host, self.port, self.username = host, port, username
        self.root = root or "."
        self.name = name
        self._password, self._key_file, self._host_key = password, key_file, host_key
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None

    def __repr__(self) -> str:  # never show the password
        return f"SftpDrive({self.name!r})"

    @property
    def sftp(self) -> paramiko.SFTPClient:
        """One connection per drive, opened on first use and reopened if the server dropped it."""
        transport = self._client.get_transport() if self._client else None
        if self._sftp is None or transport is None or not transport.is_active():
            self.close()
            client = paramiko.SSHClient()
            if self._host_key:
                key_type, key_data = self._host_key.split()[:2]
                known = self.host if self.port == 22 else f"[{self.host}]:{self.port}"
                key = paramiko.PKey.from_type_string(key_type, base64.b64decode(key_data))
                client.get_host_keys().add(known, key_type, key)
            else:
                client.load_system_host_keys()
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
            client.connect(
                self.host,
                self.port,
                self.username,
                password=self._password,
                key_filename=self._key_file,
                allow_agent=False,
                look_for_keys=False,
                timeout=30,
            )
            self._client, self._sftp = client, client.open_sftp()
        return self._sftp

    def _path(self, path: str) -> str:
        return posixpath.join(self.root, safe_relative(path))

    def entries(self, folder: str) -> list[Entry]:
        """Plain entries of one folder (readdir reports links as links), sorted; none if missing."""
        try:
            found = self.sftp.listdir_attr(self._path(folder))
        except FileNotFoundError:
            return []
        out = []
        for e in found:
            mode = e.st_mode or 0
            if stat.S_ISDIR(mode) or stat.S_ISREG(mode):  # links could point at another agency's folder
                size = 0 if stat.S_ISDIR(mode) else e.st_size or 0
                out.append(Entry(e.filename, stat.S_ISDIR(mode), size, float(e.st_mtime or 0)))
        return sorted(out, key=lambda e: e.name)

    def read_bytes(self, path: str, max_bytes: int) -> bytes:
        with self.sftp.open(self._path(path), "rb") as f:
            # Pipelined reads, but never more than the caller could accept.
            f.prefetch(min(f.stat().st_size or 0, max_bytes + 1))
            data: bytes = f.read(max_bytes + 1)
            return data

    def write_bytes(self, path: str, data: bytes) -> None:
        rel = safe_relative(path)
        folder = posixpath.dirname(rel)
        self._makedirs(folder)
        target = self._path(rel)
        # Readers never see a half-written file: write aside in the same folder, then rename over.
        tmp = self._path(posixpath.join(folder, f".{posixpath.basename(rel)}.{uuid.uuid4().hex[:8]}.tmp"))
        try:
            with self.sftp.open(tmp, "wb") as f:
                f.set_pipelined(True)
                f.write(data)
            self.sftp.posix_rename(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                self.sftp.remove(tmp)
            raise

    def _makedirs(self, folder: str) -> None:
        current = ""
        for part in folder.split("/") if folder else []:
            current = posixpath.join(current, part)
            try:
                self.sftp.mkdir(self._path(current))
            except OSError:
                if not stat.S_ISDIR(self.sftp.stat(self._path(current)).st_mode or 0):
                    raise

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = self._sftp = None
