"""The SPM computation must reproduce the golden case exactly (copied from shared/golden)."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from kinerja.catalog.scoring import Band, Scoring
from kinerja.cells import format_id
from kinerja.rules.numbers import round_half_up
from kinerja.rules.spm import JpdInput, Mutu, Penerima, compute_spm

GOLDEN = json.loads((Path(__file__).parents[1] / "data" / "spm_golden.json").read_text())


def _scoring(weights: dict[str, float]) -> Scoring:
    return Scoring(
        weights["penerima"],
        weights["mutu"],
        100.0,
        (Band("Tuntas Paripurna", 100), Band("Belum Tuntas", 0)),
        (),
    )


def _inputs() -> list[JpdInput]:
    return [
        JpdInput(
            bidang=i["bidang"],
            kode_jpd=i["kode_jpd"],
            penerima=[
                Penerima(p["kode_wilayah"], p["harus_dilayani"], p["terlayani"]) for p in i["penerima"]
            ],
            mutu=[Mutu(m["indikator"], m["jenis"], m["target"], m["realisasi"]) for m in i["mutu"]],
        )
        for i in GOLDEN["inputs"]
    ]


def test_golden_case_is_reproduced_exactly() -> None:
    result = compute_spm(_inputs(), _scoring(GOLDEN["weights"]))
    expected = GOLDEN["expected"]
    assert set(result.jpd) == set(expected["jpd"])
    for kode, values in expected["jpd"].items():
        got = result.jpd[kode]
        for name, value in values.items():
            assert getattr(got, name) == Decimal(str(value)).quantize(Decimal("0.01")), (kode, name)
    assert result.bidang == {
        b: Decimal(str(v)).quantize(Decimal("0.01")) for b, v in expected["bidang"].items()
    }
    assert result.daerah == Decimal(str(expected["daerah"])).quantize(Decimal("0.01"))


def test_raw_recipient_share_above_100_is_kept_but_capped_in_the_index() -> None:
    item = JpdInput("sosial", "sosial.5", [Penerima("12.71.08", 130, 149)], [Mutu("m", "sdm", 10, 10)])
    r = compute_spm([item], _scoring({"penerima": 0.8, "mutu": 0.2})).jpd["sosial.5"]
    assert r.capaian_penerima_mentah == Decimal("114.62")
    assert r.capaian_penerima == Decimal("100.00")
    assert r.nilai == Decimal("100.00")


def test_nothing_to_serve_counts_as_fully_served() -> None:
    item = JpdInput("sosial", "sosial.5", [Penerima("12.71.08", 0, 0)], [Mutu("m", "sdm", 4, 1)])
    r = compute_spm([item], _scoring({"penerima": 0.8, "mutu": 0.2})).jpd["sosial.5"]
    assert r.capaian_penerima == Decimal("100.00")
    assert r.capaian_mutu == Decimal("25.00")
    assert r.nilai == Decimal("85.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(12345, 1000), "12.35"),
        (Fraction(-12345, 1000), "-12.35"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction(100), "100.00"),
    ],
)
def test_round_half_up_on_exact_values(value: Fraction, expected: str) -> None:
    assert str(round_half_up(value)) == expected


def test_indonesian_number_format() -> None:
    assert format_id(Decimal("95.89")) == "95,89"
    assert format_id(Decimal("1234567.5")) == "1.234.567,50"
