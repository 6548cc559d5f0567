"""Everything derived from the schema stays in step with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.intake.reader import open_workbook, read_info, read_sheets
from kinerja.sample import fill_rows
from kinerja.schema import TEMPLATES
from kinerja.schema.excel import build_workbook, prefilled_rows
from kinerja.schema.suites import all_suites
from kinerja.warehouse.models import FACT_TABLES
from openpyxl import load_workbook

EXPECTATIONS = Path(__file__).parents[2] / "expectations"


def test_committed_suites_equal_the_schema() -> None:
    committed = {p.stem: json.loads(p.read_text()) for p in EXPECTATIONS.glob("*.json")}
    assert committed == all_suites(), "run `kinerja suites --write` and commit expectations/"


def test_fact_tables_carry_every_stored_column() -> None:
    for tpl in TEMPLATES.values():
        fixed = ("id", "submission_id", "tahun", "kode_pd", "baris")
        period = ["triwulan"] if tpl.periode == "triwulan" else []  # a quarterly report's quarter
        for sheet in tpl.sheets:
            table = FACT_TABLES[sheet.table]
            assert [*period, *(c.name for c in sheet.stored_columns)] == [
                c.name for c in table.columns if c.name not in fixed
            ]


@pytest.mark.parametrize("code", list(TEMPLATES))
def test_template_round_trips_through_the_reader(code: str, catalog: Catalog, tmp_path: Path) -> None:
    import random

    tpl = TEMPLATES[code]
    pd = next(p for p in catalog.pd_aktif(2025) if (tpl.induk or code) in catalog.laporan_wajib(p))
    rows = fill_rows(tpl, prefilled_rows(tpl, catalog, pd), random.Random(7), 2025, catalog)
    assert all(rows[s.name] for s in tpl.sheets if s.min_rows), "every sheet that must be filled is"
    path = tmp_path / f"{code}.xlsx"
    quarter = {"triwulan": "III"} if tpl.periode == "triwulan" else {}
    build_workbook(tpl, catalog, pd, 2025, rows, {"nama_kontak": "A", **quarter}).save(path)

    wb = open_workbook(path.read_bytes())
    assert not hasattr(wb, "severity"), wb
    info = read_info(wb)  # type: ignore[arg-type]
    assert isinstance(info, dict)
    assert (info["kode_pd"], info["tahun"], info["laporan"]) == (pd.kode_pd, 2025, code)
    assert info.get("triwulan") == quarter.get("triwulan"), "the quarter only on a quarterly report"
    parsed = read_sheets(wb, tpl)  # type: ignore[arg-type]
    assert parsed.issues == []
    for sheet in tpl.sheets:
        frame = parsed.sheets[sheet.name]
        assert len(frame) == len(rows[sheet.name])
        for got, want in zip(frame.to_dict("records"), rows[sheet.name], strict=True):
            for col in sheet.columns:
                if want.get(col.name) is not None:
                    assert got[col.name] == want[col.name], (sheet.name, col.name)


def test_template_protects_headers_and_offers_dropdowns(catalog: Catalog, tmp_path: Path) -> None:
    pd = catalog.pd("DINKES")
    assert pd is not None
    path = tmp_path / "spm.xlsx"
    build_workbook(TEMPLATES["SPM"], catalog, pd, 2025).save(path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Petunjuk", "Info", "Penerima", "Mutu", "Penerapan", "Kode"]
    ws = wb["Penerima"]
    assert ws.protection.sheet
    assert ws["A1"].protection.locked and not ws["A2"].protection.locked
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any("Kode" in (f or "") for f in formulas)
    assert ws["A2"].value.startswith("kesehatan.")


def test_an_unknown_expectation_type_stops_validation(tmp_path: Path) -> None:
    from kinerja.intake.validation import SuiteDriftError, Validator

    suite = all_suites()["lppd_ikk"]
    suite["expectations"].append(
        {"type": "expect_column_values_to_be_tidak_ada", "kwargs": {"column": "kode_ikk"}, "meta": {}}
    )
    (tmp_path / "lppd_ikk.json").write_text(json.dumps(suite))
    with pytest.raises(SuiteDriftError):
        Validator(folder=tmp_path).suite("lppd_ikk")


def test_template_command_refuses_a_report_the_pd_need_not_hand_in(
    catalog: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kinerja.cli import main

    bapenda = catalog.pd("BAPENDA")
    assert bapenda is not None and "SPM" not in catalog.laporan_wajib(bapenda)
    out = tmp_path / "bapenda-spm.xlsx"
    assert main(["template", "--report", "SPM", "--pd", "BAPENDA", "--year", "2025", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "tidak wajib menyerahkan laporan SPM" in err and "jenis pelayanan dasar" in err
    assert f"Laporan yang wajib: {', '.join(catalog.laporan_wajib(bapenda))}." in err
    assert not out.exists(), "no workbook the collection would reject anyway"
    # A merged agency's template for a year after it ended is refused too.
    ended = next(pd for pd in catalog.perangkat_daerah if pd.berlaku_sampai and pd.berlaku_sampai.year < 2025)
    args = ["template", "--report", "LKPJ", "--pd", ended.kode_pd, "--year", "2025", "--out", str(out)]
    assert main(args) == 2
    assert "tidak aktif pada tahun 2025" in capsys.readouterr().err and not out.exists()
    # What the PD does owe is written.
    assert main(["template", "--report", "LPPD", "--pd", "BAPENDA", "--year", "2025", "--out", str(out)]) == 0
    assert load_workbook(out)["Info"]["B5"].value == "LPPD"
