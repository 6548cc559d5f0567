"""Import Great Expectations (and the intake) once in a worker's parent process, so that every
task process forked from it starts with them loaded instead of paying ~5 s per task.

Airflow 3 on Linux runs each task in a process *forked* (no exec) by the task supervisor
(`airflow.sdk.execution_time.supervisor`), and the supervisor runs in a long-lived parent that
is itself forked from something we can preload:

* LocalExecutor: the scheduler's executor workers. With `[scheduler] mp_start_method =
  forkserver` and `[core] mp_forkserver_preload = kinerja.preload`, the forkserver imports this
  module once and every executor worker (and so every task process) inherits it.
* CeleryExecutor: the worker's prefork pool processes are forked from the main worker process;
  `[celery] celery_config_options = kinerja_celery.CELERY_CONFIG` (deploy/airflow.env; the
  provider's defaults plus `imports: ["kinerja.preload"]`, in plugins/kinerja_celery.py) makes
  the main process import it when the worker starts, before the pool forks.

Importing this module only imports (no thread, no connection, no open file, so forking after it
is safe); the context and suites are built by the first task in each process (~0.1 s).
"""

from __future__ import annotations

import importlib
import logging
import os
import time

log = logging.getLogger(__name__)

PRELOADED = (
    "great_expectations",
    "great_expectations.expectations.metrics",  # metric providers, registered on import
    "kinerja.intake.collect",
    "kinerja.pipeline",
)


def preload() -> float:
    """Import what a collection task needs; returns the seconds it took."""
    started = time.perf_counter()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    from kinerja.heap import for_batch_work, keep_out_of_collections

    for_batch_work()  # fewer collector passes while importing (and in every forked process)
    # The ~5 s every task process would otherwise pay, then the intake (reader, feedback, load).
    for module in PRELOADED:
        importlib.import_module(module)
    keep_out_of_collections()  # what the forked processes inherit is never garbage
    return time.perf_counter() - started


try:
    SECONDS = preload()
except Exception:  # a preload must never stop the scheduler or a worker from starting
    log.exception("kinerja.preload failed; tasks will import on first use")
    SECONDS = 0.0
