"""The tim ahli's choices and the decisions recorded for them (no imports: the DAG files read
these at parse time)."""

SETUJUI, TOLAK = "Setujui", "Tolak"
"""The approval request's choices (Airflow's HITL options), in Bahasa Indonesia."""
MENUNGGU, DISETUJUI, DITOLAK = "menunggu", "disetujui", "ditolak"
"""`report_review.decision`: asked and not answered yet, approved, rejected."""
DECISIONS = {SETUJUI: DISETUJUI, TOLAK: DITOLAK, "Approve": DISETUJUI, "Reject": DITOLAK}
"""Chosen option -> recorded decision (the English ones: requests made before the change)."""
