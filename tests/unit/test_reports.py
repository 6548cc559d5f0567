"""Report computations against hand-worked cases: SPM (golden), LPPD, LKPJ, year over year;
and the safety of the cells every renderer writes."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from kinerja.catalog import Catalog
from kinerja.catalog.scoring import Band, EppdSkor, Scoring
from kinerja.cells import doc_text, machine_text
from kinerja.publish.bundle import csv_bytes
from kinerja.reports.lkpj import KinerjaInput, Rekomendasi, compute_lkpj
from kinerja.reports.lppd import NIHIL, IkkInput, compute_lppd, eppd_bands, skor_ikk
from kinerja.reports.render_html import table_html
from kinerja.reports.render_xlsx import build_workbook
from kinerja.reports.table import SEC_LKPJ, Col, Table
from kinerja.reports.yoy import PERSEN, SKOR, Perubahan
from kinerja.rules.numbers import round_half_up
from kinerja.rules.spm import JpdInput, Mutu, Penerima, compute_spm

D = Decimal
GOLDEN = json.loads((Path(__file__).parents[1] / "data" / "spm_golden.json").read_text())


# --- SPM: the golden case, as the reports print it --------------------------------------------
def test_golden_spm_case_is_reproduced_and_printed_in_indonesian_format() -> None:
    scoring = Scoring(
        GOLDEN["weights"]["penerima"],
        GOLDEN["weights"]["mutu"],
        100.0,
        (Band("Tuntas Paripurna", 100), Band("Belum Tuntas", 0)),
        (),
    )
    items = [
        JpdInput(
            i["bidang"],
            i["kode_jpd"],
            [Penerima(p["kode_wilayah"], p["harus_dilayani"], p["terlayani"]) for p in i["penerima"]],
            [Mutu(m["indikator"], m["jenis"], m["target"], m["realisasi"]) for m in i["mutu"]],
        )
        for i in GOLDEN["inputs"]
    ]
    result = compute_spm(items, scoring)
    expected = D(str(GOLDEN["expected"]["daerah"])).quantize(D("0.01"))
    assert result.daerah == expected
    assert doc_text(result.daerah, "pct") == f"{expected:.2f} %".replace(".", ",")
    assert machine_text(result.daerah) == f"{expected:.2f}"


# --- LPPD: hand-worked ------------------------------------------------------------------------
LPPD_CASE = [
    # Pendidikan (DISDIKBUD), satuan %:
    IkkInput("DISDIKBUD", "IKK-1.01.01", 45, 60),  # 75,00 %  -> skor 75/100 x 4 = 3,0000
    IkkInput("DISDIKBUD", "IKK-1.01.02", 119, 120),  # 99,1666.. % -> 99,17 %; skor 3,96666.. -> 3,9667
    IkkInput("DISDIKBUD", "IKK-1.01.03", 130, 120),  # 108,333.. % kept raw -> 108,33 %; skor 4,3333
    # Rata-rata hari (satuan hari): reported as the ratio, not scored.
    IkkInput("DISDUKCAPIL", "IKK-2.12.03", 1500, 400, "rata-rata 3,75 hari", "https://contoh.example/bukti"),
    # A kecamatan IKK handed in by two kecamatan: kota = (30 + 50) / (40 + 60) = 80,00 %, not the mean
    # of 75,00 % and 83,33 %.
    IkkInput("KEC-MEDAN-KOTA", "IKK-7.01.01", 30, 40),
    IkkInput("KEC-MEDAN-DENAI", "IKK-7.01.01", 50, 60),
]


def test_lppd_hand_worked_case(catalog: Catalog) -> None:
    result = compute_lppd(LPPD_CASE, catalog, 2025)
    kota = {r.kode_ikk: r for r in result.kota}
    assert kota["IKK-1.01.01"].capaian == D("75.00") and kota["IKK-1.01.01"].skor == D("3.0000")
    assert kota["IKK-1.01.02"].capaian == D("99.17") and kota["IKK-1.01.02"].skor == D("3.9667")
    assert kota["IKK-1.01.03"].capaian == D("108.33"), "a value above 100 is kept"
    # never capped at 4: the last segment goes on (below capaian_maks 110): 4 + 8,333.. x 0,04
    assert kota["IKK-1.01.03"].skor == D("4.3333"), "the score goes above 4"
    hari = kota["IKK-2.12.03"]
    assert (hari.capaian, hari.satuan, hari.skor, hari.dinilai) == (D("3.75"), "hari", None, False)
    kec = kota["IKK-7.01.01"]
    assert (kec.pembilang, kec.penyebut, kec.capaian, kec.skor) == (
        D("80"),
        D("100"),
        D("80.00"),
        D("3.2000"),
    )
    assert (kec.pelapor, kec.wajib) == (2, 21)
    assert kota["IKK-1.02.01"].capaian is None, "not reported: no capaian, no score"

    # kota: mean of the urusan scores (every weight 1 until confirmed): Pendidikan (3 + 119/30 + 13/3) / 3
    # = 113/30; Kecamatan 16/5; kota (113/30 + 16/5) / 2 = 209/60 = 3,48333.. -> 3,4833
    assert (Fraction(113, 30) + Fraction(16, 5)) / 2 == Fraction(209, 60)
    assert result.skor == D("3.4833")
    assert result.status == "tinggi"  # PP 13/2019 bands (scoring.yaml): tinggi from 3,4 to below 3,8
    bands, sumber = eppd_bands(catalog.scoring, 2025)
    assert result.bands == bands and result.sumber_status == sumber
    assert sumber and all(b.nama for b in bands)
    assert result.sumber_skor.startswith("[I]")
    assert (result.n_ikk, result.n_berdata) == (60, 5)

    urusan = {g.kode: g for g in result.per_urusan}
    pendidikan = urusan["Pendidikan"]
    # mean capaian (75 + 99,1666.. + 108,333..) / 3 = 94,1666.. ; mean skor (3 + 3,9666.. + 4,3333..) / 3
    assert (pendidikan.rata_capaian, pendidikan.skor, pendidikan.status) == (
        D("94.17"),
        D("3.7667"),
        "tinggi",
    )
    per_pd = {g.kode: g for g in result.per_pd}
    assert per_pd["KEC-MEDAN-KOTA"].rata_capaian == D("75.00")
    assert per_pd["DINKES"].status == NIHIL, "a PD that handed in nothing is 'nihil'"
    rows = [r for r in result.pd if r.kode_pd == "DISDUKCAPIL" and r.kode_ikk == "IKK-2.12.03"]
    assert rows[0].penjelasan == "rata-rata 3,75 hari" and rows[0].data_dukung.startswith("https://")


def test_lppd_missing_ikks_can_count_as_zero_and_no_data_is_nihil(catalog: Catalog) -> None:
    cfg = catalog.scoring.eppd_skor
    assert cfg is not None
    strict = replace(catalog, scoring=replace(catalog.scoring, eppd_skor=replace(cfg, tanpa_data="nol")))
    result = compute_lppd(LPPD_CASE, strict, 2025)
    # every scored IKK without data counts 0 in its urusan; the kota is the mean of the urusan
    known = {"IKK-1.01.01": Fraction(3), "IKK-1.01.02": Fraction(119, 30), "IKK-1.01.03": Fraction(13, 3)}
    known["IKK-7.01.01"] = Fraction(16, 5)
    per_urusan: dict[str, list[Fraction]] = {}
    for r in result.kota:
        if r.dinilai:
            per_urusan.setdefault(r.urusan, []).append(known.get(r.kode_ikk, Fraction(0)))
    means = [sum(v, Fraction(0)) / len(v) for v in per_urusan.values()]
    assert result.skor == round_half_up(sum(means, Fraction(0)) / len(means), 4)
    empty = compute_lppd([], catalog, 2025)
    assert (empty.skor, empty.status) == (None, NIHIL)


def test_eppd_score_mapping_is_piecewise_linear_and_capped() -> None:
    cfg = EppdSkor(titik=((0, 0), (50, 1), (100, 4)), satuan_dinilai=("%",), tanpa_data="abaikan", sumber="")
    assert skor_ikk(Fraction(-5), cfg) == 0
    assert skor_ikk(Fraction(25), cfg) == Fraction(1, 2)
    assert skor_ikk(Fraction(75), cfg) == Fraction(5, 2)
    assert skor_ikk(Fraction(150), cfg) == 7, "beyond the last point the last segment goes on"
    assert skor_ikk(Fraction(150), replace(cfg, capaian_maks=110)) == Fraction(23, 5), "up to capaian_maks"


def test_eppd_status_of_the_brief_facts(catalog: Catalog) -> None:
    # [C] domain brief §2: ~3,7 is tinggi, 2,95 sedang, Medan 2022 3,32 sedang.
    assert catalog.scoring.status_eppd(2023, 3.7)[0] == "tinggi"
    assert catalog.scoring.status_eppd(2023, 2.95)[0] == "sedang"
    assert catalog.scoring.status_eppd(2022, 3.32)[0] == "sedang"


# --- LKPJ: hand-worked ------------------------------------------------------------------------
def _k(kode: str, jenis: str, ind: str, target: float, real: float, pagu: float, ra: float) -> KinerjaInput:
    return KinerjaInput("DINKES", kode, jenis, ind, "%", target, real, pagu, ra)


LKPJ_CASE = [
    _k("1.02.02", "outcome", "A", 100, 90, 1_000_000_000, 800_000_000),  # 90,00 %; serapan 80,00 %
    _k("1.02.02", "outcome", "B", 50, 60, 1_000_000_000, 800_000_000),  # 120,00 % raw; budget counted once
    _k("1.02.03", "outcome", "C", 10, 5, 500_000_000, 0),  # 50,00 %; serapan 0,00 %
    _k("1.02.02.2.01", "output", "D", 20, 19, 300_000_000, 150_000_000),  # 95,00 %; serapan 50,00 %
    _k("1.02.02.2.01.0002", "output", "E", 4, 0, 0, 0),  # 0,00 %; no pagu: no serapan
    _k("1.02.02.2.01.0002", "output", "F", 0, 3, 0, 0),  # target 0: no capaian
]
REKOMENDASI = [
    Rekomendasi(
        "DINKES", 2024, 1, "Tingkatkan cakupan imunisasi", "Komisi II", "Sudah", "selesai", "SK 12/2025"
    ),
    Rekomendasi("DINKES", 2024, 2, "Perbaiki puskesmas", "Komisi II", "Sudah", "selesai", ""),
    Rekomendasi("DINKES", 2024, 3, "Tambah tenaga kesehatan", "Komisi II", "Berjalan", "proses", ""),
    Rekomendasi("DINKES", 2024, 4, "Evaluasi BLUD", "Komisi II", "-", "belum", ""),
]


def test_lkpj_hand_worked_case(catalog: Catalog) -> None:
    result = compute_lkpj(LKPJ_CASE, REKOMENDASI, catalog, 2025)
    rows = {r.indikator: r for r in result.rows}
    assert (rows["A"].capaian, rows["A"].serapan, rows["A"].tingkat) == (D("90.00"), D("80.00"), "program")
    assert rows["B"].capaian == D("120.00"), "raw capaian is kept in the row"
    assert (rows["C"].capaian, rows["C"].serapan) == (D("50.00"), D("0.00"))
    assert (rows["D"].capaian, rows["D"].serapan, rows["D"].tingkat) == (D("95.00"), D("50.00"), "kegiatan")
    assert (rows["E"].capaian, rows["E"].serapan, rows["E"].tingkat) == (D("0.00"), None, "sub_kegiatan")
    assert rows["F"].capaian is None
    assert rows["A"].kode_urusan == "1.02" and rows["E"].uraian == "Pembangunan Puskesmas"

    (pd,) = result.per_pd
    assert (pd.n_program, pd.n_kegiatan, pd.n_sub_kegiatan, pd.n_outcome, pd.n_output) == (2, 1, 1, 3, 3)
    # outcome kept apart from output; means use the capped value: (90 + 100 + 50) / 3 and (95 + 0) / 2
    assert (pd.capaian_outcome, pd.capaian_output) == (D("80.00"), D("47.50"))
    # budget of the programmes, each code once: 1.000.000.000 + 500.000.000; realised 800.000.000
    assert (pd.pagu, pd.realisasi_anggaran, pd.serapan) == (D("1500000000"), D("800000000"), D("53.33"))
    assert [u.kode for u in result.per_urusan] == ["1.02"] and result.kota.serapan == D("53.33")

    tl = result.tindak_lanjut_kota
    assert (tl.jumlah, tl.selesai, tl.proses, tl.belum, tl.persen_selesai, tl.tanpa_bukti) == (
        4,
        2,
        1,
        1,
        D("50.00"),
        1,
    )
    assert [r.nomor for r in result.rekomendasi] == [1, 2, 3, 4]


# --- year over year ---------------------------------------------------------------------------
def test_yoy_increase_is_worded_in_percentage_points() -> None:
    p = Perubahan("Capaian SPM daerah", PERSEN, 2022, 2023, D("83.84"), D("95.89"))
    assert (p.selisih, p.relatif, p.arah) == (D("12.05"), D("14.37"), "naik")
    assert p.kalimat.startswith("naik 12,05 poin persentase")
    assert "dari 83,84 % (2022) menjadi 95,89 % (2023)" in p.kalimat
    assert "secara relatif naik 14,37 %" in p.kalimat
    assert "naik 12,05 persen" not in p.kalimat


def test_yoy_decrease_score_and_missing_year() -> None:
    down = Perubahan("Capaian SPM daerah", PERSEN, 2023, 2024, D("95.89"), D("83.84"))
    assert down.kalimat.startswith("turun 12,05 poin persentase") and "relatif turun 12,57 %" in down.kalimat
    skor = Perubahan("Skor LPPD", SKOR, 2022, 2023, D("3.3200"), D("3.6109"))
    assert skor.kalimat.startswith("naik 0,2909 poin,")
    assert Perubahan("x", PERSEN, 2022, 2023, D("1.00"), D("1.00")).kalimat.startswith("tidak berubah")
    missing = Perubahan("x", PERSEN, 2022, 2023, None, D("5.00"))
    assert (missing.selisih, missing.relatif) == (None, None) and "2022" in missing.kalimat
    assert Perubahan("x", PERSEN, 2022, 2023, D("0.00"), D("5.00")).relatif is None


# --- cells: formula injection and escaping ----------------------------------------------------
HOSTILE = ['=HYPERLINK("http://x","klik")', "+1+1", "-2+3", "@SUM(A1)", "<script>alert(1)</script>"]
TABLE = Table(
    "Uji",
    "Tabel <b>uji</b>",
    SEC_LKPJ,
    (Col("teks", "Teks"), Col("angka", "Angka", "dec"), Col("persen", "Persen", "pct")),
    [(h, D("-1.50"), D("95.89")) for h in HOSTILE],
)


def test_csv_neutralises_formulas_and_keeps_machine_numbers() -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes(TABLE, 2025, "DINKES").decode("utf-8"))))
    assert rows[0] == ["tahun", "kode_pd", "teks", "angka", "persen"]
    for row, hostile in zip(rows[1:], HOSTILE, strict=True):
        expected = "'" + hostile if hostile[0] in "=+-@" else hostile
        assert row == ["2025", "DINKES", expected, "-1.50", "95.89"]


def test_xlsx_cells_are_neutralised(tmp_path: Path) -> None:
    ws = build_workbook([TABLE], "=subjudul")["Uji"]
    values = [ws.cell(row=r, column=1).value for r in range(5, 5 + len(HOSTILE))]
    assert values[:4] == ["'" + h for h in HOSTILE[:4]]
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(5, 9)), "text, never a formula"
    assert ws["A2"].value == "'=subjudul"
    assert ws.cell(row=5, column=3).value == D("95.89") and ws.cell(row=5, column=3).number_format.endswith(
        '"%"'
    )


def test_html_escapes_agency_text() -> None:
    html = table_html(TABLE)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>uji</b>" not in html and "95,89 %" in html and "-1,50" in html
