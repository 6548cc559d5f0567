"""Parity: Great Expectations in batches finds exactly what it finds in each file alone.

The collection validates the same sheet of many files in one call (`Validator.validate_batch`,
through `validate_judgements`); the reference is each file validated alone with the suite as
written (`alone=True`, `Validator.validate`). For every file of a sample year (the agencies that
together hand in all five reports, every file first handed in with one of the sample's defects, so
that each defect is in the batch), every bad-input
workbook of tests/unit/test_bad_input.py and batches drawn from the fuzz strategies of
tests/unit/test_fuzz_intake.py, the findings (severity, message, fix, sheet, row, column,
value) must be identical, in the same order.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kinerja.catalog import Catalog, load_catalog
from kinerja.intake.collect import Judgement, inspect, validate_judgements
from kinerja.intake.validation import shared_validator
from kinerja.sample import DEFECTS, SampleShares, generate_year
from kinerja.schema.issues import Issue
from openpyxl import Workbook

from tests.unit.test_bad_input import (
    BAD_CONTAINERS,
    WORKBOOK_CASES,
    _cell,
    _rows_above_header,
    _workbook_bytes,
)
from tests.unit.test_fuzz_intake import (
    _seeds,
    byte_mutations,
    cell_mutations,
    fuzz_settings,
    random_files,
    xml_mutations,
)

YEAR_AGENCIES = ("DINKES", "DISDIKBUD", "BAPPEDA", "KEC-MEDAN-KOTA", "BPKAD")
"""Together they hand in SPM, LPPD, LKPJ, MAKRO and APBD: every template in the batch."""
File = tuple[str, str, bytes]
"""(name, agency folder, bytes)"""


@cache
def _catalog() -> Catalog:
    return load_catalog("medan")


def _judgements(files: list[File]) -> list[Judgement]:
    catalog = _catalog()
    return [inspect(data, catalog.pd(pd), pd, 2025, catalog) for _, pd, data in files]


def _findings(files: list[File], alone: bool) -> list[list[Issue]]:
    judgements = _judgements(files)
    validate_judgements(judgements, shared_validator(), alone=alone)
    return [j.issues for j in judgements]


def assert_parity(files: list[File]) -> list[list[Issue]]:
    alone, batch = _findings(files, alone=True), _findings(files, alone=False)
    for (name, _, _), a, b in zip(files, alone, batch, strict=True):
        assert b == a, (name, [i for i in a if i not in b][:5], [i for i in b if i not in a][:5])
    return alone


def _empty_sheet(name: str):  # type: ignore[no-untyped-def]
    def edit(wb: Workbook) -> None:
        ws = wb[name]
        ws.delete_rows(2, ws.max_row)

    return edit


def _bad_inputs(catalog: Catalog) -> list[File]:
    ok = _workbook_bytes(catalog)
    files: list[File] = [(f"container: {n}", "DINKES", f(ok)) for n, (f, _) in BAD_CONTAINERS.items()]
    for name, (edit, info, _) in WORKBOOK_CASES.items():
        files.append((f"workbook: {name}", "DINKES", _workbook_bytes(catalog, edit=edit, info=info)))
    extra = {
        "rows above the header": _rows_above_header,
        "more served than due": _cell("Penerima", "F2", 10**6),
        "an empty sheet": _empty_sheet("Mutu"),
        "an empty recipients sheet": _empty_sheet("Penerima"),
    }
    files += [(f"workbook: {n}", "DINKES", _workbook_bytes(catalog, edit=e)) for n, e in extra.items()]
    for code in ("LPPD", "LKPJ"):
        files.append((f"valid {code}", "DINKES", _workbook_bytes(catalog, code)))
        files.append((f"{code} in another agency's folder", "BAPPEDA", _workbook_bytes(catalog, code)))
    files.append(("unknown folder", "DINAS-X", ok))
    return files


@pytest.mark.timeout(1800)  # the reference validates ~90 sheets one call each
def test_a_sample_year_and_every_bad_input_in_one_batch() -> None:
    catalog = _catalog()
    out = Path(tempfile.mkdtemp(prefix="kinerja-parity-"))
    shares = SampleShares(missing=0, defective=1.0)
    year = generate_year(catalog, 2025, out, seed=19, shares=shares, only=YEAR_AGENCIES)
    kinds = {f.kind for f in year}
    assert {f"defect:{d}" for d in DEFECTS} | {"corrected"} <= kinds, kinds
    assert {f.laporan for f in year} == {"SPM", "LPPD", "LKPJ", "MAKRO", "APBD"}
    files: list[File] = [(f.path, f.kode_pd, (out / f.path).read_bytes()) for f in year]
    files += _bad_inputs(catalog)
    files += [(f"seed {'-'.join(k)}", k[0], data) for k, data in _seeds().items()]
    alone = assert_parity(files)
    # The corpus exercises every kind of rewritten expectation, in several files of one batch.
    messages = Counter(i.message for issues in alone for i in issues)
    kinds = ("lebih dari sekali", "bukan milik PD ini", "belum berisi data", "wajib diisi", "paling kecil")
    for expected in kinds:
        assert any(expected in m for m in messages), (expected, messages.most_common(40))
    assert sum(1 for issues in alone if any(i.row for i in issues)) >= 10


mixed = st.one_of(byte_mutations(), xml_mutations(), cell_mutations())


@pytest.mark.timeout(1800)
@settings(fuzz_settings(10), deadline=None)  # the time limit is the fuzz tests' business
@given(cases=st.lists(mixed, min_size=2, max_size=5), noise=st.lists(random_files, max_size=1))
def test_fuzzed_files_in_one_batch(cases: list, noise: list[bytes]) -> None:  # type: ignore[type-arg]
    files: list[File] = [(repr(c), c.kode_pd, c.data) for c in cases]
    files += [("random bytes", "DINKES", data) for data in noise]
    files += [(f"seed {'-'.join(k)}", k[0], data) for k, data in list(_seeds().items())[:1]]
    assert_parity(files)
