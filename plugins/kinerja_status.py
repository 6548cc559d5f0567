"""Airflow UI plugin: the "Status Pengumpulan" page (which agency handed in what, per year) and
the "Tinjauan Laporan" page (the tim ahli's review of a staged build of the reports).

A FastAPI app mounted at `/kinerja` on the API server, every route behind Airflow's own login
(`requires_authenticated()`: without a valid session or token the answer is 401), and an external
view that embeds the page in the UI's navigation. The page and the data come from
`kinerja.web.status_page` and `kinerja.web.review`; this file only wires them to routes
and to the Connections:

* `kinerja_warehouse_read` (the reports' read-only login), else `kinerja_warehouse` (postgres or
  sqlite), else `KINERJA_WAREHOUSE_READ_URL`/default, for the warehouse;
* `kinerja_drive` (`fs`, `samba`, `sftp`, as for the DAGs) to read feedback files, else
  `KINERJA_DRIVE_DIR`/default. Only feedback paths recorded in the warehouse are ever served.

A request works with one `kinerja.runtime.Runtime` (settings, catalogue, the read-only
warehouse), kept per warehouse URL for the process so that its engine pools connections.

Staged report files are served from the staging folder recorded for the build, only under a
path in the build's recorded file list and only while their SHA-256 is the recorded one.
"""

from functools import cache
from typing import TYPE_CHECKING, Any

from airflow.plugins_manager import AirflowPlugin
from kinerja.sources.connections import DRIVE_CONN_ID, WAREHOUSE_CONN_ID, WAREHOUSE_READ_CONN_ID

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse
    from kinerja.runtime import Runtime
    from kinerja.sources.base import Drive
    from kinerja.web.chain import PipelineState

