"""A local (or locally mounted) folder as a shared drive."""

from __future__ import annotations

import os
from pathlib import Path

from kinerja.sources.base import Entry, ListedDrive, safe_relative


class LocalDrive(ListedDrive):
    def __init__(self, root: Path, name: str = "local") -> None:
        self.root = root.resolve()
        self.name = name

    def _inside(self, path: str) -> Path:
        full = (self.root / safe_relative(path)).resolve()
        if not full.is_relative_to(self.root):
            raise ValueError(f"path leaves the drive: {path!r}")
        return full

    def entries(self, folder: str) -> list[Entry]:
        # No resolve() per folder (it was 40 % of a listing): the walk reaches a folder only
        # through entries below that are no links, and the root itself is resolved.
        try:
            found = list(os.scandir(self.root / safe_relative(folder)))
        except (FileNotFoundError, NotADirectoryError):
            return []
        out = []
        for entry in found:
            if entry.is_symlink():
                continue  # could point at another agency's folder
            is_dir = entry.is_dir(follow_symlinks=False)
            if not (is_dir or entry.is_file(follow_symlinks=False)):
                continue  # sockets, fifos, devices
            st = entry.stat(follow_symlinks=False)
            out.append(Entry(entry.name, is_dir, 0 if is_dir else st.st_size, st.st_mtime))
        return sorted(out, key=lambda e: e.name)

    def read_bytes(self, path: str, max_bytes: int) -> bytes:
        with self._inside(path).open("rb") as f:
            return f.read(max_bytes + 1)

    def write_bytes(self, path: str, data: bytes) -> None:
        target = self._inside(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
