"""What the pipeline needs of a shared drive: list, read, and write feedback.

Layout on every drive (documented in the README):
    <tahun>/<KODE_PD>/<any name>.xlsx          what the agency hands in
    <tahun>/<KODE_PD>/umpan-balik/...          what we write back (feedback)
The pipeline never modifies, moves or deletes an agency's file.

Every drive walks a year the same way (`ListedDrive.survey`): it only says what one folder holds
(`entries`); what is taken, and what is refused and why, is decided here once.
"""

from __future__ import annotations

import logging
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal, Protocol

log = logging.getLogger(__name__)

FEEDBACK_FOLDER = "umpan-balik"


class DriveUnavailable(ConnectionError):
    """The shared drive cannot be reached (server down, connection lost): an infrastructure
    fault, retried by the task; nothing was marked done for the file being handled."""

    def __init__(self, drive: str, cause: BaseException) -> None:
        super().__init__(
            f"Shared drive {drive} tidak dapat dihubungi ({type(cause).__name__}: {cause}). "
            "Tidak ada berkas yang ditandai selesai; jalankan lagi setelah server kembali."
        )


class UnsafePathError(ValueError):
    """A path that would leave the drive's root or the agency's folder."""


@dataclass(frozen=True)
class DriveFile:
    path: str
    """Relative POSIX path from the drive's root, e.g. '2025/DINKES/spm.xlsx'."""
    size: int
    mtime: float
    """Modification time, seconds since the epoch (UTC): when the copy landed on the drive."""

    @property
    def tahun_folder(self) -> str:
        return PurePosixPath(self.path).parts[0]

    @property
    def kode_pd_folder(self) -> str:
        return PurePosixPath(self.path).parts[1]


Refusal = Literal["nama", "tempat", "subfolder"]
REFUSALS: dict[str, str] = {
    "nama": "nama berkas atau folder tidak aman (mis. garis miring terbalik, karakter yang bisa "
    "dibaca sebagai jalur lain, atau bukan teks UTF-8)",
    "tempat": "berkas langsung di folder tahun, bukan di folder PD",
    "subfolder": "berkas di dalam sub-folder folder PD",
}
"""Why a file on the drive is not taken, in the words shown to agencies and operators."""


@dataclass(frozen=True)
class RefusedFile:
    """Something an agency put on the drive that the collection does not take, and why."""

    path: str
    """Relative path from the drive's root as people should see it: names that are no valid
    UTF-8 show U+FFFD. Never used to read or write (it may be unsafe: that can be the reason)."""
    size: int
    mtime: float
    reason: Refusal
    kode_pd_folder: str | None
    """The agency folder it sits in, when that folder's own name is safe; None for a file
    directly under `<tahun>/` (it belongs to no agency)."""
    raw: bytes = b""
    """The exact name bytes (UTF-8, undecodable bytes kept), to tell two refused paths apart."""


@dataclass(frozen=True)
class Entry:
    """One plain entry of a folder (not hidden by the server, not a link)."""

    name: str
    is_dir: bool
    size: int
    mtime: float


class Drive(Protocol):
    name: str
    """Stable identifier of the drive, stored in the manifest (e.g. 'local', a connection id)."""

    def list_files(self, tahun: int) -> Iterator[DriveFile]: ...

    def survey(self, tahun: int) -> Iterator[DriveFile | RefusedFile]: ...

    def read_bytes(self, path: str, max_bytes: int) -> bytes: ...

    def write_bytes(self, path: str, data: bytes) -> None: ...


def safe_relative(path: str) -> str:
    """A relative path as given (the exact name on the drive), refusing anything that could
    escape the root: absolute, `..`, NUL, and also what some servers or clients would turn into
    those (a backslash, a fullwidth slash or dot, Unicode compatibility forms)."""
    readings = {path, path.replace("\\", "/"), unicodedata.normalize("NFKC", path).replace("\\", "/")}
    for text in readings:
        pure = PurePosixPath(text)
        if (
            not pure.parts
            or pure.is_absolute()
            or any(p in ("..", ".") for p in pure.parts)
            or "\x00" in text
        ):
            raise UnsafePathError(f"unsafe path: {path!r}")
    return PurePosixPath(path).as_posix()


