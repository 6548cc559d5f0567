"""The Celery workers' configuration: the provider's defaults, plus `kinerja.preload`.

`deploy/airflow.env` sets `AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=kinerja_celery.CELERY_CONFIG`
(this folder is on every Airflow process's `sys.path`). Celery imports the modules listed in
`imports` in the worker's main process when it starts, before its prefork pool forks the
processes that run the task supervisors, which fork the task processes: every task then starts
with Great Expectations and the intake already imported (~5 s each otherwise), as the
LocalExecutor's forkserver does with `[core] mp_forkserver_preload = kinerja.preload`.

No plugin is defined here; Airflow's plugin manager imports this file and finds nothing to load.
"""

from typing import Any

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

PRELOAD = "kinerja.preload"

CELERY_CONFIG: dict[str, Any] = {
    **DEFAULT_CELERY_CONFIG,
    "imports": (*DEFAULT_CELERY_CONFIG.get("imports", ()), PRELOAD),
}
