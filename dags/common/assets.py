"""The assets that chain the DAGs, defined once: collection → reports → Satu Data."""

from __future__ import annotations

from airflow.sdk import Asset

SUBMISSIONS = Asset("kinerja_submissions", uri="kinerja://warehouse/submissions")
"""Emitted by collect_submissions when files were loaded or rejected (extra: tahun, counts)."""
REPORTS_APPROVED = Asset("kinerja_reports_approved", uri="kinerja://reports/published")
"""Emitted by compile_reports when the tim ahli approved a year (extra: tahun, folder)."""
SATU_DATA = Asset("kinerja_satu_data", uri="kinerja://satu-data/published")
"""Emitted by sync_satu_data after publishing to the portal (extra: tahun, counts)."""
