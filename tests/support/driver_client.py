"""The tests' side of crash_driver.py: one long-lived driver process, a request per collection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).with_name("crash_driver.py")


class CollectDriver:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        assert proc.stdout is not None
        hello = json.loads(proc.stdout.readline() or "{}")
        if not hello.get("ready"):
            raise RuntimeError(f"the driver did not start (exit {proc.poll()})")
        self.points: list[str] = hello["points"]

    def collect(
        self,
        url: str,
        drive: Path,
        archive: Path,
        kill: tuple[str, int] | None = None,
        children: int = 1,
        tahun: int = 2025,
    ) -> list[dict[str, Any]]:
        """Collect `tahun` from `drive` into `url` in `children` forked processes at once (each
        killed at `kill`, a step and the call of it that dies); how each child ended."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {
            "url": url,
            "drive": str(drive),
            "archive": str(archive),
            "tahun": tahun,
            "kill": {"point": kill[0], "k": kill[1]} if kill else None,
            "children": children,
        }
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the driver died (exit {self.proc.poll()})")
        answer: list[dict[str, Any]] = json.loads(line)["children"]
        return answer


@contextmanager
def collect_driver(data_dir: Path) -> Iterator[CollectDriver]:
    """Start the driver (Great Expectations warmed once); stop it afterwards, whatever happened."""
    env = {**os.environ, "KINERJA_DATA_DIR": str(data_dir), "KINERJA_DATA_DOCS": "0"}
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        yield CollectDriver(proc)
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
