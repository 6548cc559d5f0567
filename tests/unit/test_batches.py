"""A collection run maps one batch per slot of the warehouse pool, agencies kept together."""

from __future__ import annotations

from kinerja.config import Settings
from kinerja.pipeline import plan_batches
from kinerja.sources.base import DriveFile

AGENCIES = ("DINKES", "DINSOS", "BAPPEDA", "SETDA", "DLH")
FILES = [
    DriveFile(f"2025/{pd}/{pd}_{laporan}_2025.xlsx", 1000, float(n))
    for n, (pd, laporan) in enumerate((pd, laporan) for pd in AGENCIES for laporan in ("LKPJ", "LPPD"))
]


def test_the_pool_size_sets_the_batches_of_a_run() -> None:
    for slots, expected in (("4", 4), ("2", 2), ("", 2), (None, 2), ("0", 1)):
        env = {} if slots is None else {"KINERJA_WAREHOUSE_POOL_SLOTS": slots}
        writers = Settings.from_env(env).warehouse_writers
        batches = plan_batches(FILES, writers)
        assert (writers, len(batches)) == (expected, expected)
        owners = [{f.kode_pd_folder for f in b.files} for b in batches]
        assert sum(len(o) for o in owners) == 5, "each agency's files in one batch"
        assert sorted(f.path for b in batches for f in b.files) == sorted(f.path for f in FILES)
