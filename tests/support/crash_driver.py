"""A collection process for the fault tests, killed (SIGKILL) exactly where a test asks.

Run as `python crash_driver.py`: it imports the pipeline and warms Great Expectations once, then
reads one JSON request per line on stdin and answers one JSON line on stdout. Each request forks a
fresh child that runs the production code path (`CollectRun.run`, as `kinerja collect` does) with
its own engine; the parent only waits for it and reports how it ended. The kill happens inside the
child: wrappers installed here, in the test's driver and never in production code, count calls of
a named step and send SIGKILL to the child on the k-th call, so the crash is real (no cleanup, no
rollback by us, connections dropped, files half-written) and repeatable.

Request: {"url", "drive", "archive", "tahun", "kill": {"point", "k"} | null, "children": n}
         (n children run the same collection at the same time, for the concurrency test)
Answer:  {"children": [{"signal": int | null, "exit": int | null, "outcomes": [...], "error": str}]}
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KINERJA_DATA_DOCS", "0")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import kinerja.intake.collect as collect_module
import kinerja.warehouse.load as load_module
from kinerja.catalog import load_catalog
from kinerja.intake.collect import CollectRun
from kinerja.intake.validation import Validator, shared_validator
from kinerja.schema.model import TEMPLATES
from kinerja.schema.suites import suite_name
from kinerja.sources import LocalDrive
from kinerja.warehouse.db import engine_for
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Python-level steps: (owner, attribute). A call of the step counts before it runs.
STEPS: dict[str, tuple[Any, str]] = {
    "read_bytes": (LocalDrive, "read_bytes"),  # reading the file off the drive
    "read_sheets": (collect_module, "read_sheets"),  # parsing the workbook's sheets
    "validate": (Validator, "validate_batch"),  # Great Expectations, one call per sheet and chunk
    "write_feedback": (LocalDrive, "write_bytes"),  # feedback .xlsx then .html
    "rename": (os, "replace"),  # a temporary file written, not yet renamed (feedback, archive)
    "archive": (collect_module, "archive"),  # the raw bytes kept by checksum
    "build_docs": (CollectRun, "build_docs"),  # after every file of the run
}
STEPS["load_facts"] = (load_module, "load_facts")  # one sheet's rows into its fact table (COPY)
# Steps counted when they have *returned*.
AFTER = {
    "facts_loaded": (load_module, "load_facts"),  # rows sent, transaction still open
    "recorded": (collect_module, "record_submission"),  # committed, outcome not yet reported
}
# SQL statements (the prefix the statement starts with), counted before they reach the server.
SQL = {
    "sql_manifest_read": "SELECT submission.path",
    "sql_insert_submission": "INSERT INTO submission (",
    "sql_insert_issue": "INSERT INTO submission_issue",
    "sql_delete_facts": "DELETE FROM fact_",
    "sql_current": "INSERT INTO submission_current",
}
POINTS = (*STEPS, *AFTER, *SQL, "commit")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install(point: str, k: int) -> None:
    """Kill this process on the k-th time `point` is reached."""
    calls = 0

    def hit() -> None:
        nonlocal calls
        calls += 1
        if calls == k:
            die()

    def wrap(owner: Any, name: str, after: bool) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not after:
                hit()
            result = original(*args, **kwargs)
            if after:
                hit()
            return result

        setattr(owner, name, wrapper)

    if point in STEPS:
        wrap(*STEPS[point], after=False)
    elif point in AFTER:
        wrap(*AFTER[point], after=True)
    elif point in SQL:
        prefix = SQL[point]

        @event.listens_for(Engine, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if statement.lstrip().startswith(prefix):
                hit()

    elif point == "commit":

        @event.listens_for(Engine, "commit")
        def on_commit(conn: Any) -> None:  # before COMMIT is sent
            hit()

    else:
        raise ValueError(f"unknown kill point {point!r}")


def child(request: dict[str, Any], catalog: Any, result: Path, start: int | None) -> None:
    if start is not None:  # wait for the go signal, so racing children start together
        os.read(start, 1)
    kill = request.get("kill")
    if kill:
        install(kill["point"], int(kill["k"]))
    engine = engine_for(request["url"])
    run = CollectRun(
        tahun=int(request.get("tahun", 2025)),
        drive=LocalDrive(Path(request["drive"])),
        engine=engine,
        catalog=catalog,
        archive_dir=Path(request["archive"]),
        settle_seconds=0,
    )
    outcomes = [o.to_json() for o in run.run()]
    engine.dispose()
    result.write_text(json.dumps(outcomes))


def serve() -> None:
    catalog = load_catalog("medan")
    validator = shared_validator()
    for tpl in TEMPLATES.values():  # load every suite once, before forking
        for sheet in tpl.sheets:
            validator.suite(suite_name(tpl, sheet))
    print(json.dumps({"ready": True, "points": POINTS}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        n = int(request.get("children", 1))
        start_r, start_w = os.pipe() if n > 1 else (None, None)
        pids: list[tuple[int, Path]] = []
        for i in range(n):
            result = Path(request["archive"]).parent / f".driver-result-{os.getpid()}-{i}.json"
            result.unlink(missing_ok=True)
            pid = os.fork()
            if pid == 0:  # the child: never return into the parent's loop
                code = 0
                try:
                    child(request, catalog, result, start_r)
                except BaseException:
                    result.with_suffix(".err").write_text(traceback.format_exc())
                    code = 1
                finally:
                    os._exit(code)
            pids.append((pid, result))
        if start_w is not None and start_r is not None:
            os.write(start_w, b"g" * n)
            os.close(start_w)
            os.close(start_r)
        answers = []
        for pid, result in pids:
            _, status = os.waitpid(pid, 0)
            err = result.with_suffix(".err")
            answers.append(
                {
                    "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                    "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                    "outcomes": json.loads(result.read_text()) if result.exists() else None,
                    "error": err.read_text() if err.exists() else None,
                }
            )
            result.unlink(missing_ok=True)
            err.unlink(missing_ok=True)
        print(json.dumps({"children": answers}), flush=True)


if __name__ == "__main__":
    serve()
