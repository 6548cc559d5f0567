"""What a collection leaves behind, in a form two runs can be compared by: the warehouse's content
without what legitimately differs between runs, the feedback on the drive, the archive.

Columns left out of the comparison, and why:
- `id` of every table: surrogate keys from sequences. PostgreSQL never gives back a sequence value
  of a rolled-back transaction, so after a killed run the same rows carry other ids.
- `submission_id` (issues, facts, `submission_current`): such an id; it is replaced by the natural
  key of the submission it points to, (drive, path, version), so a fact row pointing at the wrong
  version still shows.
- `submission.first_seen` and `submission.processed_at`: the wall-clock time of the run.
Everything else (manifest sizes, times, checksums, versions, status, late flags, archive keys,
feedback paths, every issue and every fact value) must be equal.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kinerja.sources.base import FEEDBACK_FOLDER
from kinerja.warehouse.models import metadata, submission
from sqlalchemy import Engine, select

RUN_DEPENDENT = {"submission": {"id", "first_seen", "processed_at"}}


def canonical_rows(engine: Engine) -> dict[str, list[str]]:
    """Every table's rows, sorted, without the run-dependent columns (see the module's docstring)."""
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        natural = {
            r.id: (r.drive, r.path, r.version)
            for r in conn.execute(
                select(submission.c.id, submission.c.drive, submission.c.path, submission.c.version)
            )
        }
        for table in metadata.sorted_tables:
            skip = RUN_DEPENDENT.get(table.name, {"id"})
            rows = []
            for r in conn.execute(select(table)):
                values: dict[str, Any] = {k: v for k, v in r._mapping.items() if k not in skip}
                if "submission_id" in values:
                    values["submission_id"] = natural.get(
                        values["submission_id"], ("dangling", values["submission_id"])
                    )
                rows.append(repr(sorted(values.items())))
            out[table.name] = sorted(rows)
    return out


def canonical_checksums(engine: Engine) -> dict[str, str]:
    """Content checksum of every table, run-dependent columns left out, row order ignored."""
    return {
        name: f"{len(rows)}:" + hashlib.sha256("\n".join(rows).encode()).hexdigest()
        for name, rows in canonical_rows(engine).items()
    }


def differences(engine: Engine, expected: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """Per table, the rows only in the warehouse and the rows only in `expected` (for messages)."""
    got = canonical_rows(engine)
    out = {}
    for name in expected.keys() | got.keys():
        a, b = Counter(got.get(name, [])), Counter(expected.get(name, []))
        if a != b:
            out[name] = {"extra": sorted((a - b).elements())[:5], "missing": sorted((b - a).elements())[:5]}
    return out


def versions_problems(engine: Engine, paths: Iterable[str]) -> list[str]:
    """Each file present, each content recorded once per file, versions numbered 1..n."""
    problems = []
    with engine.connect() as conn:
        rows = conn.execute(select(submission.c.path, submission.c.version, submission.c.sha256)).all()
    by_path: dict[str, list[tuple[int, str]]] = {}
    for r in rows:
        by_path.setdefault(r.path, []).append((r.version, r.sha256))
    for path in paths:
        if path not in by_path:
            problems.append(f"{path}: never recorded")
    for path, versions in by_path.items():
        numbers = sorted(v for v, _ in versions)
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"{path}: versions {numbers}")
        shas = Counter(s for _, s in versions)
        problems += [f"{path}: content {s[:10]} recorded {n} times" for s, n in shas.items() if n > 1]
    return problems


def feedback_state(drive_root: Path) -> dict[str, str]:
    """The feedback files on a local drive, by content. A workbook is a zip whose
    `docProps/core.xml` carries the time it was written: every other member is compared."""
    import zipfile

    out: dict[str, str] = {}
    for path in sorted(drive_root.rglob("*")):
        if not path.is_file() or FEEDBACK_FOLDER not in path.parts:
            continue
        digest = hashlib.sha256()
        if path.suffix == ".xlsx" and not path.name.startswith("."):
            with zipfile.ZipFile(path) as z:
                for name in sorted(z.namelist()):
                    if name != "docProps/core.xml":
                        digest.update(name.encode() + b"\0" + z.read(name))
        else:
            digest.update(path.read_bytes())
        out[path.relative_to(drive_root).as_posix()] = digest.hexdigest()
    return out


def archive_problems(archive_dir: Path, engine: Engine) -> list[str]:
    """Every archived version is there under its checksum, complete; nothing else but temporary
    files of a killed process (`.<name>.<pid>.tmp`, harmless: never read, never named in the
    warehouse)."""
    with engine.connect() as conn:
        keys = set(conn.execute(select(submission.c.archive_key)).scalars())
    problems = []
    present = set()
    for path in archive_dir.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(archive_dir).as_posix()
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            continue
        present.add(rel)
        if hashlib.sha256(path.read_bytes()).hexdigest() != path.name.split(".")[0]:
            problems.append(f"{rel}: content does not match its checksum")
    problems += [f"{k}: named in the warehouse, not archived" for k in sorted(keys - present)]
    problems += [f"{k}: archived, not in the warehouse" for k in sorted(present - keys)]
    return problems


def leftover_tmp(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name.startswith(".") and p.name.endswith(".tmp")
    )


def copy_drive(src: Path, dst: Path) -> None:
    """A copy of a local drive keeping every file's modification time (the received time)."""
    import shutil

    shutil.copytree(src, dst, copy_function=shutil.copy2)
    for path in src.rglob("*"):
        st = path.stat()
        os.utime(dst / path.relative_to(src), ns=(st.st_atime_ns, st.st_mtime_ns))


