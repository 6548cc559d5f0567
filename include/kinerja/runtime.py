"""What a task, a command or a web request works with: settings, the warehouse and the catalogue.

Built once at the edge (a DAG task, a `kinerja` command, a plugin route) and handed down; the
modules below never read the environment or open the warehouse themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Engine

from kinerja.catalog.loader import Catalog, load_catalog
from kinerja.config import Settings
from kinerja.sources.base import Drive
from kinerja.sources.connections import DriveSpec
from kinerja.sources.url import drive_from_url
from kinerja.warehouse.db import engine_for, migrate


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    catalog: Catalog
    engine: Engine
    """The warehouse: the writer's URL, or the reader's for a `read_only` runtime."""

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        warehouse_url: str | None = None,
        city: str | None = None,
        read_only: bool = False,
        migrated: bool = False,
    ) -> Runtime:
        """`warehouse_url` and `city` override the settings (a command's flags); `read_only`
        uses `warehouse_read_url` (reports, status, publication); `migrated` brings the schema
        to head first (idempotent), for steps that may be the first to touch a new warehouse."""
        settings = settings or Settings.from_env()
        if city:
            settings = replace(settings, city=city)
        url = warehouse_url or (settings.warehouse_read_url if read_only else settings.warehouse_url)
        engine = engine_for(url)
        if migrated:
            migrate(engine)
        catalog = load_catalog(settings.city, settings.reference_dir)
        return cls(settings=settings, catalog=catalog, engine=engine)

    def drive(self, spec: DriveSpec | None = None) -> Drive:
        """The shared drive of a connection (`spec`; None or no URL: the settings' `drive_dir`),
        with the connection's password, else the settings' (KINERJA_DRIVE_PASSWORD)."""
        url = (spec and spec.url) or str(self.settings.drive_dir)
        return drive_from_url(url, password=(spec and spec.password) or self.settings.drive_password)
