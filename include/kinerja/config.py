"""Settings from the environment, with defaults that run the embedded demo.

Every `KINERJA_*` variable is read here and nowhere else. The DAGs take credentials from
Airflow Connections; the few this holds (SMTP, IMAP, CKAN, drive password) serve the `kinerja`
command on an engineer's machine and are kept out of `repr`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SetupError(ValueError):
    """Something the operator must create or fix (a connection, a setting, an archive year).

    Retrying cannot help, so the DAGs fail such a task at once (no retry); the message says, in
    Bahasa Indonesia, what is missing and the command that creates it.
    """


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name)
    return Path(value).expanduser().resolve() if value else default


def _addresses(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.split(",") if a.strip())


DEFAULT_OPERATORS = "operator@kinerja.example"
DEFAULT_SENDER = "laporan-kinerja@kinerja.example"


@dataclass(frozen=True)
class Settings:
    """Where things live and whom we write to. Every field has an environment variable
    (`KINERJA_*`), read here and nowhere else; build one per task, command or request
    (`kinerja.runtime.Runtime`) and hand it down."""

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
    reference_dir: Path | None = None
    """Another catalogue folder (KINERJA_REFERENCE_DIR; default: the one shipped in the package)."""
    expectations_dir: Path = PROJECT_ROOT / "expectations"
    warehouse_writers: int = 2
    """Collection tasks writing to the warehouse at once: the slots of the Airflow pool
    `kinerja_warehouse`, which is created with the same variable (KINERJA_WAREHOUSE_POOL_SLOTS).
    A run splits its files into this many batches, so that they all run in one wave: each
    batch's task pays a fixed ~1 s (suites, Great Expectations' first calls, Data Docs), and a
    second wave would pay it again after the first (docs/scale.md, "The DAG burst")."""
    public_url: str = ""
    """Where `published/` is served, for catalog.jsonld's download links (relative when unset)."""
    operator_emails: tuple[str, ...] = (DEFAULT_OPERATORS,)
    email_from: str = DEFAULT_SENDER
    smtp_url: str | None = None
    """`kinerja collect` mails feedback through this server when set (DAGs: the smtp_default
    connection)."""
    imap_url: str | None = None
    """`kinerja collect` reads bounced mail (delivery reports) from this mailbox when set:
    `imap://host:port/FOLDER`, `imap+starttls://...` or `imaps://...` (DAGs: the kinerja_imap
    connection)."""
    ckan_url: str | None = None
    # Credentials for the command line only (DAGs take theirs from Airflow Connections); kept
    # out of repr so that a logged Settings never shows them.
    smtp_user: str | None = field(default=None, repr=False)
    smtp_password: str | None = field(default=None, repr=False)
    imap_user: str | None = field(default=None, repr=False)
    imap_password: str | None = field(default=None, repr=False)
    ckan_token: str | None = field(default=None, repr=False)
    drive_password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = _path(env, "KINERJA_DATA_DIR", PROJECT_ROOT / "data")
        warehouse_url = env.get("KINERJA_WAREHOUSE_URL", f"sqlite:///{data_dir / 'warehouse.db'}")
        reference = env.get("KINERJA_REFERENCE_DIR")
        return cls(
            city=env.get("KINERJA_CITY", "medan"),
            data_dir=data_dir,
            warehouse_url=warehouse_url,
            warehouse_read_url=env.get("KINERJA_WAREHOUSE_READ_URL") or warehouse_url,
            drive_dir=_path(env, "KINERJA_DRIVE_DIR", data_dir / "drive"),
            archive_dir=_path(env, "KINERJA_ARCHIVE_DIR", data_dir / "archive"),
            settle_seconds=float(env.get("KINERJA_SETTLE_SECONDS", "30")),
            reports_dir=_path(env, "KINERJA_REPORTS_DIR", data_dir / "reports"),
            data_docs_dir=None
            if env.get("KINERJA_DATA_DOCS", "1") == "0"
            else _path(env, "KINERJA_DATA_DOCS_DIR", data_dir / "gx"),
            reference_dir=Path(reference) if reference else None,
            expectations_dir=_path(env, "KINERJA_EXPECTATIONS_DIR", PROJECT_ROOT / "expectations"),
            warehouse_writers=max(1, int(env.get("KINERJA_WAREHOUSE_POOL_SLOTS") or 2)),
            public_url=env.get("KINERJA_PUBLIC_URL", "").rstrip("/"),
            operator_emails=_addresses(env.get("KINERJA_OPERATOR_EMAILS") or DEFAULT_OPERATORS),
            email_from=env.get("KINERJA_EMAIL_FROM") or DEFAULT_SENDER,
            smtp_url=env.get("KINERJA_SMTP_URL") or None,
            imap_url=env.get("KINERJA_IMAP_URL") or None,
            ckan_url=env.get("KINERJA_CKAN_URL") or None,
            smtp_user=env.get("KINERJA_SMTP_USER") or None,
            smtp_password=env.get("KINERJA_SMTP_PASSWORD") or None,
            imap_user=env.get("KINERJA_IMAP_USER") or None,
            imap_password=env.get("KINERJA_IMAP_PASSWORD") or None,
            ckan_token=env.get("KINERJA_CKAN_TOKEN") or None,
            drive_password=env.get("KINERJA_DRIVE_PASSWORD") or None,
        )
