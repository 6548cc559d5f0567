"""`kinerja check`: the collection's findings on one file, with nothing loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.cli import main
from kinerja.intake.check import check_file
from kinerja.sample import DEFECTS, SampleShares
from kinerja.warehouse.models import submission
from sqlalchemy import func, select

from ..conftest import SMALL_SET, collected_sample_year


def test_check_finds_what_the_collection_found_for_every_sample_file(
    catalog: Catalog, tmp_path: Path
) -> None:
    # Every defect the sample knows (one per defective file, in turn), and their corrections.
    shares = SampleShares(late=0.2, missing=0, defective=1.0, corrected=1)
    _, engine, outcomes = collected_sample_year(catalog, tmp_path, seed=7, shares=shares)
    processed = [o for o in outcomes if o.status in ("loaded", "rejected")]
    assert len(processed) >= len(DEFECTS)
    assert {o.status for o in processed} == {"loaded", "rejected"}
    for o in processed:
        result = check_file(tmp_path / "drive" / o.path, catalog)
        assert result.status == ("rejected" if o.status == "rejected" else "accepted"), o.path
        assert [i.to_dict() for i in result.errors] == o.errors, o.path
        assert [i.to_dict() for i in result.warnings] == o.warnings, o.path
        assert result.judgement.laporan == o.laporan
    with engine.connect() as conn:  # the collection recorded these; the checks added nothing
        assert conn.execute(select(func.count()).select_from(submission)).scalar() == len(processed)
    engine.dispose()


def test_cli_check_json_and_exit_code(
    catalog: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kinerja.sample import generate_year

    shares = SampleShares(missing=0, defective=0)
    files = generate_year(catalog, 2025, tmp_path, seed=1, only=SMALL_SET[:1], shares=shares)
    path = tmp_path / files[0].path
    assert main(["check", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["pd"], out["year"], out["status"], out["errors"]) == ("DINKES", 2025, "accepted", [])
    # Judged as if it sat in another agency's folder, another year: refused, the reason named.
    assert main(["check", str(path), "--pd", "BAPPEDA", "--year", "2024", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "rejected"
    messages = " ".join(e["message"] for e in out["errors"])
    assert "bukan 2024" in messages and "folder BAPPEDA" in messages
    assert set(out["errors"][0]) == {"sheet", "row", "column", "value", "message", "fix"}
    # A file outside any drive layout: agency and year from its own Info sheet, said so.
    loose = tmp_path / "unduhan.xlsx"
    loose.write_bytes(path.read_bytes())
    assert main(["check", str(loose)]) == 0
    text = capsys.readouterr().out
    assert "DITERIMA" in text and "dari lembar Info" in text
    assert main(["check", str(tmp_path / "tidak-ada.xlsx")]) == 2


def test_check_without_any_year_asks_for_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loose = tmp_path / "catatan.xlsx"
    loose.write_bytes(b"kode,nilai\n1,2\n")  # no workbook, so no Info sheet either
    assert main(["check", str(loose)]) == 2
    assert "--year" in capsys.readouterr().err
    assert main(["check", str(loose), "--year", "2025", "--pd", "DINKES", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert "bukan buku kerja Excel" in out["errors"][0]["message"]
