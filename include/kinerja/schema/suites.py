"""Great Expectations suites derived from the schema, as plain JSON-able dicts.

Code lists are not written into the suites: they are `$PARAMETER` references filled per
agency at validation time, so one suite serves every kota and every agency.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kinerja.schema.model import TEMPLATES, Column, Sheet, Template


def suite_name(tpl: Template, sheet: Sheet) -> str:
    return f"{tpl.code.lower()}_{sheet.table.removeprefix('fact_').split('_', 1)[1]}"


def _expectation(
    type_: str,
    kwargs: dict[str, Any],
    message: str,
    fix: str,
    severity: str = "error",
    column: str | None = None,
) -> dict[str, Any]:
    meta = {"severity": severity, "pesan": message, "saran": fix}
    if column:
        meta["kolom"] = column
    return {"type": type_, "kwargs": kwargs, "meta": meta}


def _column_expectations(col: Column) -> list[dict[str, Any]]:
    out = []
    if col.required:
        out.append(
            _expectation(
                "expect_column_values_to_not_be_null",
                {"column": col.name},
                f"Kolom '{col.header}' wajib diisi.",
                "Isi sel ini (tulis 0 bila memang nihil).",
                column=col.header,
            )
        )
    if col.codes:
        out.append(
            _expectation(
                "expect_column_values_to_be_in_set",
                {"column": col.name, "value_set": {"$PARAMETER": col.codes}},
                f"Kode '{col.header}' tidak dikenal atau bukan milik PD ini.",
                "Pilih kode dari daftar pada lembar Kode.",
                column=col.header,
            )
        )
    if col.min_value is not None or col.max_value is not None:
        kwargs: dict[str, Any] = {"column": col.name}
        parts = []
        if col.min_value is not None:
            kwargs["min_value"] = col.min_value
            kwargs["strict_min"] = col.min_exclusive
            parts.append(f"{'lebih dari' if col.min_exclusive else 'paling kecil'} {col.min_value:g}")
        if col.max_value is not None:
            kwargs["max_value"] = col.max_value
            parts.append(f"paling besar {col.max_value:g}")
        out.append(
            _expectation(
                "expect_column_values_to_be_between",
                kwargs,
                f"Nilai '{col.header}' harus {' dan '.join(parts)}.",
                "Periksa angka ini; jumlah dan anggaran tidak boleh negatif.",
                column=col.header,
            )
        )
    if col.pattern:
        out.append(
            _expectation(
                "expect_column_values_to_match_regex",
                {"column": col.name, "regex": col.pattern},
                f"Isian '{col.header}' tidak berbentuk yang diminta.",
                "Salin alamat web lengkapnya, diawali https://."
                if "http" in col.pattern
                else "Periksa isian ini.",
                column=col.header,
            )
        )
    if col.max_length:
        out.append(
            _expectation(
                "expect_column_value_lengths_to_be_between",
                {"column": col.name, "max_value": col.max_length},
                f"Isian '{col.header}' lebih dari {col.max_length} karakter.",
                "Persingkat isian; uraian panjang cukup di dokumen data dukung.",
                column=col.header,
            )
        )
    return out


def build_suite(tpl: Template, sheet: Sheet) -> dict[str, Any]:
    expectations: list[dict[str, Any]] = []
    if sheet.min_rows:
        expectations.append(
            _expectation(
                "expect_table_row_count_to_be_between",
                {"min_value": sheet.min_rows},
                f"Lembar '{sheet.name}' belum berisi data.",
                "Isi data pada lembar ini.",
            )
        )
    for col in sheet.columns:
        expectations.extend(_column_expectations(col))
    key_headers = ", ".join(sheet.column(k).header for k in sheet.key)
    if len(sheet.key) == 1:
        expectations.append(
            _expectation(
                "expect_column_values_to_be_unique",
                {"column": sheet.key[0]},
                f"'{key_headers}' muncul lebih dari sekali.",
                "Hapus atau gabungkan baris ganda.",
                column=sheet.column(sheet.key[0]).header,
            )
        )
    else:
        expectations.append(
            _expectation(
                "expect_compound_columns_to_be_unique",
                {"column_list": list(sheet.key)},
                f"Kombinasi {key_headers} muncul lebih dari sekali.",
                "Hapus atau gabungkan baris ganda.",
                column=key_headers,
            )
        )
    for rule in sheet.rules:
        expectations.append(
            _expectation(
                "expect_column_pair_values_a_to_be_greater_than_b",
                {
                    "column_A": rule.left,
                    "column_B": rule.right,
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                rule.message,
                rule.fix,
                severity=rule.severity,
                column=sheet.column(rule.right).header,
            )
        )
    for only in sheet.only_for:
        # Rows meeting the condition must belong to the allowed codes (per agency: $PARAMETER).
        expectations.append(
            _expectation(
                "expect_column_values_to_be_in_set",
                {
                    "column": only.key,
                    "value_set": {"$PARAMETER": only.codes},
                    "row_condition": f"{only.column} {only.condition}",
                    "condition_parser": "pandas",
                },
                only.message,
                only.fix,
                column=sheet.column(only.column).header,
            )
        )
    return {
        "name": suite_name(tpl, sheet),
        "expectations": expectations,
        "meta": {
            "template": tpl.code,
            "versi_template": tpl.version,
            "lembar": sheet.name,
            "dibuat_dari": "kinerja.schema (jangan diedit tangan: kinerja suites --write)",
        },
    }


def all_suites() -> dict[str, dict[str, Any]]:
    return {suite_name(t, s): build_suite(t, s) for t in TEMPLATES.values() for s in t.sheets}


def write_suites(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, suite in all_suites().items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(suite, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
