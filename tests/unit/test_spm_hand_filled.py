"""SPM workbooks filled in cell by cell, as an official would, by every PD that owns a JPD; collected
and reported through the `kinerja` command. The figures must equal the brief's formula worked out
here independently (exact fractions), and the category Kemendagri's bands give them."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.cli import main
from openpyxl import load_workbook

from .test_reports_outputs import kategori_kemendagri

TAHUN = 2025


def _round(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _fill(
    path: Path, seed: int
) -> tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[float, float]]]]:
    """Type numbers into the template's input cells; return what was typed, per JPD."""
    wb = load_workbook(path)
    info = wb["Info"]
    for row in info.iter_rows(min_row=2):
        if row[0].value == "Nama Petugas":
            row[1].value = "Siti Aminah"
        if row[0].value == "Email Petugas":
            row[1].value = "spm@dinas.example"
    penerima: dict[str, list[tuple[int, int]]] = {}
    ws = wb["Penerima"]
    for i, row in enumerate(ws.iter_rows(min_row=2, max_col=6), start=seed):
        kode_jpd = row[0].value
        if not kode_jpd:
            break
        harus = 40 + (i * 37) % 900
        # Mostly short of the target, sometimes exactly on it, now and then more than due.
        terlayani = harus - (i * 11) % 60 if i % 7 else harus + 3
        terlayani = max(terlayani, 0)
        row[4].value, row[5].value = harus, terlayani
        penerima.setdefault(kode_jpd, []).append((harus, terlayani))
    mutu: dict[str, list[tuple[float, float]]] = {}
    owner = {r[0].value: None for r in ws.iter_rows(min_row=2, max_col=1) if r[0].value}
    ws = wb["Mutu"]
    for i, row in enumerate(ws.iter_rows(min_row=2, max_col=6), start=seed):
        kode = row[0].value
        if not kode:
            break
        target = 10 + i % 23
        realisasi = target - i % 5 if i % 4 else target + 2  # above target is capped in the index
        row[4].value, row[5].value = target, realisasi
        kode_jpd = next(k for k in owner if kode.startswith(f"{k}."))
        mutu.setdefault(kode_jpd, []).append((target, realisasi))
    ws = wb["Penerapan"]
    header = [c.value for c in ws[1]]
    for i, row in enumerate(ws.iter_rows(min_row=2, max_col=len(header)), start=seed):
        if not row[0].value:
            break
        values = {
            "Alokasi Anggaran (Rp)": 150_000_000 + i * 1_000_000,
            "Realisasi Anggaran (Rp)": 120_000_000 + i * 1_000_000,
            "Tahap: Pengumpulan Data": "selesai",
            "Tahap: Penghitungan Kebutuhan": "selesai",
            "Tahap: Penyusunan Rencana": "selesai" if i % 3 else "proses",
            "Tahap: Pelaksanaan": "proses" if i % 3 else "belum",
            "Permasalahan": None if i % 3 else "Data sasaran belum lengkap",
            "Rencana Aksi": None if i % 3 else "Pendataan ulang bersama kecamatan",
        }
        for name, value in values.items():
            row[header.index(name)].value = value
    wb.save(path)
    return penerima, mutu


def test_hand_filled_spm_workbooks_give_the_brief_formula_and_category(
    catalog: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_SETTLE_SECONDS", "0")
    handed_in = datetime(TAHUN + 1, 1, 20, 9, tzinfo=UTC).timestamp()
    owners = sorted({j.kode_pd for j in catalog.jpd})
    drive = tmp_path / "drive"
    penerima: dict[str, list[tuple[int, int]]] = {}
    mutu: dict[str, list[tuple[float, float]]] = {}
    for n, kode_pd in enumerate(owners):
        path = drive / str(TAHUN) / kode_pd / f"SPM {kode_pd} {TAHUN}.xlsx"
        path.parent.mkdir(parents=True)
        assert (
            main(["template", "--report", "SPM", "--pd", kode_pd, "--year", str(TAHUN), "--out", str(path)])
            == 0
        )
        p, m = _fill(path, seed=n * 100)
        os.utime(path, (handed_in, handed_in))
        penerima.update(p)
        mutu.update(m)
    assert set(penerima) == {j.kode_jpd for j in catalog.jpd}, "every JPD of the catalogue is filled"
    capsys.readouterr()

    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    assert main(["collect", "--year", str(TAHUN), "--source", str(drive), "--warehouse", url, "--json"]) == 0
    outcomes = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert sorted(o["pd"] for o in outcomes) == owners
    assert all(o["status"] == "loaded" and not o["errors"] and not o["late"] for o in outcomes), outcomes

    assert (
        main(["report", "--year", str(TAHUN), "--warehouse", url, "--out", str(tmp_path / "out"), "--json"])
        == 0
    )
    summary = json.loads(capsys.readouterr().out)

    # The brief (shared/domain.md §2), weights 0.8 / 0.2, every share capped at 100 in the index.
    cap = Fraction(100)
    nilai_jpd: dict[str, Fraction] = {}
    for kode_jpd, rows in penerima.items():
        harus = sum(h for h, _ in rows)
        terlayani = sum(t for _, t in rows)
        cp = min(Fraction(terlayani * 100, harus), cap)
        shares = [min(Fraction(r) * 100 / Fraction(t), cap) for t, r in mutu[kode_jpd]]
        cm = sum(shares, Fraction(0)) / len(shares)
        nilai_jpd[kode_jpd] = Fraction(4, 5) * cp + Fraction(1, 5) * cm
    per_bidang: dict[str, list[Fraction]] = {}
    for j in catalog.jpd:
        per_bidang.setdefault(j.bidang, []).append(nilai_jpd[j.kode_jpd])
    bidang = {b: sum(v, Fraction(0)) / len(v) for b, v in per_bidang.items()}
    daerah = sum(bidang.values(), Fraction(0)) / len(bidang)

    expected = _round(daerah)
    assert Decimal(summary["spm"]["daerah"]) == expected
    assert summary["spm"]["kategori"] == kategori_kemendagri(expected)
    assert set(summary["spm"]["bidang"]) == set(bidang)
    for kode, value in bidang.items():
        assert Decimal(summary["spm"]["bidang"][kode]) == _round(value), kode
        assert summary["spm"]["kategori_bidang"][kode] == kategori_kemendagri(_round(value)), kode
    # The Penerapan sheet as typed, in the city workbook: budget gap and stages per JPD.
    ws = load_workbook(tmp_path / "out" / "city.xlsx")["SPM Penerapan"]
    head = [c.value for c in ws[4]]
    table = [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=5, values_only=True) if r[0]]
    assert {r["Kode JPD"] for r in table} == set(penerima)
    for r in table:
        assert r["Alokasi (Rp)"] - r["Realisasi (Rp)"] == r["Selisih (Rp)"] == 30_000_000
        assert r["Pengumpulan Data"] == "selesai" and r["Pelaksanaan"] in ("proses", "belum")
    line = next(s for s in summary["ringkasan"].splitlines() if s.startswith("Capaian SPM"))
    angka = str(expected).replace(".", ",")
    assert line == f"Capaian SPM Kota Medan {TAHUN}: {angka} % ({kategori_kemendagri(expected)})"
