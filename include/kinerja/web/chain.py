"""Where a reporting year stands in the chain: collected → built → awaiting review → published →
synced to Satu Data, and which step waits on a paused DAG or a missing connection.

Pure: the UI plugin reads Airflow's side (paused DAGs, the year's latest runs and their task
states, which connections exist) into `PipelineState`; the warehouse's side (what came in, the
tim ahli's decisions) is read here. The status board shows the result above its matrix.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select

from kinerja.sources.connections import SATU_DATA_CONN_ID
from kinerja.warehouse.models import report_review

COLLECT, COMPILE, SYNC = "collect_submissions", "compile_reports", "sync_satu_data"
CHAIN_DAGS = (COLLECT, COMPILE, SYNC)
PORTAL_CONN_ID = SATU_DATA_CONN_ID

SELESAI, SEBAGIAN, BERJALAN, MENUNGGU, GAGAL, DITOLAK, BELUM = (
    "selesai",
    "sebagian",
    "berjalan",
    "menunggu",
    "gagal",
    "ditolak",
    "belum",
)
RUNNING_STATES = {"queued", "scheduled", "running", "up_for_retry", "up_for_reschedule", "restarting"}


@dataclass(frozen=True)
class RunState:
    """A DAG's latest run for the year (partition key or `tahun` param)."""

    run_id: str
    state: str
    tasks: Mapping[str, str] = field(default_factory=dict)
    """task_id → state ("None" when not started)."""
    at: datetime | None = None


@dataclass(frozen=True)
class PipelineState:
    paused: frozenset[str] = frozenset()
    missing_connections: frozenset[str] = frozenset()
    runs: Mapping[str, RunState] = field(default_factory=dict)
    """dag_id → the year's latest run (compile_reports, sync_satu_data)."""


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str
    detail: str
    blocked: str | None = None
    """Why the step cannot move: a paused DAG or a missing connection, with the fix."""


def _paused(dag_id: str, state: PipelineState) -> str | None:
    if dag_id not in state.paused:
        return None
    return f"menunggu DAG {dag_id} yang DIJEDA: unpause di UI atau `airflow dags unpause {dag_id}`"


def _task_step(run: RunState | None, task_id: str) -> str:
    if run is None:
        return BELUM
    task = run.tasks.get(task_id, "None")
    if task == "success":
        return SELESAI
    if task in ("failed", "upstream_failed") or (run.state == "failed" and task != "skipped"):
        return GAGAL
    if task in ("awaiting_input", "deferred"):  # the review task waits for the tim ahli
        return MENUNGGU
    if task in RUNNING_STATES or (task == "None" and run.state == "queued"):
        return BERJALAN  # a queued run (e.g. behind other years' reviews) counts as under way
    return BELUM


def latest_review(engine: Engine, tahun: int) -> tuple[str, str | None] | None:
    """(decision, reason) of the tim ahli's latest decision on the year, if any."""
    with engine.connect() as conn:
        row = conn.execute(
            select(report_review.c.decision, report_review.c.reason)
            .where(report_review.c.tahun == tahun)
            .order_by(report_review.c.id.desc())
            .limit(1)
        ).first()
    return (str(row.decision), row.reason) if row else None


def chain_steps(
    tahun: int, collected: int, due: int, state: PipelineState, review: tuple[str, str | None] | None
) -> list[Step]:
    """The five steps of `tahun`: `collected` of `due` reports are in valid; `review` is the
    latest decision recorded in the warehouse."""
    build = state.runs.get(COMPILE)
    sync = state.runs.get(SYNC)
    steps = [
        Step(
            "collected",
            "Dikumpulkan",
            SELESAI if collected >= due > 0 else SEBAGIAN if collected else BELUM,
            f"{collected} dari {due} laporan wajib masuk valid",
            _paused(COLLECT, state),
        )
    ]
    built = _task_step(build, "build_reports")
    steps.append(
        Step(
            "built",
            "Disusun",
            built,
            f"run {build.run_id}" if build else "belum ada run compile_reports untuk tahun ini",
            _paused(COMPILE, state) if built != SELESAI else None,
        )
    )
    reviewed = _task_step(build, "review_reports")
    detail = "tim ahli: Browse → Required Actions" if reviewed == MENUNGGU else ""
    if review and reviewed != MENUNGGU:
        decision, reason = review
        reviewed = DITOLAK if decision == "ditolak" else SELESAI if decision == "disetujui" else reviewed
        detail = f"keputusan terakhir: {decision}" + (f" ({reason})" if reason else "")
    steps.append(Step("review", "Menunggu telaah", reviewed, detail))
    published = _task_step(build, "publish_reports")
    if published == BELUM and review and review[0] == "disetujui":
        published = SELESAI
    steps.append(Step("published", "Diterbitkan", published, ""))
    synced = _task_step(sync, "publish_to_portal")
    blocked = None
    if synced != SELESAI:
        blocked = _paused(SYNC, state)
        if PORTAL_CONN_ID in state.missing_connections:
            blocked = (blocked + "; " if blocked else "") + (
                f"connection {PORTAL_CONN_ID} belum dibuat: `airflow connections add {PORTAL_CONN_ID} "
                "--conn-type http --conn-host <alamat portal> --conn-password <token API>`"
            )
    steps.append(
        Step("synced", "Disinkronkan ke Satu Data", synced, f"run {sync.run_id}" if sync else "", blocked)
    )
    return steps


STEP_CLASS = {
    SELESAI: "valid",
    SEBAGIAN: "terlambat",
    BERJALAN: "terlambat",
    MENUNGGU: "terlambat",
    GAGAL: "ditolak",
}
STEP_CLASS |= {DITOLAK: "ditolak", BELUM: "belum"}

CHAIN_CSS = """
.alur { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 14px; padding: 0; list-style: none; }
.alur li { flex: 1 1 150px; padding: 6px 10px; border: 1px solid var(--line); border-radius: 8px; }
.alur .judul { font-weight: 600; display: block; }
.alur .macet { color: #991b1b; font-size: 12px; margin-top: 2px; }
"""


def render_chain(tahun: int, steps: list[Step]) -> str:
    """The chain as an ordered list (escaped; the page's own CSS classes for the states)."""
    if not steps:
        return ""
    items = []
    for s in steps:
        cls = STEP_CLASS.get(s.state, "belum")
        parts = [
            f'<span class="judul">{html.escape(s.label)}</span>',
            f'<span class="badge st-{cls}">{html.escape(s.state)}</span>',
        ]
        if s.detail:
            parts.append(f'<div class="meta">{html.escape(s.detail)}</div>')
        if s.blocked:
            parts.append(f'<div class="macet">&#9888; {html.escape(s.blocked)}</div>')
        attrs = f'data-langkah="{html.escape(s.key)}" data-state="{html.escape(s.state)}"'
        items.append(f"<li {attrs}>{''.join(parts)}</li>")
    return f'<ol class="alur" aria-label="Alur tahun {tahun}">{"".join(items)}</ol>'
