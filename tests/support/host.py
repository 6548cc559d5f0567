"""The host name an Airflow process reports (`[core] hostname_callable` in the rehearsal).

The rehearsal runs its Celery workers on one machine as if each were its own host: each gets
its name in `KINERJA_REHEARSAL_HOST`, so a task instance's `hostname` says which worker ran it.
"""

from __future__ import annotations

import os
import socket


def name() -> str:
    return os.environ.get("KINERJA_REHEARSAL_HOST") or socket.getfqdn()
