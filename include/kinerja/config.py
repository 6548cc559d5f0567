"""Settings from the environment, with defaults that run the embedded demo.

Secrets never live here: credentials come from Airflow Connections (DAGs) or a URL the
engineer passes on the command line (CLI).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SetupError(ValueError):
    """Something the operator must create or fix (a connection, a setting, an archive year).

    Retrying cannot help, so the DAGs fail such a task at once (no retry); the message says, in
    Bahasa Indonesia, what is missing and the command that creates it.
    """


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    """Where things live. Every field has an environment variable (`KINERJA_*`)."""

    city: str
    data_dir: Path
    warehouse_url: str
    warehouse_read_url: str
    """For reports, publication and status only: on PostgreSQL a login in `kinerja_reader`,
    which cannot write (KINERJA_WAREHOUSE_READ_URL; default: the warehouse URL)."""
    drive_dir: Path
    archive_dir: Path
    settle_seconds: float
    reports_dir: Path
    """Staging and published reports (`staging/<tahun>/<run>`, `published/<tahun>`)."""
    data_docs_dir: Path | None
    """Great Expectations results and Data Docs for operators; KINERJA_DATA_DOCS=0 disables."""

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = _path("KINERJA_DATA_DIR", PROJECT_ROOT / "data")
        warehouse_url = os.environ.get("KINERJA_WAREHOUSE_URL", f"sqlite:///{data_dir / 'warehouse.db'}")
        return cls(
            city=os.environ.get("KINERJA_CITY", "medan"),
            data_dir=data_dir,
            warehouse_url=warehouse_url,
            warehouse_read_url=os.environ.get("KINERJA_WAREHOUSE_READ_URL") or warehouse_url,
            drive_dir=_path("KINERJA_DRIVE_DIR", data_dir / "drive"),
            archive_dir=_path("KINERJA_ARCHIVE_DIR", data_dir / "archive"),
            settle_seconds=float(os.environ.get("KINERJA_SETTLE_SECONDS", "30")),
            reports_dir=_path("KINERJA_REPORTS_DIR", data_dir / "reports"),
            data_docs_dir=None
            if os.environ.get("KINERJA_DATA_DOCS", "1") == "0"
            else _path("KINERJA_DATA_DOCS_DIR", data_dir / "gx"),
        )
