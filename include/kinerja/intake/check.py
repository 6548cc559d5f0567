"""`kinerja check FILE`: every check of the collection on one workbook, loading nothing.

For operators and the agencies' IT staff: the same `judge` the collection runs, so the same
findings, without a warehouse, an archive or feedback files. The agency and the year come
from `--pd`/`--year`, else from where the file sits (`<tahun>/<KODE_PD>/<file>` as on the
drive), else from the workbook's own Info sheet (then the "another agency" and "wrong year"
checks have nothing to compare with, and say so).

The checks between quarters and the yearly SPM (`intake.triwulan`) compare the file with what
the warehouse already holds: they run when `check_file` is given a warehouse, else a note says
that the collection runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from kinerja.catalog.loader import Catalog
from kinerja.intake.collect import Judgement, judge
from kinerja.intake.container import DEFAULT_LIMITS, Limits
from kinerja.intake.reader import open_workbook, read_info
from kinerja.intake.triwulan import QUARTERLY, YEARLY, label, quarter_findings
from kinerja.intake.validation import Validator
from kinerja.schema.issues import Issue, issue_json, shown


@cache
def _validator(suites: Path | None = None) -> Validator:
    """A validator of `suites` that keeps no results (no Data Docs): checking leaves nothing behind."""
    return Validator(suites)


@dataclass
class CheckResult:
    path: str
    kode_pd: str | None
    tahun: int
    judgement: Judgement
    notes: list[str] = field(default_factory=list)
    """How the agency and the year were decided, for the reader."""
    quarter_checks: str | None = None
    """The checks between quarters and the yearly SPM: `run` (against the warehouse),
    `at collection` (no warehouse here) or None (not an SPM/SPMTW file without errors)."""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.judgement.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.judgement.issues if i.severity == "warning"]

    @property
    def status(self) -> str:
        """`rejected` or `accepted`: what the collection would do with this file."""
        return "rejected" if self.errors else "accepted"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "pd": self.kode_pd,
            "year": self.tahun,
            "report": self.judgement.laporan,
            "status": self.status,
            "notes": self.notes,
            "quarter_checks": self.quarter_checks,
            "errors": [issue_json(i) for i in self.errors],
            "warnings": [issue_json(i) for i in self.warnings],
        }


def _from_info(data: bytes, limits: Limits) -> dict[str, Any]:
    wb = open_workbook(data, limits)
    if isinstance(wb, Issue):
        return {}
    info = read_info(wb)
    return {} if isinstance(info, Issue) else info


def _year(value: Any) -> int | None:
    text = (shown(value) or "").strip()
    return int(text) if text.isdigit() and len(text) == 4 else None


def check_file(
    path: Path,
    catalog: Catalog,
    kode_pd: str | None = None,
    tahun: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    suites: Path | None = None,
    engine: Engine | None = None,
) -> CheckResult:
    """Judge one file as the collection would judge it in `<tahun>/<kode_pd>/`, with the
    expectation suites of `suites` (`Settings.expectations_dir`; default: the source tree's);
    with `engine` (the warehouse, only read) also against the quarters and the year already
    collected."""
    with path.open("rb") as f:
        data = f.read(limits.max_file_bytes + 1)  # as the drives read: one byte over says "too big"
    notes = []
    parts = path.resolve().parts
    info: dict[str, Any] | None = None
    if kode_pd is None and len(parts) >= 2 and catalog.pd(parts[-2]) is not None:
        kode_pd = parts[-2]
        notes.append(f"PD {kode_pd} dari nama folder")
    if tahun is None and len(parts) >= 3 and _year(parts[-3]):
        tahun = _year(parts[-3])
        notes.append(f"tahun {tahun} dari nama folder")
    if kode_pd is None or tahun is None:
        info = _from_info(data, limits)
        if kode_pd is None and info.get("kode_pd"):
            kode_pd = str(info["kode_pd"]).strip()
            notes.append(f"PD {kode_pd} dari lembar Info (tidak dibandingkan dengan folder; pakai --pd)")
        if tahun is None and _year(info.get("tahun")):
            tahun = _year(info.get("tahun"))
            notes.append(f"tahun {tahun} dari lembar Info (tidak dibandingkan; pakai --year)")
    if tahun is None:
        raise ValueError("tahun pelaporan tidak diketahui (tidak dari folder, tidak di Info): pakai --year")
    owner = catalog.pd(kode_pd) if kode_pd else None
    validator = partial(_validator, suites)
    judgement = judge(data, owner, kode_pd or "(tidak diketahui)", tahun, catalog, validator, limits)
    result = CheckResult(str(path), kode_pd, tahun, judgement, notes)
    _check_quarters(result, engine)
    return result


def _check_quarters(result: CheckResult, engine: Engine | None) -> None:
    """The collection's checks between quarters and the year, for a file it would load."""
    j = result.judgement
    if j.template is None or j.template.code not in (QUARTERLY, YEARLY):
        return
    if result.errors or not result.kode_pd:
        return
    against = (
        "triwulan sebelumnya dan laporan SPM tahunan"
        if j.template.code == QUARTERLY
        else f"laporan e-SPM {label(4)}"
    )
    if engine is None:
        result.quarter_checks = "at collection"
        result.notes.append(f"pemeriksaan terhadap {against} dijalankan saat pengumpulan (tanpa --warehouse)")
        return
    try:
        with engine.connect() as conn:
            found = quarter_findings(conn, j.template, j.frames, result.tahun, result.kode_pd, j.triwulan)
    except SQLAlchemyError as exc:
        result.quarter_checks = "at collection"
        result.notes.append(
            f"gudang data tidak dapat dibaca ({type(exc).__name__}): pemeriksaan terhadap {against} "
            "dijalankan saat pengumpulan"
        )
        return
    j.issues += found
    result.quarter_checks = "run"
    result.notes.append(f"diperiksa terhadap {against} yang sudah ada di gudang data")
