"""The reference data is consistent, and a second kota needs files, not code."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from kinerja.catalog import Catalog, load_catalog
from kinerja.catalog.loader import KECAMATAN, REFERENCE_DIR

GOLDEN = json.loads((Path(__file__).parents[1] / "data" / "spm_golden.json").read_text())


def test_spm_catalogue_matches_the_golden_case(catalog: Catalog) -> None:
    assert [j.kode_jpd for j in catalog.jpd] == [i["kode_jpd"] for i in GOLDEN["inputs"]]
    assert [b.kode for b in catalog.bidang] == list(GOLDEN["expected"]["bidang"])


def test_region_codes_follow_kemendagri(catalog: Catalog) -> None:
    kecamatan = catalog.kecamatan
    assert len(kecamatan) == 21
    assert [k.kode for k in kecamatan] == [f"12.71.{n:02d}" for n in range(1, 22)]
    kelurahan = [w for w in catalog.wilayah if w.tingkat == "kelurahan"]
    assert len(kelurahan) == 151
    assert all(w.kode.startswith(w.induk + ".") for w in kelurahan)


def test_every_owner_code_is_an_agency(catalog: Catalog) -> None:
    codes = {p.kode_pd for p in catalog.perangkat_daerah} | {KECAMATAN}
    assert {j.kode_pd for j in catalog.jpd} <= codes
    assert {i.kode_pd for i in catalog.ikk} <= codes
    assert {n.kode_pd for n in catalog.nomenklatur if n.kode_pd} <= codes
    parents = {n.kode for n in catalog.nomenklatur}
    assert all(n.induk in parents for n in catalog.nomenklatur if n.induk)


def test_every_active_agency_owes_reports(catalog: Catalog) -> None:
    for pd in catalog.pd_aktif(2025):
        assert "LKPJ" in catalog.laporan_wajib(pd), pd.kode_pd
        assert "LPPD" in catalog.laporan_wajib(pd), pd.kode_pd


def test_merged_agencies_are_valid_only_before_the_merger(catalog: Catalog) -> None:
    ended = [p for p in catalog.perangkat_daerah if p.berlaku_sampai]
    assert ended, "the master table keeps agencies that were merged away"
    for pd in ended:
        assert not pd.aktif_pada_tahun(pd.berlaku_sampai.year + 1)
        assert pd.aktif_pada_tahun(pd.berlaku_sampai.year)


def test_deadline_and_bands_are_configuration(catalog: Catalog) -> None:
    assert catalog.kalender_tahun(2025).batas_pengumpulan.isoformat() == "2026-01-26"
    assert catalog.kalender_tahun(2099).batas_pengumpulan.isoformat() == "2100-01-26"
    assert catalog.scoring.bobot_penerima == 0.8
    assert catalog.scoring.status_eppd(2022, 3.32)[0] == "sedang"
    assert catalog.scoring.status_eppd(2024, 3.6109)[0] == "tinggi"
    assert catalog.scoring.status_eppd(2010, 3.32)[0] == "sangat tinggi"


def test_a_second_kota_is_files_only(tmp_path: Path) -> None:
    root = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, root)
    city = root / "cities" / "contoh"
    city.mkdir()
    (city / "city.yaml").write_text('kode_wilayah: "12.75"\nnama: Kota Contoh\n')
    (city / "wilayah.csv").write_text(
        "kode,nama,tingkat,induk\n12.75,Kota Contoh,kota,12\n12.75.01,Utara,kecamatan,12.75\n"
    )
    src = (REFERENCE_DIR / "cities" / "medan" / "perangkat_daerah.csv").read_text().splitlines()
    (city / "perangkat_daerah.csv").write_text("\n".join(src[:12]) + "\n")
    other = load_catalog("contoh", root)
    assert other.nama == "Kota Contoh"
    assert [k.kode for k in other.kecamatan] == ["12.75.01"]
    assert len(other.perangkat_daerah) == 11


# Published SPM figures and the category Kemendagri gave them (domain brief §2), plus the headline
# figure of the 2025 sample that read "Tuntas Madya" under the old 20-point bands.
@pytest.mark.parametrize(
    ("nilai", "kategori"),
    [
        (69, "Tuntas Muda"),
        (42.03, "Belum Tuntas"),
        (83.84, "Tuntas Madya"),
        (95.89, "Tuntas Utama"),
        (78.24, "Tuntas Pratama"),
        (100, "Tuntas Paripurna"),
        (99.99, "Tuntas Utama"),
        (90, "Tuntas Utama"),
        (79.99, "Tuntas Pratama"),
        (70, "Tuntas Pratama"),
        (60, "Tuntas Muda"),
        (59.99, "Belum Tuntas"),
        (0, "Belum Tuntas"),
    ],
)
def test_spm_category_bands_match_the_published_cases(catalog: Catalog, nilai: float, kategori: str) -> None:
    assert catalog.scoring.kategori(nilai) == kategori


def test_spm_bands_carry_their_sources_and_checks(catalog: Catalog) -> None:
    bands = catalog.scoring.kategori_spm
    assert [(b.nama, b.min) for b in bands] == [
        ("Tuntas Paripurna", 100),
        ("Tuntas Utama", 90),
        ("Tuntas Madya", 80),
        ("Tuntas Pratama", 70),
        ("Tuntas Muda", 60),
        ("Belum Tuntas", 0),
    ]
    assert all(b.sumber.startswith("[C]") for b in bands)
    assert {(c.nilai, c.hasil) for c in catalog.scoring.kategori_cek} >= {
        (69, "Tuntas Muda"),
        (42.03, "Belum Tuntas"),
        (83.84, "Tuntas Madya"),
        (95.89, "Tuntas Utama"),
    }


def test_bands_that_contradict_a_published_case_do_not_load(tmp_path: Path) -> None:
    root = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, root)
    scoring = root / "scoring.yaml"
    text = scoring.read_text()
    # The old, wrong reading: 20-point bands make 83.84 "Tuntas Utama".
    for nama, lama in (("Utama", 80), ("Madya", 60), ("Pratama", 40), ("Muda", 20)):
        text = re.sub(rf"(nama: Tuntas {nama}, min: )\d+", rf"\g<1>{lama}", text)
    scoring.write_text(text)
    with pytest.raises(ValueError, match=r"contoh_cek.*83\.84 -> Tuntas Utama, seharusnya Tuntas Madya"):
        load_catalog("medan", root)


def test_education_spm_cites_the_standards_in_force() -> None:
    import yaml

    raw = yaml.safe_load((REFERENCE_DIR / "spm.yaml").read_text(encoding="utf-8"))
    pendidikan = next(b for b in raw["bidang"] if b["kode"] == "pendidikan")
    for text in [raw["sumber"], *(j["sumber"] for j in pendidikan["jpd"])]:
        assert "Permendikbudristek 32/2022" in text and "311/M/2022" in text, text
        # The 2018 regulation is named only as the one replaced.
        assert "Permendikbud 32/2018" not in text.replace("menggantikan Permendikbud 32/2018", "")


def test_inspektorat_reviu_is_due_in_the_fourth_week_of_february(catalog: Catalog) -> None:
    from datetime import date

    for tahun in [*catalog.kalender, 2030]:
        due = catalog.kalender_tahun(tahun).batas_reviu_inspektorat
        assert due is not None and due.month == 2 and due.year == tahun + 1, tahun
        assert 22 <= due.day <= 28 and due.weekday() == 4, (tahun, due)
        assert (
            catalog.kalender_tahun(tahun).batas_pengumpulan < due < catalog.kalender_tahun(tahun).batas_lppd
        )
    assert catalog.kalender_tahun(2025).batas_reviu_inspektorat == date(2026, 2, 27)
