"""A Windows / Samba share as a shared drive, through `smbclient` (the `smbprotocol` package).

`smbprotocol` is what the Airflow samba provider's SambaHook wraps, so this adds no dependency;
but this module takes plain arguments so that `kinerja` never imports Airflow.

Links are skipped as on the other drives: Windows reports symlinks and junctions as reparse
points. Samba instead shows a symlink as the file it points to, so a Samba server holding the
drive should set `follow symlinks = no` on the share (links then stay invisible to clients).
"""

from __future__ import annotations

import contextlib
import errno
import uuid
from collections.abc import Iterator
from typing import Any

import smbclient
from smbprotocol.exceptions import SMBConnectionClosed
from smbprotocol.file_info import FileAttributes

from kinerja.sources.base import DriveUnavailable, Entry, ListedDrive, safe_relative

# Reparse points (symlinks, junctions) could point at another agency's folder; hidden entries
# are Windows' own (desktop.ini, Thumbs.db).
_SKIPPED = FileAttributes.FILE_ATTRIBUTE_REPARSE_POINT | FileAttributes.FILE_ATTRIBUTE_HIDDEN
_NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ETIMEDOUT, errno.EHOSTUNREACH, errno.EPIPE}


@contextlib.contextmanager
def _server_faults(where: str) -> Iterator[None]:
    """smbprotocol reports a server that is gone in several ways, depending on when it notices:
    the session's socket closed, the reconnection refused (a ValueError), a socket error."""
    try:
        yield
    except SMBConnectionClosed as exc:
        raise DriveUnavailable(where, exc) from exc
    except ValueError as exc:
        if str(exc).startswith("Failed to connect"):
            raise DriveUnavailable(where, exc) from exc
        raise
    except OSError as exc:
        if isinstance(exc, ConnectionError | TimeoutError) or exc.errno in _NETWORK_ERRNOS:
            raise DriveUnavailable(where, exc) from exc
        raise


class SmbDrive(ListedDrive):
    def __init__(
        self,
        host: str,
        share: str,
        username: str,
        password: str,
        port: int = 445,
        root: str = "",
        name: str = "smb",
    ) -> None:
        self.host = host
        self.share = share
        self.root = safe_relative(root.strip("/\\")) if root.strip("/\\") else ""
        self.name = name
        # A cache of our own, so two drives (or a test's servers) never share a session by accident.
        self._cache: dict[str, Any] = {}
        # smbclient looks sessions up by host *and* port: every call must name the port again.
        self._kw: dict[str, Any] = {
            "username": username,
            "password": password,
            "port": port,
            "connection_cache": self._cache,
        }
        self._where = f"\\\\{host}\\{share} ({name})"
        with _server_faults(self._where):
            smbclient.register_session(host, **self._kw)

    def __repr__(self) -> str:  # never show the password
        return f"SmbDrive({self.name!r})"

    def _unc(self, path: str = "") -> str:
        parts = [self.root, safe_relative(path) if path else ""]
        rel = "/".join(p for p in parts if p).replace("/", "\\")
        return f"\\\\{self.host}\\{self.share}" + (f"\\{rel}" if rel else "")

    def _folders(self, unc: str) -> list[Any]:
        """Entries of one folder, sorted by name; none when it does not exist."""
        try:
            entries = list(smbclient.scandir(unc, **self._kw))
        except OSError as exc:  # smbclient's SMBOSError carries the errno of the NT status
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return []
            raise
        return sorted(entries, key=lambda e: e.name)

    @staticmethod
    def _plain(entry: Any) -> bool:
        """Not hidden, not a link: the dir entry already carries the attributes (no extra call)."""
        return not (entry.name.startswith(".") or entry.smb_info.file_attributes & _SKIPPED)

    def entries(self, folder: str) -> list[Entry]:
        with _server_faults(self._where):
            return [
                Entry(
                    e.name,
                    e.is_dir(follow_symlinks=False),
                    0 if e.is_dir(follow_symlinks=False) else e.smb_info.end_of_file,
                    e.smb_info.last_write_time.timestamp(),
                )
                for e in self._folders(self._unc(folder))
                if self._plain(e) and (e.is_dir(follow_symlinks=False) or e.is_file(follow_symlinks=False))
            ]

    def read_bytes(self, path: str, max_bytes: int) -> bytes:
        with _server_faults(self._where), smbclient.open_file(self._unc(path), mode="rb", **self._kw) as f:
            data: bytes = f.read(max_bytes + 1)
            return data

    def write_bytes(self, path: str, data: bytes) -> None:
        with _server_faults(self._where):
            self._write_bytes(path, data)

    def _write_bytes(self, path: str, data: bytes) -> None:
        rel = safe_relative(path)
        folder, _, filename = rel.rpartition("/")
        if folder:
            smbclient.makedirs(self._unc(folder), exist_ok=True, **self._kw)
        target = self._unc(rel)
        # Readers of the share never see a half-written file: write aside, then replace.
        tmp = self._unc(f"{folder}/.{filename}.{uuid.uuid4().hex[:8]}.tmp".lstrip("/"))
        try:
            with smbclient.open_file(tmp, mode="wb", **self._kw) as f:
                f.write(data)
            smbclient.replace(tmp, target, **self._kw)
        except BaseException:
            with contextlib.suppress(OSError):
                smbclient.remove(tmp, **self._kw)
            raise

    def close(self) -> None:
        """Log off and disconnect (also done at interpreter exit)."""
        smbclient.reset_connection_cache(fail_on_error=False, connection_cache=self._cache)
