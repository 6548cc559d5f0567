"""Validate typed frames with Great Expectations 1.x, and turn its results into `Issue`s.

Importing great_expectations costs seconds, so it is imported on first use (or preloaded in a
worker's parent process, `kinerja.preload`) and the context, data source and suites are built
once per process, then reused for every file.

Each validation call costs Great Expectations a fixed ~50-100 ms (its metric graph), whatever
the rows, so `validate_batch` validates the same sheet of many files in one call: their frames
concatenated, every expectation rewritten so that it still judges each file on its own (see
`_Plan`), and the unexpected rows mapped back to their file. `validate` (one file, the suite as
written) is the definition the batch must equal, finding for finding; the parity test checks it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from kinerja.config import PROJECT_ROOT
from kinerja.heap import keep_out_of_collections
from kinerja.schema.issues import Issue, Severity, shown
from kinerja.schema.model import Sheet

MAX_ISSUES_PER_RULE = 200
SITE_RESULTS = 200
"""Results kept on the Data Docs site (one per suite and batch); older ones move to `arsip/`."""
INDEX_RESULTS = 50
"""The Data Docs index lists the newest results only (it reads each one it lists)."""
INDEX_EVERY_S = 300.0
"""How stale the Data Docs index may get in a long-lived process (result pages are immediate)."""


EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
"""The suites in the source tree; a deployment names its own (`Settings.expectations_dir`)."""


class SuiteDriftError(RuntimeError):
    """A suite file lost expectations when Great Expectations loaded it."""


class Validator:
    """One Great Expectations context and its suites, reused for every frame of a process."""

    def __init__(self, folder: Path | None = None, docs_root: Path | None = None) -> None:
        """`folder`: the suites (`Settings.expectations_dir`; default: the source tree's).
        `docs_root`: where results are kept for the operators' Data Docs (None: not kept)."""
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        import great_expectations as gx
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            FilesystemStoreBackendDefaults,
            ProgressBarsConfig,
        )

        self._folder = folder or EXPECTATIONS_DIR
        self._docs_root = docs_root
        self._index_built_at: float | None = None
        config = None
        if docs_root:
            # Results on disk: every worker process adds to the same Data Docs site. The index
            # reads every result it lists: list only the newest, so its cost stays flat all January.
            defaults = FilesystemStoreBackendDefaults(root_directory=str(docs_root))
            sites: dict[str, dict[str, Any]] = defaults.data_docs_sites or {}
            for site in sites.values():
                index_builder = site.setdefault(
                    "site_index_builder", {"class_name": "DefaultSiteIndexBuilder"}
                )
                index_builder["validation_results_limit"] = INDEX_RESULTS
            config = DataContextConfig(store_backend_defaults=defaults, analytics_enabled=False)
        self._context = gx.get_context(project_config=config, mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self._context.data_sources.add_pandas("kinerja")
        self._batch = source.add_dataframe_asset("lembar").add_batch_definition_whole_dataframe(
            "seluruh_lembar"
        )
        self._suite_cls = ExpectationSuite
        self._suites: dict[str, Any] = {}
        self._plans: dict[str, _Plan] = {}
        self._batch_suites: dict[tuple[str, str], Any] = {}
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
            self._plans[name] = _Plan(raw["expectations"])
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
            config = res.expectation_config
            positions = (res.result or {}).get("unexpected_index_list")
            issues.extend(
                _issues(
                    sheet,
                    frame,
                    config.meta or {},
                    config.type,
                    config.kwargs,
                    positions,
                    skip_cells or set(),
                )
            )
        if self._docs_root and label:
            self._keep_for_docs(suite_name, label, result)
        return _in_order(issues)

    def validate_batch(self, suite_name: str, sheet: Sheet, items: Sequence[ToValidate]) -> list[list[Issue]]:
        """The issues of every item, each exactly what `validate` finds in it alone, with one
        Great Expectations call for all of them (one per group of `$PARAMETER` values that
        cannot be joined; one more for table-level row counts)."""
        if not items:
            return []
        self.suite(suite_name)
        plan = self._plans[suite_name]
        found: list[dict[int, list[Issue]]] = [{} for _ in items]
        groups: dict[str, list[int]] = {}
        for k, item in enumerate(items):
            key = json.dumps([item.parameters.get(p) for p in plan.grouped], sort_keys=True, default=str)
            groups.setdefault(key, []).append(k)
        for members in groups.values():
            chosen = [items[k] for k in members]
            if plan.encoded and not all(
                isinstance(v, str) for item in chosen for p in plan.encoded for v in item.parameters[p]
            ):
                return [self._alone(suite_name, sheet, item) for item in items]  # codes not all text
            parts = [
                self._batch_rows(suite_name, sheet, plan, chosen),
                self._batch_counts(suite_name, plan, chosen),
            ]
            if any(part is None for part in parts):
                return [self._alone(suite_name, sheet, item) for item in items]
            for part in parts:
                for (j, at), positions in (part or {}).items():
                    found[members[j]][at] = self._issues_at(
                        sheet, chosen[j], plan.expectations[at], positions
                    )
        for k, item in enumerate(items):
            for at in plan.alone:  # expectations that cannot be batched: this file on its own
                found[k].update(self._one_alone(suite_name, sheet, item, at))
        return [_in_order([i for at in sorted(f) for i in f[at]]) for f in found]

    def _alone(self, suite_name: str, sheet: Sheet, item: ToValidate) -> list[Issue]:
        return self.validate(suite_name, sheet, item.frame, item.parameters, item.skip_cells, item.label)

    def _issues_at(
        self, sheet: Sheet, item: ToValidate, expectation: dict[str, Any], positions: list[int] | None
    ) -> list[Issue]:
        kwargs = expectation["kwargs"]
        return _issues(
            sheet,
            item.frame,
            expectation.get("meta") or {},
            expectation["type"],
            kwargs,
            positions,
            item.skip_cells,
        )

    def _run(
        self,
        key: tuple[str, str],
        expectations: list[dict[str, Any]],
        frame: pd.DataFrame,
        params: dict[str, Any],
    ) -> Any:
        if key not in self._batch_suites:
            self._batch_suites[key] = self._suite_cls(name=f"{key[0]}__{key[1]}", expectations=expectations)
        batch = self._batch.get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(
            self._batch_suites[key],
            result_format={"result_format": "COMPLETE", "partial_unexpected_count": 0},
            expectation_parameters=params,
        )

    def _batch_rows(
        self, suite_name: str, sheet: Sheet, plan: _Plan, items: Sequence[ToValidate]
    ) -> dict[tuple[int, int], list[int]] | None:
        """Row-wise and per-file key expectations over the concatenated frames: for each
        (item, expectation) that fails, the item's unexpected positions. None: redo alone."""
        if not plan.rows:
            return {}
        sizes = [len(item.frame) for item in items]
        starts = [0]
        for n in sizes:
            starts.append(starts[-1] + n)
        filled = [item.frame for item in items if len(item.frame)] or [items[0].frame]
        whole = _for_validation(sheet, pd.concat(filled))  # converted cell by cell: as alone
        owner = [k for k, n in enumerate(sizes) for _ in range(n)]
        whole[FILE] = pd.array(owner, dtype="float64")
        params = {p: items[0].parameters[p] for p in plan.grouped if p in items[0].parameters}
        for at, column, param in plan.encoded_columns:  # the join: each row against its own file's codes
            allowed = [frozenset(item.parameters[param]) for item in items]
            whole[_encoded(column, at)] = [
                _member(v, allowed[k]) for k, v in zip(owner, whole[column].tolist(), strict=True)
            ]
        for at, columns in plan.all_missing_keys:  # rows an alone check ignores stay ignored
            whole[_encoded(FILE, at)] = whole[FILE].where(whole[columns].notna().any(axis=1))
        result = self._run((suite_name, "baris"), plan.rows, whole, params)
        out: dict[tuple[int, int], list[int]] = {}
        for res in result.results:
            if _raised(res):
                return None
            if res.success:
                continue
            positions = (res.result or {}).get("unexpected_index_list")
            if not positions:
                return None  # a failure GX did not pin to rows: only an alone call can say it
            at = int(res.expectation_config.meta[ORIGIN])
            for pos in (int(p) for p in positions):
                k = owner[pos]
                out.setdefault((k, at), []).append(pos - starts[k])
        self._keep_batch_for_docs(suite_name, items, result)
        return out

    def _batch_counts(
        self, suite_name: str, plan: _Plan, items: Sequence[ToValidate]
    ) -> dict[tuple[int, int], list[int] | None] | None:
        """Table row counts, each file's count one row of a small frame."""
        if not plan.counts:
            return {}
        frame = pd.DataFrame({ROWS: [float(len(item.frame)) for item in items]})
        params = {p: items[0].parameters[p] for p in plan.grouped if p in items[0].parameters}
        result = self._run((suite_name, "jumlah"), plan.counts, frame, params)
        out: dict[tuple[int, int], list[int] | None] = {}
        for res in result.results:
            if _raised(res):
                return None
            for k in (int(p) for p in (res.result or {}).get("unexpected_index_list") or []):
                out[(k, int(res.expectation_config.meta[ORIGIN]))] = None  # a finding without a row
            if not res.success and not (res.result or {}).get("unexpected_index_list"):
                return None
        self._keep_batch_for_docs(f"{suite_name}_jumlah_baris", items, result)
        return out

    def _one_alone(self, suite_name: str, sheet: Sheet, item: ToValidate, at: int) -> dict[int, list[Issue]]:
        plan = self._plans[suite_name]
        result = self._run(
            (suite_name, f"sendiri{at}"),
            [plan.expectations[at]],
            _for_validation(sheet, item.frame),
            item.parameters,
        )
        issues = []
        for res in result.results:
            if not res.success:
                positions = (res.result or {}).get("unexpected_index_list")
                issues.extend(self._issues_at(sheet, item, plan.expectations[at], positions))
        return {at: issues}

    def _keep_batch_for_docs(self, suite_name: str, items: Sequence[ToValidate], result: Any) -> None:
        labels = [item.label for item in items if item.label]
        if self._docs_root and labels:
            label = labels[0] if len(labels) == 1 else f"{labels[0]}+{len(labels) - 1}_berkas"
            self._keep_for_docs(suite_name, label, result)

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
        """Refresh the operators' Data Docs site with this process's new results; returns its
        index page."""
        if not self._docs_root:
            return None
        # Great Expectations lists every result of the site on each refresh (pages and index
        # alike), so a refresh costs what the site holds: the site keeps the newest SITE_RESULTS
        # and older ones move to `arsip/`, which GX never lists. Only this process's new pages
        # are rendered; the index (the newest INDEX_RESULTS) at most every INDEX_EVERY_S seconds
        # in a long-lived process (a task process, which handles one batch, always builds it).
        if self._new_results:
            self._retire_old_results()
            now = time.monotonic()
            index = self._index_built_at is None or now - self._index_built_at >= INDEX_EVERY_S
            self._context.build_data_docs(resource_identifiers=self._new_results, build_index=index)
            self._index_built_at = now if index else self._index_built_at
            self._new_results = []
        return self._site / "index.html"

    @property
    def _site(self) -> Path:
        assert self._docs_root
        return self._docs_root / "uncommitted" / "data_docs" / "local_site"

    def _retire_old_results(self) -> None:
        """Move all but the newest SITE_RESULTS results (and their pages) to `arsip/`. Other
        processes may retire the same files at the same time: a file already gone is skipped."""
        assert self._docs_root
        store = self._docs_root / "uncommitted" / "validations"
        aged: list[tuple[float, Path]] = []
        for result in store.glob("*/*/*/*.json"):  # suite / run name / run time / batch
            try:
                aged.append((result.stat().st_mtime, result))
            except FileNotFoundError:
                continue
        aged.sort(reverse=True)
        archive = self._docs_root / "arsip"
        for _, result in aged[SITE_RESULTS:]:
            rel = result.relative_to(store)
            page = self._site / "validations" / rel.with_suffix(".html")
            for source, target in (
                (result, archive / "validations" / rel),
                (page, archive / "halaman" / rel),
            ):
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(source, target.with_suffix(source.suffix))
                except FileNotFoundError:
                    pass
                for empty in (source.parent, source.parent.parent):  # run time, run name folders
                    try:
                        empty.rmdir()
                    except OSError:
                        break


FILE = "__berkas"
"""The column of a batch frame naming each row's file (its position in the batch)."""
ROWS = "__jumlah_baris"
"""The column of the row-count frame: one row per file, its number of rows."""
MEMBER = "\x1d"
"""The value a joined code-list column holds where the code belongs to the row's file."""
ORIGIN = "urutan_asal"
"""Meta key of a rewritten expectation: its position in the suite as written."""

ROW_WISE = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_value_lengths_to_be_between",
    "expect_column_value_lengths_to_equal",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_not_match_regex",
    "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_pair_values_to_be_equal",
}
"""Expectations that judge each row by itself: a batch gives every file what it gets alone."""


