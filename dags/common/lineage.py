"""OpenLineage: a task's datasets known only at run time (which drive files, which tables, which
CKAN datasets) handed to the OpenLineage provider as the task's inlets/outlets. The provider's
listener reads them when the task ends; with no transport configured it is disabled and this
costs nothing. Names: kinerja.lineage (`*_datasets`)."""

from __future__ import annotations

from collections.abc import Iterable

from airflow.sdk import get_current_context


def report_lineage(datasets: tuple[Iterable[tuple[str, str]], Iterable[tuple[str, str]]]) -> None:
    """Add (namespace, name) inputs and outputs to the running task's lineage."""
    from openlineage.client.event_v2 import Dataset

    inputs, outputs = datasets
    task = get_current_context()["task"]
    task.inlets = [*task.inlets, *(Dataset(namespace=ns, name=n) for ns, n in inputs)]
    task.outlets = [*task.outlets, *(Dataset(namespace=ns, name=n) for ns, n in outputs)]