def is_submission(name: str) -> bool:
    """A file an agency handed in: every file of its folder but Excel's lock files and hidden
    files. Whatever is no .xlsx workbook (a CSV, PDF, Word file, zip) is rejected with a reason
    and feedback, never silently ignored: the agency believes it handed something in."""
    return not name.startswith((".", "~$"))


MAX_DEPTH = 4
"""Sub-folder levels below an agency's folder walked to report files put there."""
MAX_REFUSED_PER_FOLDER = 200
"""Refused entries reported per agency folder; a dumped tree beyond that is only logged."""


def _raw(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def _shown(path: str) -> str:
    return _raw(path).decode("utf-8", "replace").replace("\x00", "\ufffd")


def _unsafe(path: str) -> bool:
    """A path we never read or write: one that could escape, or that no database could store."""
    try:
        safe_relative(path)
        path.encode("utf-8")
    except (UnsafePathError, UnicodeEncodeError):
        return True
    return False


class ListedDrive(ABC):
    """The year's walk shared by every drive; a drive only lists one folder (`entries`)."""

    @abstractmethod
    def entries(self, folder: str) -> list[Entry]:
        """Plain entries of `folder` (relative, already known safe), sorted by name; none when
        it does not exist. Links are left out: they could show one agency's file as another's."""

    def list_files(self, tahun: int) -> Iterator[DriveFile]:
        """The files the collection takes: `<tahun>/<folder>/<file>`, oldest layout first."""
        return (f for f in self.survey(tahun) if isinstance(f, DriveFile))

    def survey(self, tahun: int) -> Iterator[DriveFile | RefusedFile]:
        """Every file of the year's folder: taken (`DriveFile`) or refused with the reason."""
        year = str(tahun)
        for top in self.entries(year):
            if not is_submission(top.name):
                continue
            path = f"{year}/{top.name}"
            if not top.is_dir:
                reason: Refusal = "nama" if _unsafe(path) else "tempat"
                yield RefusedFile(_shown(path), top.size, top.mtime, reason, None, _raw(path))
            elif _unsafe(path):  # an agency folder we cannot even open safely: report the folder
                yield RefusedFile(_shown(path) + "/", 0, top.mtime, "nama", None, _raw(path))
            else:
                yield from self._agency_folder(path, top.name)

    def _agency_folder(self, folder: str, kode: str) -> Iterator[DriveFile | RefusedFile]:
        refused = 0
        for item, depth in self._walk(folder, 0):
            path = f"{folder}/{item.name}" if depth == 0 else item.name
            if depth == 0 and not item.is_dir and not _unsafe(path):
                yield DriveFile(path, item.size, item.mtime)
                continue
            if refused == MAX_REFUSED_PER_FOLDER:
                log.warning("%s: more than %d files refused; the rest only logged", folder, refused)
            refused += 1
            if refused > MAX_REFUSED_PER_FOLDER:
                continue
            reason: Refusal = "nama" if _unsafe(path) else "subfolder"
            shown = _shown(path) + ("/" if item.is_dir else "")
            yield RefusedFile(shown, item.size, item.mtime, reason, kode, _raw(path))

    def _walk(self, folder: str, depth: int) -> Iterator[tuple[Entry, int]]:
        """What an agency folder holds: its own entries (depth 0, named as they are), then for
        each safe sub-folder the files in it, named by their whole path (depth >= 1). Unsafe
        names are yielded, never opened; our feedback folder is skipped."""
        for item in self.entries(folder):
            if not is_submission(item.name) or (depth == 0 and item.name == FEEDBACK_FOLDER and item.is_dir):
                continue
            path = f"{folder}/{item.name}"
            if not item.is_dir or _unsafe(path):
                yield (item if depth == 0 else Entry(path, item.is_dir, item.size, item.mtime)), depth
            elif depth < MAX_DEPTH:
                yield from self._walk(path, depth + 1)
            else:
                log.warning("%s: sub-folders deeper than %d levels are not walked", path, MAX_DEPTH)
