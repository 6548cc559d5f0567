"""Parse cost of each DAG file above a bare interpreter.

    uv run python bench/dag_parse.py [--repeat 5]

For every `dags/*.py`, fresh interpreters (median of `--repeat` runs each) measure:
a bare `python -c pass`; `import airflow.sdk` alone (the cost every parse shares, paid once per
parsing process); and executing the DAG file after it, which is what the dag-processor pays per
file and per parse. Target: under 0.3 s per file. Also lists heavy modules the file pulled in.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT, header

DAGS = PROJECT / "dags"
HEAVY = ("pandas", "great_expectations", "openpyxl", "sqlalchemy", "matplotlib", "reportlab", "ckanapi")


def _env() -> dict[str, str]:
    home = tempfile.mkdtemp(prefix="kinerja-parse-")
    return {
        **os.environ,
        "AIRFLOW_HOME": home,
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "GX_ANALYTICS_ENABLED": "False",
    }


def _wall(code: str, env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def _probe(path: Path, env: dict[str, str]) -> tuple[float, float, list[str]]:
    """(import airflow.sdk, executing the file after it), inside one fresh interpreter."""
    code = (
        "import sys, time, runpy; t0 = time.perf_counter(); import airflow.sdk; "
        "t1 = time.perf_counter(); "
        f"sys.path.insert(0, {str(DAGS)!r}); runpy.run_path({str(path)!r}); "
        "t2 = time.perf_counter(); "
        f"print(t1 - t0, t2 - t1, ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env)
    sdk, dag, heavy = [*out.stdout.strip().splitlines()[-1].split(" "), ""][:3]
    return float(sdk), float(dag), [m for m in heavy.split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    env = _env()
    header()
    _wall("import airflow.sdk", env)  # warm the OS file cache and Airflow's first-run config
    bare = statistics.median(_wall("pass", env) for _ in range(args.repeat))
    sdk_wall = statistics.median(_wall("import airflow.sdk", env) for _ in range(args.repeat))
    print(
        f"bare interpreter: {bare:.3f} s; process that imports airflow.sdk: {sdk_wall:.3f} s "
        f"(median of {args.repeat})"
    )
    worst = 0.0
    for path in sorted(DAGS.glob("*.py")):
        runs = [_probe(path, env) for _ in range(args.repeat)]
        sdk = statistics.median(r[0] for r in runs)
        dag = statistics.median(r[1] for r in runs)
        worst = max(worst, dag)
        heavy = sorted(set(runs[-1][2]))
        print(
            f"  {path.name:28} {dag:.3f} s above `import airflow.sdk` ({sdk:.3f} s)"
            f"{'; imports ' + ', '.join(heavy) if heavy else ''}"
        )
    print(f"slowest DAG file: {worst:.3f} s (target < 0.3 s): {'met' if worst < 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
