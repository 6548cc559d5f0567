"""What the pipeline needs of a shared drive: list, read, and write feedback.

Layout on every drive (documented in the README):
    <tahun>/<KODE_PD>/<any name>.xlsx          what the agency hands in
    <tahun>/<KODE_PD>/umpan-balik/...          what we write back (feedback)
The pipeline never modifies, moves or deletes an agency's file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Protocol

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


class Drive(Protocol):
    name: str
    """Stable identifier of the drive, stored in the manifest (e.g. 'local', a connection id)."""

    def list_files(self, tahun: int) -> Iterator[DriveFile]: ...

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
