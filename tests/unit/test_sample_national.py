"""`kinerja sample --kota N`: synthetic kota derived from Medan, each loadable from its files
alone, with its own region codes, and each drive collected like a real kota's."""

from __future__ import annotations

from pathlib import Path

from kinerja.catalog import Catalog, load_catalog
from kinerja.cli import main
from kinerja.sample import SampleShares, generate_national, synthetic_kode, synthetic_slug

from ..conftest import make_run


def test_codes_are_unique_for_a_national_year() -> None:
    codes = [synthetic_kode(n) for n in range(1, 515)]
    assert len(set(codes)) == 514
    assert all(not c.startswith("12.71") for c in codes)


def test_each_synthetic_kota_loads_and_collects(catalog: Catalog, tmp_path: Path) -> None:
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference

    shares = SampleShares(late=0, missing=0, defective=0, corrected=0)
    files = generate_national(catalog, 3, 2025, tmp_path, seed=2, shares=shares, pd_per_kota=2)
    again = generate_national(catalog, 3, 2025, tmp_path / "again", seed=2, shares=shares, pd_per_kota=2)
    assert [(f.path, f.kind) for f in files] == [(f.path, f.kind) for f in again]  # deterministic
    kode_kota = set()
    for n in (1, 2, 3):
        slug = synthetic_slug(n)
        kota = load_catalog(slug, tmp_path / "reference")
        kode_kota.add(kota.kode_wilayah)
        assert kota.kode_wilayah == synthetic_kode(n)
        assert 5 <= len(kota.kecamatan) <= 21
        assert all(w.kode.startswith(kota.kode_wilayah + ".") for w in kota.wilayah if w.tingkat != "kota")
        assert len(kota.pd_aktif(2025)) == len(catalog.pd_aktif(2025)) - 21 + len(kota.kecamatan)
        mine = [f for f in files if f.path.startswith(slug + "/")]
        assert 2 <= len({f.kode_pd for f in mine}) <= 2 and mine
        engine = engine_for(f"sqlite:///{tmp_path / slug}.db")
        migrate(engine)
        sync_reference(engine, kota)
        outcomes = make_run(engine, tmp_path / slug, kota, tmp_path / f"{slug}-work").run()
        assert {o.status for o in outcomes} == {"loaded"}, [o.errors[:2] for o in outcomes]
        assert len(outcomes) == len(mine)
        engine.dispose()
    assert len(kode_kota) == 3


def test_cli_keeps_the_single_kota_default(tmp_path: Path) -> None:
    assert main(["sample", "--year", "2025", "--out", str(tmp_path / "one"), "--seed", "1"]) == 0
    assert (tmp_path / "one" / "2025" / "DINKES").is_dir()
    assert not (tmp_path / "one" / "reference").exists()
    args = ["sample", "--year", "2025", "--out", str(tmp_path / "nat"), "--kota", "2", "--pd-per-kota", "1"]
    assert main(args) == 0
    written = sorted(p.name for p in (tmp_path / "nat").iterdir())
    assert written == ["reference", "sintetis-001", "sintetis-002"]
