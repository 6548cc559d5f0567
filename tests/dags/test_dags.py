"""DAG integrity, parse cost, a committed snapshot, and one real `dag.test()` run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from kinerja.catalog import Catalog
from kinerja.sample import SampleShares, generate_year
from kinerja.warehouse.db import engine_for
from kinerja.warehouse.models import submission, submission_current
from sqlalchemy import func, select

from .conftest import DAGS

SNAPSHOT = Path(__file__).parent / "dag_snapshot.json"
DAG_FILES = sorted(p for p in DAGS.glob("*.py"))


def test_no_import_errors(dagbag) -> None:  # type: ignore[no-untyped-def]
    assert dagbag.import_errors == {}
    assert dagbag.dags, "no DAG found"


def test_dag_ids_are_file_names_with_tags_retries_and_docs(dagbag) -> None:  # type: ignore[no-untyped-def]
    for dag_id, dag in dagbag.dags.items():
        assert Path(dag.fileloc).stem == dag_id
        assert "kinerja" in dag.tags
        assert dag.doc_md
        for t in dag.tasks:
            assert t.retries >= 1, f"{dag_id}.{t.task_id} has no retries"


def test_warehouse_writes_go_through_the_pool(dagbag) -> None:  # type: ignore[no-untyped-def]
    task = dagbag.get_dag("collect_submissions").get_task("process_batch")
    assert task.pool == "kinerja_warehouse"


def _snapshot(dagbag) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {
        dag_id: {
            "schedule": " ".join(
                str(x)
                for x in (
                    type(dag.timetable).__name__,
                    getattr(dag.timetable, "expression", ""),
                    getattr(dag.timetable, "timezone", ""),
                )
            ),
            "tasks": sorted(t.task_id for t in dag.tasks),
            "tags": sorted(dag.tags),
        }
        for dag_id, dag in sorted(dagbag.dags.items())
    }


def test_snapshot_of_dags_is_committed(dagbag) -> None:  # type: ignore[no-untyped-def]
    current = _snapshot(dagbag)
    if os.environ.get("UPDATE_DAG_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    assert json.loads(SNAPSHOT.read_text()) == current, (
        "DAGs changed: review, then UPDATE_DAG_SNAPSHOT=1 pytest tests/dags"
    )


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_each_dag_file_parses_in_under_a_second(path: Path) -> None:
    """Time to execute the file after `airflow.sdk` is imported (the shared cost)."""
    probe = (
        "import sys, time, runpy; import airflow.sdk; "
        f"sys.path.insert(0, {str(DAGS)!r}); t = time.perf_counter(); "
        f"runpy.run_path({str(path)!r}); print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    seconds = float(out.stdout.strip().splitlines()[-1])
    assert seconds < 1.0, f"{path.name} took {seconds:.2f} s to parse"
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            probe.replace(
                "print(time.perf_counter() - t)",
                "print(sorted(m for m in ('pandas', "
                "'great_expectations', 'openpyxl', 'sqlalchemy')"
                " if m in sys.modules))",
            ),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    assert "great_expectations" not in heavy.stdout and "pandas" not in heavy.stdout


def test_collect_submissions_runs_end_to_end(
    dagbag,
    catalog: Catalog,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drive = tmp_path / "drive"
    files = generate_year(
        catalog,
        2025,
        drive,
        seed=11,
        only=("DINKES", "BAPPEDA", "DINSOS"),
        shares=SampleShares(late=0, missing=0, defective=0.34, corrected=0),
    )
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("KINERJA_WAREHOUSE_URL", url)
    monkeypatch.setenv("KINERJA_DRIVE_DIR", str(drive))
    monkeypatch.setenv("KINERJA_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("KINERJA_SETTLE_SECONDS", "0")
    dag = dagbag.get_dag("collect_submissions")
    run = dag.test(run_conf={"tahun": 2025})
    assert run.state == "success"
    engine = engine_for(url)
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(submission.c.path, submission.c.status)).all())
        loaded = conn.execute(select(func.count()).select_from(submission_current)).scalar()
    assert set(statuses) == {f.path for f in files}
    for f in files:
        assert statuses[f.path] == ("rejected" if f.kind.startswith("defect") else "loaded")
    assert loaded == sum(1 for f in files if not f.kind.startswith("defect"))
