"""A real Airflow API server on 127.0.0.1 for tests, started and always stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.net import HOST, free_port

__all__ = ["HOST", "answer_when_asked", "free_port", "running_api_server"]


@contextmanager
def running_api_server(
    env: Mapping[str, str], log: Path, port: int | None = None, timeout: float = 120
) -> Iterator[str]:
    """`airflow api-server` with `env` on `port` (default: a free one) of 127.0.0.1; yields
    its base URL."""
    port = port or free_port()
    env = {**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "airflow",
                "api-server",
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"the API server did not start:\n{tail}") from None
                time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def answer_when_asked(
    base: str, dag_id: str, option: str, params: dict[str, str], timeout: float = 240
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Act as a reviewer over the API at `base`: wait for a pending Required Action of `dag_id`,
    answer it with `option` and `params`; the request and the answer (None if none was asked for
    within `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/api/v2/dags/{dag_id}/dagRuns/~/hitlDetails") as r:
            pending = [d for d in json.load(r)["hitl_details"] if not d["response_received"]]
        if pending:
            ti = pending[0]["task_instance"]
            url = (
                f"{base}/api/v2/dags/{dag_id}/dagRuns/{ti['dag_run_id']}/taskInstances/"
                f"{ti['task_id']}/{ti['map_index']}/hitlDetails"
            )
            body = json.dumps({"chosen_options": [option], "params_input": params})
            req = urllib.request.Request(
                url, data=body.encode(), method="PATCH", headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(req) as r:
                return pending[0], json.load(r)
        time.sleep(1)
    return None
