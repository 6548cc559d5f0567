"""An Airflow home of the test session's own, migrated once, before Airflow is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
DAGS = PROJECT / "dags"

# Airflow puts the DAGs folder on sys.path in its own processes; do the same here so the DAG
# files' `common` package imports as it does under the scheduler.
sys.path.insert(0, str(DAGS))
_home = tempfile.mkdtemp(prefix="kinerja-airflow-")
os.environ.update(
    {
        "AIRFLOW_HOME": _home,
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "GX_ANALYTICS_ENABLED": "False",
        # OpenLineage events of every DAG test go to a file (the provider's file transport);
        # a thread, not a fork, emits them inside the test process
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(Path(_home) / "openlineage.jsonl"), "append": True}
        ),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "laporan-kinerja",
        "AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD": "True",
    }
)
OPENLINEAGE_EVENTS = Path(_home) / "openlineage.jsonl"


@pytest.fixture(scope="session")
def airflow_db() -> str:
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    return _home


@pytest.fixture(scope="session")
def dagbag(airflow_db: str):  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="session")
def api_server(airflow_db: str):  # type: ignore[no-untyped-def]
    """A real Airflow API server on 127.0.0.1 sharing the session's metadata DB.

    Every request is treated as an admin (simple auth manager's all-admins mode) so tests
    can answer Required Actions like a reviewer; the UI plugin's own auth is tested elsewhere.
    """
    from tests.support.airflow_api import running_api_server

    env = {**os.environ, "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True"}
    with running_api_server(env, Path(airflow_db) / "api-server.log") as base:
        yield base
