"""The Celery workers' configuration: the provider's defaults, plus `kinerja.preload` (and the
Airflow modules every task process imports, `TASK_SIDE`).

`deploy/airflow.env` sets `AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=kinerja_celery.CELERY_CONFIG`
(this folder is on every Airflow process's `sys.path`). Celery imports the modules listed in
`imports` in the worker's main process when it starts, before its prefork pool forks the
processes that run the task supervisors, which fork the task processes: every task then starts
with Great Expectations and the intake already imported (~5 s each otherwise), as the
LocalExecutor's forkserver does with `[core] mp_forkserver_preload = kinerja.preload`.

No plugin is defined here; Airflow's plugin manager imports this file and finds nothing to load.
"""

from typing import Any

PRELOAD = "kinerja.preload"
TASK_SIDE = ("airflow.dag_processing.dagbag", "airflow.providers.standard.decorators.python")
"""What each task process imports after its fork besides our code: the DAG bag that parses the
DAG file and the @task operator (~0.1-0.3 s per task; the same list as the LocalExecutor's
forkserver preload of `make airflow`, docs/scale.md "The DAG burst")."""


def __getattr__(name: str) -> Any:
    """`CELERY_CONFIG`, built when Celery asks for it (PEP 562): the plugin manager imports every
    file here in every Airflow process, and the provider's default config is costly to build and
    logs a warning; only a Celery worker or the executor needs it."""
    if name != "CELERY_CONFIG":
        raise AttributeError(name)
    from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

    imports = (*DEFAULT_CELERY_CONFIG.get("imports", ()), PRELOAD, *TASK_SIDE)
    return {**DEFAULT_CELERY_CONFIG, "imports": imports}
