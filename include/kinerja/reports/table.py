"""What a report table is: typed rows under columns (`Table`, `Col`), in one of the report's
sections. Every renderer (xlsx, HTML, PDF, docx, CSV) draws the same tables and formats the cells
itself (kinerja.cells): Indonesian numbers in documents (95,89 %), numbers as numbers in xlsx,
machine format in CSV. The tables of each section are built in `tables/`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar


@dataclass(frozen=True)
class Col:
    key: str
    """Machine name: the CSV header."""
    header: str
    """What a reader sees (Bahasa Indonesia)."""
    kind: str = "text"
    """text | int | rp (Rupiah) | dec (as many places as the value has) | pct (dec + ' %') | datetime"""
    width: int = 12


@dataclass(frozen=True)
class Table:
    name: str
    """Sheet name (unique, at most 31 characters) and CSV file stem."""
    title: str
    section: str
    cols: tuple[Col, ...]
    rows: list[tuple[Any, ...]]
    note: str = ""
    detail: bool = False
    """Long detail tables: an appendix in the PDF."""

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "_" for c in self.name.lower()).strip("_")


SEC_RINGKASAN = "Ringkasan"
SEC_SPM = "Standar Pelayanan Minimal (SPM)"
SEC_LPPD = "Laporan Penyelenggaraan Pemerintahan Daerah (LPPD)"
SEC_LKPJ = "Laporan Keterangan Pertanggungjawaban (LKPJ)"
SEC_TL = "Tindak Lanjut Rekomendasi DPRD"
SEC_KUMPUL = "Pengumpulan Data"
SEC_YOY = "Perbandingan Tahunan"
SECTIONS = (SEC_RINGKASAN, SEC_SPM, SEC_LPPD, SEC_LKPJ, SEC_TL, SEC_KUMPUL, SEC_YOY)


def columns(*specs: tuple[str, str, str, int] | tuple[str, str, str] | tuple[str, str]) -> tuple[Col, ...]:
    """Columns from (key, header[, kind[, width]]); the width defaults by kind."""
    out = []
    for s in specs:
        kind = s[2] if len(s) > 2 else "text"
        default = {"text": 24, "int": 12, "rp": 18, "dec": 12, "pct": 11, "datetime": 17}[kind]
        out.append(Col(s[0], s[1], kind, s[3] if len(s) > 3 else default))
    return tuple(out)


class _OfPd(Protocol):
    @property
    def kode_pd(self) -> str: ...


_Row = TypeVar("_Row", bound=_OfPd)


def of_pd(items: Iterable[_Row], kode_pd: str | None) -> list[_Row]:
    """The kota's rows (`kode_pd` None: all of them) or only one PD's."""
    return [x for x in items if kode_pd is None or x.kode_pd == kode_pd]
