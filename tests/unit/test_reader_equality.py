"""Our reader (python-calamine, typed column by column) reads the same values as
pandas + openpyxl on real sample workbooks (bench/deadline_burst.py times the two)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from kinerja.catalog import Catalog
from kinerja.intake.reader import open_workbook, read_info, read_sheets
from kinerja.sample import SampleShares, generate_year
from kinerja.schema import TEMPLATES
from python_calamine import CalamineWorkbook

SMALL_SET = ("DINKES", "DISDIKBUD", "BAPPEDA", "BPKAD", "KEC-MEDAN-KOTA")  # every template


def _plain(value: Any) -> Any:
    """One value as Python compares it: NaN/NA is None, numpy scalars are Python numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def _ours(path: Path) -> dict[str, pd.DataFrame]:
    wb = open_workbook(path.read_bytes())
    assert isinstance(wb, CalamineWorkbook)
    info = read_info(wb)
    assert isinstance(info, dict)
    parsed = read_sheets(wb, TEMPLATES[info["laporan"]])
    assert not parsed.has_errors, parsed.issues[:3]
    return parsed.sheets


def _pandas(path: Path) -> dict[str, pd.DataFrame]:
    info = pd.read_excel(path, sheet_name="Info", header=None, engine="openpyxl")
    labels = dict(zip(info.iloc[:, 0], info.iloc[:, 1], strict=False))
    tpl = TEMPLATES[str(labels["Jenis Laporan"])]
    # Text columns as text: pandas would otherwise parse a code such as APBD's '4.1' as a number.
    text = {c.header: str for s in tpl.sheets for c in s.columns if c.kind == "text"}
    frames = pd.read_excel(path, sheet_name=[s.name for s in tpl.sheets], engine="openpyxl", dtype=text)
    out = {}
    for sheet in tpl.sheets:
        frame = frames[sheet.name].dropna(how="all")
        assert list(frame.columns) == sheet.headers
        frame.columns = pd.Index([c.name for c in sheet.columns])
        frame.index = frame.index + 2  # Excel row: header in row 1, 0-based index
        out[sheet.name] = frame
    return out


@pytest.fixture(scope="module")
def workbooks(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    drive = tmp_path_factory.mktemp("drive")
    shares = SampleShares(late=0, missing=0, defective=0, corrected=0)
    files = generate_year(catalog, 2025, drive, seed=5, shares=shares, only=SMALL_SET, triwulan=True)
    return [drive / f.path for f in files]


def test_every_report_is_covered(workbooks: list[Path]) -> None:
    assert {p.name.split("_")[1] for p in workbooks} == set(TEMPLATES)


def test_reader_values_equal_pandas_openpyxl(workbooks: list[Path]) -> None:
    compared = 0
    for path in workbooks:
        ours, theirs = _ours(path), _pandas(path)
        assert ours.keys() == theirs.keys(), path
        for name, frame in ours.items():
            other = theirs[name]
            assert list(frame.index) == list(other.index), (path.name, name)
            for col in frame.columns:
                left = [_plain(v) for v in frame[col]]
                right = [_plain(v) for v in other[col]]
                assert left == right, (path.name, name, col)
                compared += len(left)
            sheet = TEMPLATES[path.name.split("_")[1]].sheet(name)
            for col in sheet.columns:  # and typed as the schema says
                kinds = {type(_plain(v)) for v in frame[col.name]} - {type(None)}
                expected = {"text": {str}, "integer": {int}, "number": {float}}[col.kind]
                assert kinds <= expected, (path.name, name, col.name, kinds)
    assert compared > 1000