@dataclass(frozen=True)
class ToValidate:
    """One file's typed frame of one sheet (indexed by Excel row), and what it is judged with."""

    frame: pd.DataFrame
    parameters: dict[str, Any]
    skip_cells: set[tuple[int, str]] = field(default_factory=set)
    label: str | None = None


class _Plan:
    """A suite rewritten for a batch of files, so that every expectation still judges each file
    on its own:

    * row-wise expectations run as written;
    * a code list per agency (`value_set: {"$PARAMETER": ...}`) becomes a join: each row's
      code looked up in its own file's list (`_member`), the expectation then asks for MEMBER
      (a value of another type matches nothing, as alone with a list of text codes);
    * uniqueness is per file: `[FILE, *key]` must be unique (rows an alone check ignores, null
      keys, are still ignored);
    * table row counts are checked on a frame of one row per file;
    * other `$PARAMETER`s split the batch into groups of files with the same values;
    * row conditions (`row_condition`) filter rows by their own values: kept on row-wise ones;
    * anything else (`mostly`, conditional keys or counts, unknown types) runs per file, alone.
    """

    def __init__(self, expectations: list[dict[str, Any]]) -> None:
        self.expectations = expectations
        self.rows: list[dict[str, Any]] = []
        self.counts: list[dict[str, Any]] = []
        self.alone: list[int] = []
        self.encoded: set[str] = set()
        self.encoded_columns: list[tuple[int, str, str]] = []
        self.all_missing_keys: list[tuple[int, list[str]]] = []
        grouped: set[str] = set()
        for at, exp in enumerate(expectations):
            type_, kwargs = exp["type"], dict(exp["kwargs"])
            meta = {**(exp.get("meta") or {}), ORIGIN: at}
            if kwargs.get("mostly", 1) != 1:  # a share of each file's rows: per file
                self.alone.append(at)
                continue
            codes = _parameter(kwargs.get("value_set"))
            if (
                type_ in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set")
                and codes
            ):
                self.encoded_columns.append((at, kwargs["column"], codes))
                self.encoded.add(codes)
                kwargs["column"] = _encoded(kwargs["column"], at)
                kwargs["value_set"] = [MEMBER]
                self.rows.append({"type": type_, "kwargs": kwargs, "meta": meta})
                continue
            grouped.update(p for p in map(_parameter, kwargs.values()) if p)
            if type_ in ROW_WISE:  # a row condition, too, looks at each row by itself
                self.rows.append({"type": type_, "kwargs": kwargs, "meta": meta})
            elif kwargs.get("row_condition"):
                self.alone.append(at)  # keys or counts over a filtered part of each file
            elif type_ == "expect_column_values_to_be_unique":
                column = kwargs.pop("column")
                kwargs.update(column_list=[FILE, column], ignore_row_if="any_value_is_missing")
                self.rows.append(
                    {"type": "expect_compound_columns_to_be_unique", "kwargs": kwargs, "meta": meta}
                )
            elif type_ == "expect_compound_columns_to_be_unique":
                key = FILE
                if kwargs.get("ignore_row_if", "all_values_are_missing") == "all_values_are_missing":
                    key = _encoded(FILE, at)  # null where every key column is null
                    self.all_missing_keys.append((at, list(kwargs["column_list"])))
                kwargs["column_list"] = [key, *kwargs["column_list"]]
                self.rows.append({"type": type_, "kwargs": kwargs, "meta": meta})
            elif type_ in ("expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"):
                bounds = {
                    k: kwargs[k]
                    for k in ("min_value", "max_value", "strict_min", "strict_max")
                    if k in kwargs
                }
                if "value" in kwargs:
                    bounds = {"min_value": kwargs["value"], "max_value": kwargs["value"]}
                self.counts.append(
                    {
                        "type": "expect_column_values_to_be_between",
                        "kwargs": {"column": ROWS, **bounds},
                        "meta": meta,
                    }
                )
            else:
                self.alone.append(at)
        self.grouped = sorted(grouped)