class PgDatabases:
    """Fresh warehouses on a PostgreSQL server, cloned from one migrated template (fast); every
    database made here is dropped by `drop_all`."""

    def __init__(self, admin: Engine, catalog: Any) -> None:
        import uuid

        from kinerja.warehouse.db import engine_for, migrate
        from kinerja.warehouse.load import sync_reference

        self.admin = admin
        self.prefix = f"kinerja_fault_{uuid.uuid4().hex[:8]}"
        self.made: list[str] = []
        self.template = self._create(f"{self.prefix}_tmpl")
        engine = engine_for(self.url(self.template))
        try:
            migrate(engine)
            sync_reference(engine, catalog)
        finally:
            engine.dispose()  # a template must have no session while it is copied

    def url(self, name: str) -> str:
        return self.admin.url.set(database=name).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None = None) -> str:
        from sqlalchemy import text

        self.made.append(name)
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        return name

    def fresh(self) -> str:
        """The URL of a new warehouse, migrated, reference tables filled, no submission."""
        return self.url(self._create(f"{self.prefix}_{len(self.made)}", self.template))

    def drop_all(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            for name in reversed(self.made):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.made.clear()


def recorded_paths(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(submission.c.path)).scalars())


def empty_warehouse(url: str) -> None:
    """Back to a just-migrated warehouse: every submission, issue, fact and notification gone
    (the reference tables stay). Much faster than a new database on a busy server."""
    from kinerja.warehouse.db import engine_for
    from kinerja.warehouse.models import REFERENCE_TABLES
    from sqlalchemy import text

    names = [t.name for t in metadata.sorted_tables if t not in REFERENCE_TABLES]
    engine = engine_for(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY"))
    finally:
        engine.dispose()


@dataclass
class CleanRun:
    """What one uninterrupted collection made of a sample drive, to compare later runs with."""

    drive: Path
    """The pristine sample drive: each case works on a copy."""
    paths: list[str]
    rows: dict[str, list[str]]
    feedback: dict[str, Any]

    def assert_matched(self, engine: Engine, drive: Path, archive: Path) -> None:
        """The warehouse, the drive's feedback and the archive are what the clean run left."""
        assert differences(engine, self.rows) == {}
        assert versions_problems(engine, self.paths) == []
        assert feedback_state(drive) == self.feedback
        assert archive_problems(archive, engine) == []
