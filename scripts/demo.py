"""The second half of `make demo`: the collected year's reports, approved and ready to publish.

    python scripts/demo.py --tahun 2025      # after collect_submissions ran (make demo does both)

Run with the Makefile's environment (AIRFLOW_HOME, DAGS_FOLDER, ...) after `airflow db migrate`.

1. Runs the `compile_reports` DAG for the year with `dag.test()` (as `airflow dags test` does):
   it builds every output into staging and asks the tim ahli for approval (Airflow's
   Human-in-the-loop, *Browse → Required Actions* in the UI).
2. Answers that request as **"Peninjau demo (bukan tim ahli)"**: the same write the Required
   Actions page makes (Airflow's HITL API route, called in this process, with the demo reviewer as
   the user), so the DAG's review step records the decision in the warehouse and publishes,
   exactly as for a real reviewer. Only the demo does this; a deployment waits for the tim ahli.
3. Plans the Satu Data publication: `kinerja publish --year Y --dry-run` (no portal is contacted).
4. Prints where to open the PDF, the HTML report and the PD bundles.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from airflow_local import PROJECT  # also puts dags/ on sys.path, as Airflow does

DAG_ID = "compile_reports"
REVIEW_TASK = "review_reports"
APPROVE = "Setujui"
DEMO_REVIEWER = ("peninjau-demo", "Peninjau demo (bukan tim ahli)")
"""(id, name) of the demo's reviewer as the warehouse records it: never taken for the tim ahli."""
SHOWN_STEPS = 6
"""Lines of the Satu Data plan shown (a year has hundreds)."""


class DemoReviewer:
    """The user the HITL API route records as the one who answered (its auth user interface)."""

    def get_id(self) -> str:
        return DEMO_REVIEWER[0]

    def get_name(self) -> str:
        return DEMO_REVIEWER[1]


def pending_review() -> tuple[str, int] | None:
    """(run_id, map_index) of a compile_reports review waiting for an answer."""
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        found = (
            session.query(TaskInstance.run_id, TaskInstance.map_index)
            .join(HITLDetail, HITLDetail.ti_id == TaskInstance.id)
            .filter(
                TaskInstance.dag_id == DAG_ID,
                TaskInstance.task_id == REVIEW_TASK,
                HITLDetail.responded_at.is_(None),
            )
            .first()
        )
    return (str(found[0]), int(found[1])) if found else None


def approve_as_demo_reviewer(stop: threading.Event, answered: list[str], timeout: float = 900) -> None:
    """Wait for the review request, then approve it through the HITL API's own route."""
    from airflow.api_fastapi.core_api.datamodels.hitl import UpdateHITLDetailPayload
    from airflow.api_fastapi.core_api.routes.public.hitl import update_hitl_detail
    from airflow.utils.session import create_session

    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline:
        found = pending_review()
        if found is None:
            time.sleep(1)
            continue
        run_id, map_index = found
        with create_session() as session:
            update_hitl_detail(
                dag_id=DAG_ID,
                dag_run_id=run_id,
                task_id=REVIEW_TASK,
                update_hitl_detail_payload=UpdateHITLDetailPayload(
                    chosen_options=[APPROVE], params_input={"alasan": None}
                ),
                user=DemoReviewer(),  # type: ignore[arg-type]
                session=session,
                map_index=map_index,
            )
        answered.append(run_id)
        return


def xcom(run_id: str, task_id: str) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter(
                XComModel.dag_id == DAG_ID,
                XComModel.run_id == run_id,
                XComModel.task_id == task_id,
                XComModel.key == "return_value",
            )
            .first()
        )
        return XComModel.deserialize_value(row) if row is not None else None


def compile_and_approve(tahun: int, log: Path) -> tuple[str, dict[str, str], bool]:
    """Run compile_reports for `tahun` with the demo reviewer answering; (run_id, task states,
    whether the demo reviewer answered)."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(PROJECT / "dags" / f"{DAG_ID}.py")).get_dag(DAG_ID)
    assert dag is not None, f"{DAG_ID} tidak terbaca: lihat `airflow dags list-import-errors`"
    stop, answered = threading.Event(), []
    reviewer = threading.Thread(target=approve_as_demo_reviewer, args=(stop, answered), daemon=True)
    reviewer.start()
    try:
        with log.open("w") as out, contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            run = dag.test(run_conf={"tahun": tahun})
    finally:
        stop.set()
        reviewer.join(timeout=30)
    states = {str(ti.task_id): str(ti.state) for ti in run.get_task_instances()}
    return str(run.run_id), states, str(run.run_id) in answered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tahun", type=int, required=True)
    parser.add_argument(
        "--log", type=Path, help="the DAG run's log (default: $AIRFLOW_HOME/demo-reports.log)"
    )
    args = parser.parse_args(argv)
    from airflow.configuration import AIRFLOW_HOME
    from kinerja.cli import main as kinerja

    log = args.log or Path(AIRFLOW_HOME) / "demo-reports.log"
    print(f"\nMenjalankan DAG compile_reports (tahun {args.tahun}; log: {log}) ...")
    run_id, states, answered = compile_and_approve(args.tahun, log)
    if answered:
        print(f"Permintaan persetujuan dijawab {APPROVE!r} oleh {DEMO_REVIEWER[1]} (run {run_id}).")
    if any(states.get(t) != "success" for t in ("build_reports", REVIEW_TASK, "publish_reports")):
        print("\n".join(log.read_text(errors="replace").splitlines()[-50:]))
        print(f"DAG run compile_reports GAGAL (task: {states}; log lengkap: {log})")
        return 1
    published = Path(str(xcom(run_id, "publish_reports")))
    decision = xcom(run_id, "record_decision") or {}
    print(
        f"Keputusan tercatat di gudang data: {decision.get('decision')} oleh {decision.get('reviewer')} "
        "(demo: tim ahli belum meninjau laporan ini)"
    )
    print(f"DAG run compile_reports BERHASIL (tahun {args.tahun}; log: {log})")

    command = ["publish", "--year", str(args.tahun), "--dry-run"]
    print(f"\nSatu Data, rencana publikasi (kinerja {' '.join(command)}):")
    plan = io.StringIO()
    with contextlib.redirect_stdout(plan):
        ok = kinerja(command) == 0
    lines = plan.getvalue().rstrip().splitlines()
    steps = [line for line in lines[:-1] if line.strip()]
    for line in steps[:SHOWN_STEPS]:
        print(f"  {line}")
    if len(steps) > SHOWN_STEPS:
        print(f"  ... {len(steps) - SHOWN_STEPS} langkah lagi (semua: uv run kinerja {' '.join(command)})")
    print(lines[-1] if lines else "")
    if not ok:
        print("Rencana publikasi Satu Data GAGAL")
        return 1

    def shown(path: Path) -> str:
        return str(path.relative_to(PROJECT)) if path.is_relative_to(PROJECT) else str(path)

    pd_pages = sorted(published.glob("pd/*/index.html"))
    print(f"\nLaporan tahun {args.tahun} terbit di {shown(published)}/ — buka:")
    print(f"  PDF           {shown(published / 'laporan.pdf')}")
    print(f"  HTML          {shown(published / 'laporan.html')}")
    print(f"  Paket PD      {shown(published / 'pd')}/<KODE_PD>/index.html ({len(pd_pages)} PD)")
    if pd_pages:
        print(f"                misalnya {shown(pd_pages[0])}")
    print(f"  Satu Data     {shown(published / 'satu-data')}/ (yang direncanakan di atas)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
