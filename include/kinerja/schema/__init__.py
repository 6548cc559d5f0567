"""One definition per submission template.

The Excel templates, the readers, the Great Expectations suites, the warehouse fact tables and
the template documentation are all derived from `TEMPLATES`; change a column here and the rest
follows (tests fail when a committed artefact drifts from it).
"""

from kinerja.schema.model import (
    INFO_FIELDS,
    INFO_SHEET,
    TEMPLATES,
    Column,
    InfoField,
    PairRule,
    Sheet,
    Template,
    template,
)

__all__ = [
    "INFO_FIELDS",
    "INFO_SHEET",
    "TEMPLATES",
    "Column",
    "InfoField",
    "PairRule",
    "Sheet",
    "Template",
    "template",
]
