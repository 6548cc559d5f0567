"""Reference data: agencies, regions, SPM/LPPD/LKPJ catalogues, calendar and scoring rules.

Everything here is read from versioned files in `kinerja/reference/` (or the folder the caller
names: `Settings.reference_dir`, from KINERJA_REFERENCE_DIR); nothing the brief marks as uncertain
is a constant in code.
"""

from kinerja.catalog.loader import (
    Bidang,
    Catalog,
    Ikk,
    Jpd,
    Kalender,
    MutuIndikator,
    Nomenklatur,
    PerangkatDaerah,
    Wilayah,
    load_catalog,
)
from kinerja.catalog.scoring import Scoring

__all__ = [
    "Bidang",
    "Catalog",
    "Ikk",
    "Jpd",
    "Kalender",
    "MutuIndikator",
    "Nomenklatur",
    "PerangkatDaerah",
    "Scoring",
    "Wilayah",
    "load_catalog",
]
