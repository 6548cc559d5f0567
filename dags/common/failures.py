"""Configuration errors fail a task at once; everything else keeps the task's retries.

A missing connection or setting, or an archive without the requested year, will not fix itself
in a minute: retrying it only hides the message behind *up for retry*. `kinerja.config.SetupError`
(raised by `include/` with the fix in Bahasa Indonesia) becomes Airflow's `AirflowFailException`,
which fails the task instance without using its retries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def setup_errors_fail_at_once() -> Iterator[None]:
    from airflow.sdk.exceptions import AirflowFailException
    from kinerja.config import SetupError

    try:
        yield
    except SetupError as exc:
        raise AirflowFailException(f"Kesalahan konfigurasi (tidak dicoba ulang): {exc}") from exc
