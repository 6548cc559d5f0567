"""The Celery workers import `kinerja.preload` once, in the worker's main process, before the
pool forks: the setting of deploy/airflow.env names a config that Celery's loader honours."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
OPTION = "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"

WORKER_START = """
import importlib, sys
from celery import Celery
module, _, name = sys.argv[1].rpartition(".")
config = getattr(importlib.import_module(module), name)
app = Celery("kinerja-test", config_source=config)
before = "great_expectations" in sys.modules
app.loader.import_default_modules()  # what a worker's main process does at start, before forking
print(before, "great_expectations" in sys.modules, "kinerja.intake.collect" in sys.modules,
      "airflow.dag_processing.dagbag" in sys.modules)
print(config["broker_url"] == __import__(
    "airflow.providers.celery.executors.default_celery", fromlist=["x"]
).DEFAULT_CELERY_CONFIG["broker_url"])
"""


def test_the_deployed_celery_config_preloads_great_expectations(tmp_path: Path) -> None:
    deployed = (PROJECT / "deploy" / "airflow.env").read_text().splitlines()
    option = next(line.split("=", 1)[1] for line in deployed if line.startswith(OPTION + "="))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "KINERJA_"))}
    env |= {
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),  # on sys.path, as Airflow puts it
        "PYTHONPATH": os.pathsep.join([str(PROJECT / "plugins"), str(PROJECT / "include")]),
        "GX_ANALYTICS_ENABLED": "False",
    }
    done = subprocess.run(
        [sys.executable, "-c", WORKER_START, option], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    imported, provider_defaults = done.stdout.strip().splitlines()[-2:]
    # not before the loader ran; after it, GX, the intake and the DAG bag a task parses its DAG with
    assert imported == "False True True True"
    assert provider_defaults == "True"  # the provider's settings are kept (broker, queues, ...)
