"""The presentation tables of a reporting year, one module per section of the report, each with
`tables(r, kode_pd)`: the kota's tables (`kode_pd` None) or one PD's (only its own rows).

`city_tables` and `pd_tables` put them in reading order; the renderers (render_xlsx, render_html,
render_pdf, docx) and the PD bundles (kinerja.publish) draw from them.
"""

from __future__ import annotations

from kinerja.reports.table import Table
from kinerja.reports.tables import (
    lkpj,
    lppd,
    makro,
    pengumpulan,
    perbandingan,
    ringkasan,
    spm,
    tindak_lanjut,
)
from kinerja.reports.year import YearReport

READING_ORDER = (ringkasan, spm, lppd, lkpj, makro, tindak_lanjut, pengumpulan, perbandingan)


def city_tables(r: YearReport) -> list[Table]:
    """Every table of the kota's report, in reading order."""
    return [t for section in READING_ORDER for t in section.tables(r, None)]


def pd_tables(r: YearReport, kode_pd: str) -> list[Table]:
    """The tables of one PD's website bundle (only its own rows)."""
    return [t for section in READING_ORDER for t in section.tables(r, kode_pd) if t.rows]
