"""A finding about a submission, addressed to the official who must fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    severity: Severity
    message: str
    """What is wrong, in Bahasa Indonesia."""
    fix: str = ""
    """How to fix it."""
    sheet: str | None = None
    row: int | None = None
    """The Excel row number the official sees (1-based), when the issue is about one row."""
    column: str | None = None
    """The column header the official sees."""
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


JSON_FIELDS = ("sheet", "row", "column", "value", "message", "fix")
"""What `kinerja collect --json` and `kinerja check --json` show of an issue."""


def issue_json(issue: Issue) -> dict[str, Any]:
    return {k: getattr(issue, k) for k in JSON_FIELDS}


def error(message: str, fix: str = "", **where: Any) -> Issue:
    return Issue("error", message, fix, **where)


def warning(message: str, fix: str = "", **where: Any) -> Issue:
    return Issue("warning", message, fix, **where)


def shown(value: Any, limit: int = 80) -> str | None:
    """A cell value as the official would recognise it, cut to a readable length."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
