"""Suggested fixes ("Mungkin maksud Anda: …"), shown to the official, never applied.

Added to the `fix` of a finding when we can tell what was probably meant:

* a code that is not in the agency's list: the nearest valid code, by the code itself (a typo,
  stray or invisible spaces, the wrong case) or by its name (the name typed into the code cell);
* a number typed as text: the number we read in it (`'1.234,5'`, `'12 orang'`);
* a sheet or a column that was renamed: the sheet or header that stands where it should be.

We never change what is loaded: a suggestion is a guess (in Indonesian `1.234` is 1234, to Excel
1.234), so the official confirms it by correcting the file.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from kinerja.intake.markup import SUMMARY_SHEET
from kinerja.intake.reader import normalise_header
from kinerja.schema.excel import CODES_SHEET
from kinerja.schema.issues import Issue, shown
from kinerja.schema.model import INFO_SHEET, Column, Template

log = logging.getLogger(__name__)

PREFIX = "Mungkin maksud Anda:"
OUR_SHEETS = {INFO_SHEET, "Petunjuk", CODES_SHEET, SUMMARY_SHEET}
"""Sheets of the template (and of our marked-up copy) that are never a renamed data sheet."""
CUTOFF = 0.75
"""How alike (difflib ratio) a code or name must be to be suggested: close enough to be a typo."""
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_INDONESIAN = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|-?\d+,\d+")
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")


def _nearest(value: str, choices: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(value, choices, n=1, cutoff=CUTOFF)
    return found[0] if found else None


def suggest_code(value: str, allowed: Sequence[str], names: Mapping[str, str]) -> str | None:
    """The valid code an official probably meant by `value`, with its name; None if unclear."""
    if not allowed or value in allowed:
        return None
    squeezed = _INVISIBLE.sub("", value)
    for candidate in allowed:
        if _INVISIBLE.sub("", candidate) == squeezed:
            return f"{candidate} ({names.get(candidate, candidate)}), tanpa spasi"
    by_case = {c.casefold(): c for c in allowed}
    code = by_case.get(squeezed.casefold()) or _nearest(squeezed, list(allowed))
    if code is None:  # the name typed where the code goes, or a name close to it
        by_name = {normalise_header(n): c for c, n in names.items() if c in allowed}
        name = _nearest(normalise_header(value), list(by_name))
        code = by_name[name] if name else None
    return f"{code} ({names.get(code, code)})" if code else None


def suggest_number(value: str) -> str | None:
    """The number in a number typed as text, written as the official would type it."""
    text = value.replace(" ", "").replace("\u00a0", "")
    for pattern, indonesian in ((_INDONESIAN, True), (_PLAIN, False)):
        found = pattern.findall(text)
        if len(found) == 1:
            # Shown the Indonesian way: no thousands separator, a decimal comma.
            number = found[0].replace(".", "") if indonesian else found[0].replace(".", ",")
            return f"angka {number}"
    return None


def _with(issue: Issue, suggestion: str | None) -> Issue:
    if not suggestion or PREFIX in issue.fix:
        return issue
    return replace(issue, fix=(issue.fix + " " if issue.fix else "") + f"{PREFIX} {suggestion}?")


def _renamed_sheet(missing: str, present: Sequence[str], template_sheets: set[str]) -> str | None:
    """The sheet that is probably `missing` under another name: alike, or containing its name."""
    others = {normalise_header(n): n for n in present if n not in template_sheets | OUR_SHEETS}
    want = normalise_header(missing)
    close = _nearest(want, list(others)) or next((n for n in others if want in n or n in want), None)
    return others[close] if close else None


def _header_row(workbook: Any, sheet: str, row: int) -> list[Any]:
    for number, cells in enumerate(workbook.get_sheet_by_name(sheet).iter_rows(), start=1):
        if number == row:
            return list(cells)
    return []


def with_suggestions(
    issues: Sequence[Issue],
    workbook: Any,
    tpl: Template,
    codes: Mapping[str, Sequence[str]],
    labels: Mapping[str, Mapping[str, str]],
) -> list[Issue]:
    """`issues` with a suggestion added to the fix where we have one. `workbook` is the open
    CalamineWorkbook (read again only for a missing sheet or column, which is rare)."""
    columns: dict[tuple[str, str], tuple[int, Column]] = {
        (s.name, c.header): (i, c) for s in tpl.sheets for i, c in enumerate(s.columns)
    }
    expected = {normalise_header(c.header) for s in tpl.sheets for c in s.columns}
    template_sheets = {s.name for s in tpl.sheets}
    out = []
    for issue in issues:
        try:
            suggestion = _suggestion(issue, workbook, columns, expected, template_sheets, codes, labels)
        except Exception:  # a guess that fails is no guess: it never changes the verdict
            log.warning("no suggestion for %s", issue, exc_info=True)
            suggestion = None
        out.append(_with(issue, suggestion))
    return out


def _suggestion(
    issue: Issue,
    workbook: Any,
    columns: Mapping[tuple[str, str], tuple[int, Column]],
    expected: set[str],
    template_sheets: set[str],
    codes: Mapping[str, Sequence[str]],
    labels: Mapping[str, Mapping[str, str]],
) -> str | None:
    where = columns.get((issue.sheet or "", issue.column or ""))
    if issue.sheet and issue.row is None and issue.column is None and issue.message.startswith("Lembar"):
        if issue.sheet not in workbook.sheet_names:  # a renamed sheet
            found = _renamed_sheet(issue.sheet, workbook.sheet_names, template_sheets)
            if found:
                return f"lembar '{shown(found, 60)}' (kembalikan namanya menjadi '{issue.sheet}')"
    elif where and issue.row and issue.value is None and issue.message.startswith("Kolom"):
        position, col = where  # a renamed header: what stands where the template puts it
        header = _header_row(workbook, issue.sheet or "", issue.row)
        cell = header[position] if position < len(header) else None
        if cell not in (None, "") and normalise_header(cell) not in expected:
            return f"kolom '{shown(cell, 60)}' (kembalikan judulnya menjadi '{col.header}')"
    elif where and issue.value is not None:
        col = where[1]
        if col.codes and col.codes in codes:
            return suggest_code(issue.value, codes[col.codes], labels.get(col.codes, {}))
        if col.kind != "text" and "teks" in issue.message:
            return suggest_number(issue.value)
    return None
