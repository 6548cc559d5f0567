"""A local (or locally mounted) folder as a shared drive."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

from kinerja.sources.base import FEEDBACK_FOLDER, DriveFile, UnsafePathError, is_submission, safe_relative

log = logging.getLogger(__name__)


class LocalDrive:
    def __init__(self, root: Path, name: str = "local") -> None:
        self.root = root.resolve()
        self.name = name

    def _inside(self, path: str) -> Path:
        full = (self.root / safe_relative(path)).resolve()
        if not full.is_relative_to(self.root):
            raise ValueError(f"path leaves the drive: {path!r}")
        return full

    def list_files(self, tahun: int) -> Iterator[DriveFile]:
        year_dir = self.root / str(tahun)
        if not year_dir.is_dir():
            return
        for pd_dir in sorted(year_dir.iterdir()):
            if not pd_dir.is_dir() or pd_dir.is_symlink() or pd_dir.name.startswith("."):
                continue
            for entry in sorted(os.scandir(pd_dir), key=lambda e: e.name):
                if entry.name == FEEDBACK_FOLDER or not is_submission(entry.name):
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue  # symlinks could point at another agency's folder
                path = f"{tahun}/{pd_dir.name}/{entry.name}"
                try:
                    safe_relative(path)
                except UnsafePathError:
                    log.warning("refused: a file name that could leave its folder: %r", path)
                    continue
                st = entry.stat(follow_symlinks=False)
                yield DriveFile(path, st.st_size, st.st_mtime)

    def read_bytes(self, path: str, max_bytes: int) -> bytes:
        with self._inside(path).open("rb") as f:
            return f.read(max_bytes + 1)

    def write_bytes(self, path: str, data: bytes) -> None:
        target = self._inside(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