URL_PREFIX = "/kinerja"
MAX_FEEDBACK_BYTES = 5 * 1024 * 1024
STAGED_HEADERS = {
    # Staged HTML (the report, PD bundles) carries inline CSS and images beside it; no scripts.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
DOWNLOADS = (".csv", ".xlsx", ".docx")
PAGE_HEADERS = {
    # Both pages are our own escaped HTML with inline CSS; still, nothing in them may run or load
    # anything, and only the Airflow UI (same origin) may frame them.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        "frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="#1d4ed8" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><rect x="3" y="3" width="18" '
    'height="18" rx="2"/><path d="M3 9h18M3 15h18M9 3v18M15 3v18"/></svg>'
)


def _connection(conn_id: str) -> Any:
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def _runtime() -> "Runtime":
    """The request's runtime: the read-only connection, else the warehouse connection (read as
    the DAGs read them), else the settings' read-only URL; the page only reads."""
    from kinerja.sources.connections import warehouse_url

    url = warehouse_url(_connection(WAREHOUSE_READ_CONN_ID)) or warehouse_url(_connection(WAREHOUSE_CONN_ID))
    return _runtime_for(url)


@cache
def _runtime_for(warehouse_url: str | None) -> "Runtime":
    from kinerja.runtime import Runtime

    return Runtime.open(warehouse_url=warehouse_url, read_only=True)


def _drive(rt: "Runtime") -> "Drive":
    """The `kinerja_drive` connection, read as the DAGs read it, else the settings'."""
    from kinerja.sources.connections import drive_spec

    return rt.drive(drive_spec(_connection(DRIVE_CONN_ID)))


def _unavailable(exc: Exception) -> "HTMLResponse":
    import html

    from fastapi.responses import HTMLResponse

    return HTMLResponse(
        '<!doctype html><html lang="id"><meta charset="utf-8"><title>Status Pengumpulan</title>'
        '<body style="font-family:system-ui,sans-serif;padding:20px">'
        "<h1>Status Pengumpulan</h1><p>Gudang data belum dapat dibaca: "
        f"{html.escape(type(exc).__name__)}. Jalankan DAG <code>collect_submissions</code> "
        "atau periksa Connection <code>kinerja_warehouse</code>.</p></body></html>",
        status_code=503,
    )


def _pipeline_state(tahun: int) -> "PipelineState | None":
    """Airflow's side of the year's chain: paused DAGs, the latest compile_reports and
    sync_satu_data run for the year (its partition key, or a manual run's `tahun`), missing
    connections. None when Airflow's metadata cannot be read (the board still shows the matrix)."""
    from airflow.models.dag import DagModel
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from kinerja.web.chain import CHAIN_DAGS, COLLECT, PORTAL_CONN_ID, PipelineState, RunState
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with create_session() as session:
            paused = frozenset(
                str(d.dag_id)
                for d in session.query(DagModel).filter(DagModel.dag_id.in_(CHAIN_DAGS), DagModel.is_paused)
            )
            runs: dict[str, RunState] = {}
            for dag_id in CHAIN_DAGS:
                if dag_id == COLLECT:
                    continue  # what was collected is read from the warehouse
                recent = session.query(DagRun).filter(DagRun.dag_id == dag_id).order_by(DagRun.id.desc())
                for run in recent.limit(200):
                    if run.partition_key == str(tahun) or (run.conf or {}).get("tahun") == tahun:
                        tis = session.query(TaskInstance).filter(
                            TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id
                        )
                        tasks = {t.task_id: str(t.state) for t in tis}
                        runs[dag_id] = RunState(str(run.run_id), str(run.state), tasks, run.run_after)
                        break
    except SQLAlchemyError:
        return None
    missing = frozenset({PORTAL_CONN_ID} if _connection(PORTAL_CONN_ID) is None else set())
    return PipelineState(paused=paused, missing_connections=missing, runs=runs)


def _base_path() -> str:
    """The UI's path prefix ('/' unless Airflow is served under a sub-path), for links to it."""
    from urllib.parse import urlparse

    from airflow.configuration import conf

    return urlparse(conf.get("api", "base_url", fallback="/") or "/").path or "/"


@cache
def build_app() -> "FastAPI":
    """The plugin's FastAPI app, built on first use: only the API server needs it, and its
    imports (FastAPI, Airflow's security module: ~1.3 s) would otherwise be paid by every task
    process, since each one loads the plugins folder."""
    from airflow.api_fastapi.core_api.security import requires_authenticated
    from fastapi import Depends, FastAPI, HTTPException, Query
    from fastapi.responses import HTMLResponse, Response

    app = FastAPI(
        title="Status Pengumpulan",
        dependencies=[Depends(requires_authenticated())],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.get("/status", response_class=HTMLResponse)
    def status(tahun: int | None = Query(default=None, ge=2000, le=2100)) -> HTMLResponse:
        """The PD × report matrix of `tahun` (default: the year being collected)."""
        from kinerja.web.status_html import render_status_page
        from kinerja.web.status_page import default_year, status_page, today_in
        from sqlalchemy.exc import SQLAlchemyError

        rt = _runtime()
        today = today_in(rt.catalog.tz)
        try:
            year = tahun or default_year(today)
            page = status_page(rt.engine, rt.catalog, year, today, _pipeline_state(year))
        except SQLAlchemyError as exc:
            return _unavailable(exc)
        return HTMLResponse(render_status_page(page), headers=PAGE_HEADERS)

    @app.get("/umpan-balik", response_class=HTMLResponse)
    def feedback(path: str = Query(max_length=1000)) -> HTMLResponse:
        """A feedback file from the drive, only if the warehouse recorded it as one."""
        from kinerja.web.status_page import recorded_feedback

        rt = _runtime()
        recorded = recorded_feedback(rt.engine, path)
        if recorded is None:
            raise HTTPException(status_code=404, detail="Umpan balik tidak ditemukan")
        try:
            data = _drive(rt).read_bytes(recorded, MAX_FEEDBACK_BYTES)
        except OSError as exc:
            raise HTTPException(status_code=404, detail="Berkas umpan balik tidak ada di drive") from exc
        if len(data) > MAX_FEEDBACK_BYTES:
            raise HTTPException(status_code=413, detail="Berkas umpan balik terlalu besar")
        return HTMLResponse(data, headers=PAGE_HEADERS)

    @app.get("/tinjauan", response_class=HTMLResponse)
    def review(run: str | None = Query(default=None, max_length=250)) -> HTMLResponse:
        """The review page of a staged build (`run`: its Airflow run id), else the recent builds."""
        from kinerja.web.review import (
            find_review,
            recent_reviews,
            render_review_list,
            render_review_page,
            review_page,
        )
        from sqlalchemy.exc import SQLAlchemyError

        rt = _runtime()
        catalog, engine = rt.catalog, rt.engine
        try:
            if run is None:
                return HTMLResponse(render_review_list(recent_reviews(engine), catalog), headers=PAGE_HEADERS)
            found = find_review(engine, run_id=run)
            if found is None:
                raise HTTPException(status_code=404, detail="Run ini tidak tercatat menunggu tinjauan")
            page = review_page(engine, catalog, found)
        except SQLAlchemyError as exc:
            return _unavailable(exc)
        return HTMLResponse(render_review_page(page, catalog, _base_path()), headers=PAGE_HEADERS)

    @app.get("/tinjauan/{review_id}/berkas/{path:path}")
    def staged(review_id: int, path: str) -> Response:
        """A file of a recorded build, as recorded (same SHA-256), from its recorded folder."""
        from pathlib import Path

        from kinerja.publish.release import sha256_file
        from kinerja.web.review import find_review, staged_file

        found = find_review(_runtime().engine, review_id=review_id)
        recorded = staged_file(found, path) if found is not None else None
        if found is None or recorded is None:
            raise HTTPException(status_code=404, detail="Berkas ini bukan bagian dari keluaran yang ditinjau")
        relative, digest = recorded
        file = Path(found.staging) / relative
        if not file.is_file() or sha256_file(file) != digest:
            raise HTTPException(status_code=410, detail="Berkas sudah berubah atau dihapus sejak ditinjau")
        headers = dict(STAGED_HEADERS)
        if file.suffix in DOWNLOADS:
            headers["Content-Disposition"] = f'attachment; filename="{file.name}"'
        return Response(
            file.read_bytes(),
            media_type=MEDIA_TYPES.get(file.suffix, "application/octet-stream"),
            headers=headers,
        )

    @app.get("/icon.svg")
    def icon() -> Response:
        return Response(ICON, media_type="image/svg+xml")

    return app


class KinerjaStatusPlugin(AirflowPlugin):
    name = "kinerja_status"
    external_views = [  # noqa: RUF012 - the plugin manager reads class attributes
        {
            "name": "Status",  # the nav shows ~9 characters: "Status Pengumpulan" was cut
            "href": f"{URL_PREFIX}/status",
            "url_route": "status-pengumpulan",
            "destination": "nav",
            "nav_top_level": True,
            "icon": f"{URL_PREFIX}/icon.svg",
        },
        {
            "name": "Tinjauan",  # whole in the nav (about 9 characters fit)
            "href": f"{URL_PREFIX}/tinjauan",
            "url_route": "tinjauan-laporan",
            "destination": "nav",
            "nav_top_level": True,
            "icon": f"{URL_PREFIX}/icon.svg",
        },
    ]

    @property
    def fastapi_apps(self) -> list[dict[str, Any]]:  # type: ignore[override]
        """Read by the API server on start (the plugin manager works on instances)."""
        return [{"app": build_app(), "url_prefix": URL_PREFIX, "name": "Status Pengumpulan"}]
