"""How each JPD's SPM was applied (the SPM template's Penerapan sheet), read from the warehouse.
The SPM formula itself is `kinerja.rules.spm`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, select

from kinerja.rules.numbers import exact, round_half_up
from kinerja.schema.model import TAHAP_SPM
from kinerja.warehouse.models import FACT_TABLES


@dataclass(frozen=True)
class Penerapan:
    """How a JPD's SPM was applied (the SPM template's Penerapan sheet, as in e-SPM)."""

    kode_pd: str
    kode_jpd: str
    alokasi: Decimal
    realisasi: Decimal
    tahap: dict[str, str]
    """The four stages (TAHAP_SPM) → selesai | proses | belum."""
    permasalahan: str
    solusi: str
    rencana_aksi: str

    @property
    def serapan(self) -> Decimal | None:
        return round_half_up(exact(self.realisasi) * 100 / exact(self.alokasi)) if self.alokasi else None

    @property
    def tahap_selesai(self) -> int:
        return sum(1 for v in self.tahap.values() if v == "selesai")


def penerapan_for_year(engine: Engine, tahun: int) -> list[Penerapan]:
    t = FACT_TABLES["fact_spm_penerapan"]
    with engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.tahun == tahun).order_by(t.c.kode_pd, t.c.baris)).all()
    return [
        Penerapan(
            r.kode_pd,
            r.kode_jpd,
            round_half_up(exact(r.alokasi_anggaran), 0),
            round_half_up(exact(r.realisasi_anggaran), 0),
            {name: getattr(r, f"tahap_{name}") for name, _ in TAHAP_SPM},
            r.permasalahan or "",
            r.solusi or "",
            r.rencana_aksi or "",
        )
        for r in rows
    ]
