"""A year's collection status to plan and word e-mails from (no server)."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage

import pytest
from kinerja.catalog import Catalog
from kinerja.status.collection import BELUM_MASUK, DITOLAK, TERLAMBAT, VALID, ReportStatus

TAHUN = 2025
BATAS = date(2026, 1, 26)  # calendar.yaml, tahun 2025
OPS = ("operator@kinerja.example",)


def row(catalog: Catalog, kode: str, laporan: str, status: str, received: int = 0) -> ReportStatus:
    pd = catalog.pd(kode)
    assert pd is not None
    return ReportStatus(
        kode, pd.nama, laporan, status, received, received if status == DITOLAK else 0, 0, None
    )


@pytest.fixture
def rows(catalog: Catalog) -> list[ReportStatus]:
    return [
        row(catalog, "DINKES", "SPM", BELUM_MASUK),
        row(catalog, "DINKES", "LPPD", VALID, 1),
        row(catalog, "DINKES", "LKPJ", DITOLAK, 2),
        row(catalog, "BAPPEDA", "LPPD", VALID, 1),
        row(catalog, "BAPPEDA", "LKPJ", TERLAMBAT, 1),
        row(catalog, "DINSOS", "SPM", DITOLAK, 1),
        row(catalog, "KEC-MEDAN-KOTA", "SPM", BELUM_MASUK),
    ]


def body(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())
