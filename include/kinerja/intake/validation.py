"""Validate typed frames with Great Expectations 1.x, and turn its results into `Issue`s.

Importing great_expectations costs seconds, so it is imported on first use and the context,
data source and suites are built once per process, then reused for every file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from kinerja.config import PROJECT_ROOT
from kinerja.intake.issues import Issue, Severity, shown
from kinerja.schema.model import Sheet

MAX_ISSUES_PER_RULE = 200
INDEX_EVERY_S = 300.0
"""How stale the Data Docs index may get in a long-lived process (result pages are immediate)."""


def expectations_dir() -> Path:
    return Path(os.environ.get("KINERJA_EXPECTATIONS_DIR", PROJECT_ROOT / "expectations"))


class SuiteDriftError(RuntimeError):
    """A suite file lost expectations when Great Expectations loaded it."""


class Validator:
    """One Great Expectations context and its suites, reused for every frame of a process."""

    def __init__(self, folder: Path | None = None, docs_root: Path | None = None) -> None:
        """`docs_root`: where results are kept for the operators' Data Docs (None: not kept)."""
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        import great_expectations as gx
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            FilesystemStoreBackendDefaults,
            ProgressBarsConfig,
        )

        self._folder = folder or expectations_dir()
        self._docs_root = docs_root
        self._index_built_at: float | None = None
        config = None
        if docs_root:
            # Results on disk: every worker process adds to the same Data Docs site.
            config = DataContextConfig(
                store_backend_defaults=FilesystemStoreBackendDefaults(root_directory=str(docs_root)),
                analytics_enabled=False,
            )
        self._context = gx.get_context(project_config=config, mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self._context.data_sources.add_pandas("kinerja")
        self._batch = source.add_dataframe_asset("lembar").add_batch_definition_whole_dataframe(
            "seluruh_lembar"
        )
        self._suite_cls = ExpectationSuite
        self._suites: dict[str, Any] = {}
        self._new_results: list[Any] = []
        self._meta: dict[str, list[dict[str, Any]]] = {}

    def suite(self, name: str) -> Any:
        if name not in self._suites:
            raw = json.loads((self._folder / f"{name}.json").read_text(encoding="utf-8"))
            try:
                suite = self._suite_cls(
                    name=raw["name"], expectations=raw["expectations"], meta=raw.get("meta")
                )
            except Exception as exc:  # an expectation type this GX version does not know
                raise SuiteDriftError(f"suite {name}: {exc}") from exc
            # Some GX versions log and drop unknown expectations: refuse to validate with less.
            if len(suite.expectations) != len(raw["expectations"]):
                raise SuiteDriftError(
                    f"suite {name}: {len(raw['expectations'])} expectations in the file, "
                    f"{len(suite.expectations)} loaded"
                )
            self._suites[name] = suite
        return self._suites[name]

    def validate(
        self,
        suite_name: str,
        sheet: Sheet,
        frame: pd.DataFrame,
        parameters: dict[str, Any],
        skip_cells: set[tuple[int, str]] | None = None,
        label: str | None = None,
    ) -> list[Issue]:
        """Issues of `frame` (indexed by Excel row) against the suite, in row order."""
        batch = self._batch.get_batch(batch_parameters={"dataframe": _for_validation(sheet, frame)})
        result = batch.validate(
            self.suite(suite_name),
            result_format={"result_format": "COMPLETE", "partial_unexpected_count": 0},
            expectation_parameters=parameters,
        )
        issues = []
        for res in result.results:
            if res.success:
                continue
            issues.extend(_issues(sheet, frame, res, skip_cells or set()))
        if self._docs_root and label:
            self._keep_for_docs(suite_name, label, result)
        return sorted(issues, key=lambda i: (i.row or 0, i.column or "", i.message))

    def _keep_for_docs(self, suite_name: str, label: str, result: Any) -> None:
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        for res in result.results:  # keep pages small: a sample of the failing rows is enough
            for name in ("unexpected_index_list", "unexpected_list", "partial_unexpected_list"):
                if isinstance((res.result or {}).get(name), list):
                    res.result[name] = res.result[name][:20]
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)
        if len(safe.encode()) > 150:  # a file name on disk: keep it under 255 bytes
            safe = (
                safe.encode()[:130].decode("utf-8", "ignore")
                + "_"
                + hashlib.sha256(label.encode()).hexdigest()[:12]
            )
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=RunIdentifier(run_name=safe),
            batch_identifier=suite_name,
        )
        self._context.validation_results_store.set(key, result)
        self._new_results.append(key)

    def build_docs(self) -> Path | None:
        """Rebuild the operators' Data Docs site; returns its index page."""
        if not self._docs_root:
            return None
        # Render only the pages of this process's new results, not the whole history: the site
        # grows all January. The index lists every result in the store, so its cost grows with
        # the site: a long-lived process rebuilds it at most every INDEX_EVERY_S seconds (a task
        # process, which handles one batch, always builds it).
        if self._new_results:
            now = time.monotonic()
            index = self._index_built_at is None or now - self._index_built_at >= INDEX_EVERY_S
            self._context.build_data_docs(resource_identifiers=self._new_results, build_index=index)
            self._index_built_at = now if index else self._index_built_at
            self._new_results = []
        return self._docs_root / "uncommitted" / "data_docs" / "local_site" / "index.html"


def _for_validation(sheet: Sheet, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in sheet.columns:
        if col.kind != "text":
            out[col.name] = pd.to_numeric(out[col.name], errors="coerce").astype("float64")
    return out.reset_index(drop=True)


def _issues(sheet: Sheet, frame: pd.DataFrame, res: Any, skip_cells: set[tuple[int, str]]) -> list[Issue]:
    config = res.expectation_config
    meta = config.meta or {}
    severity: Severity = "warning" if meta.get("severity") == "warning" else "error"
    message, fix = meta.get("pesan", config.type), meta.get("saran", "")
    column_header = meta.get("kolom")
    column_name = config.kwargs.get("column") or config.kwargs.get("column_B")
    positions = (res.result or {}).get("unexpected_index_list")
    if not positions:
        return [Issue(severity, message, fix, sheet.name, None, column_header, None)]
    issues = []
    for pos in [int(p) for p in positions][:MAX_ISSUES_PER_RULE]:
        excel_row = int(frame.index[pos])
        if column_header and (excel_row, column_header) in skip_cells:
            continue  # already reported as a typing error on this very cell
        value = frame.iloc[pos][column_name] if column_name else None
        if column_name is None and "column_list" in config.kwargs:
            value = " / ".join(str(shown(frame.iloc[pos][c])) for c in config.kwargs["column_list"])
        issues.append(Issue(severity, message, fix, sheet.name, excel_row, column_header, shown(value)))
    if len(positions) > MAX_ISSUES_PER_RULE:
        issues.append(
            Issue(
                severity,
                f"{message} (dan {len(positions) - MAX_ISSUES_PER_RULE} baris lain)",
                fix,
                sheet.name,
                None,
                column_header,
                None,
            )
        )
    return issues


@cache
def shared_validator() -> Validator:
    """The process-wide validator: Great Expectations is imported and set up once."""
    from kinerja.config import Settings

    return Validator(docs_root=Settings.from_env().data_docs_dir)