def _parameter(value: Any) -> str | None:
    """The name of a `{"$PARAMETER": name}` reference, else None."""
    return value.get("$PARAMETER") if isinstance(value, dict) else None


def _encoded(name: str, at: int) -> str:
    return f"{name}__{at}"


def _member(value: Any, codes: frozenset[str]) -> str | None:
    """A cell of a per-file code list's column, joined with its file's codes: MEMBER when it
    is one of them; nulls stay null (ignored, as alone); any other value a marker that is not."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return MEMBER if isinstance(value, str) and value in codes else "\x1e"


def _raised(res: Any) -> bool:
    info = res.exception_info or {}
    return bool(info.get("raised_exception")) or any(
        isinstance(v, dict) and v.get("raised_exception") for v in info.values()
    )


def _in_order(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.row or 0, i.column or "", i.message))


def _for_validation(sheet: Sheet, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in sheet.columns:
        if col.kind != "text":
            out[col.name] = pd.to_numeric(out[col.name], errors="coerce").astype("float64")
    return out.reset_index(drop=True)


def _issues(
    sheet: Sheet,
    frame: pd.DataFrame,
    meta: dict[str, Any],
    type_: str,
    kwargs: dict[str, Any],
    positions: list[Any] | None,
    skip_cells: set[tuple[int, str]],
) -> list[Issue]:
    """The issues of one failed expectation in one file; `positions`: its unexpected rows
    (positions in `frame`), None or empty for a finding about the whole sheet."""
    severity: Severity = "warning" if meta.get("severity") == "warning" else "error"
    message, fix = meta.get("pesan", type_), meta.get("saran", "")
    column_header = meta.get("kolom")
    column_name = kwargs.get("column") or kwargs.get("column_B")
    if not positions:
        return [Issue(severity, message, fix, sheet.name, None, column_header, None)]
    issues = []
    for pos in [int(p) for p in positions][:MAX_ISSUES_PER_RULE]:
        excel_row = int(frame.index[pos])
        if column_header and (excel_row, column_header) in skip_cells:
            continue  # already reported as a typing error on this very cell
        value = frame.iloc[pos][column_name] if column_name else None
        if column_name is None and "column_list" in kwargs:
            value = " / ".join(str(shown(frame.iloc[pos][c])) for c in kwargs["column_list"])
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
def shared_validator(folder: Path | None = None, docs_root: Path | None = None) -> Validator:
    """The process-wide validator of `folder` keeping results in `docs_root` (as `Validator`):
    Great Expectations is imported and set up once. A collection passes its settings'
    (`kinerja.pipeline.open_run`)."""
    validator = Validator(folder, docs_root)
    keep_out_of_collections()  # its context and the imports live as long as the process
    return validator
