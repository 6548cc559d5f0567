"""Scale: a synthetic national year, 10, 50 and 100 kota collected one after another in one process.

    uv run python bench/scale.py [--steps 10,50,100] [--pd-per-kota 1]

`kinerja sample --kota N --pd-per-kota K` writes N synthetic kota (own region codes, agencies,
reference folder and drive; K agencies per kota keeps the run to a few minutes). Each step
collects a fresh set of kota (10, then 50 others, then 100 others), each into its own SQLite
warehouse, through what `CollectRun.run()` does (scan, `process_files` on the new files: Great
Expectations batched as in production; the Data Docs refresh timed apart) with the kota's own
catalogue, in this one process (Great Expectations imported once). Per step: files/s and ms per
file, wall and CPU, and the time the process waited for a core (on a shared machine that wait,
not our code, is what the load adds to wall time); the Data Docs refresh per kota; both with
the per-kota setup (migrate + reference sync); resident memory after the step and peak.
Throughput (files per CPU second when the machine is loaded) should stay flat and memory should
not grow with the number of kota.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from common import header, load, peak_rss_mb


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def runqueue_wait_s() -> float:
    """Seconds this process's threads have waited for a core so far (Linux schedstat): on a
    shared machine that, not our code, is what separates wall time from CPU time."""
    total = 0
    for task in Path("/proc/self/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[1])
        except (FileNotFoundError, IndexError, ValueError):
            continue
    return total / 1e9


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", default="10,50,100")
    parser.add_argument("--pd-per-kota", type=int, default=1)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    work = Path(tempfile.mkdtemp(prefix="kinerja-scale-"))
    os.environ["KINERJA_DATA_DIR"] = str(work / "data")
    header()
    t = time.perf_counter()
    sample = [
        *(sys.executable, "-m", "kinerja.cli", "sample", "--year", str(args.year), "--out", str(work)),
        *("--seed", "1", "--kota", str(sum(steps)), "--pd-per-kota", str(args.pd_per_kota)),
        *("--late", "0.1", "--missing", "0", "--defective", "0.1"),
    ]
    subprocess.run(sample, check=True, capture_output=True)
    print(
        f"kinerja sample --kota {sum(steps)} --pd-per-kota {args.pd_per_kota}: "
        f"{sum(1 for _ in work.glob('sintetis-*/*/*/*.xlsx'))} files in {time.perf_counter() - t:.1f} s"
    )

    from kinerja.catalog.loader import load_catalog
    from kinerja.config import Settings
    from kinerja.intake.collect import CollectRun
    from kinerja.intake.validation import shared_validator
    from kinerja.sample import synthetic_slug
    from kinerja.sources import LocalDrive
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference

    t = time.perf_counter()
    # as `kinerja collect` validates: the settings' suites, results kept for Data Docs
    settings = Settings.from_env()
    validator = partial(shared_validator, settings.expectations_dir, settings.data_docs_dir)
    validator().suite("spm_penerima")
    print(f"Great Expectations import and context: {time.perf_counter() - t:.1f} s (once)")
    reference = work / "reference"
    first = 1
    rates: list[float] = []
    cpu: list[float] = []
    for n_kota in steps:
        files = 0
        t_files = t_setup = t_docs = c_files = c_docs = w_files = 0.0
        statuses: dict[str, int] = {}
        for n in range(first, first + n_kota):
            slug = synthetic_slug(n)
            t = time.perf_counter()
            catalog = load_catalog(slug, reference)
            engine = engine_for(f"sqlite:///{work / 'warehouse' / slug}.db")
            migrate(engine)
            sync_reference(engine, catalog)
            t_setup += time.perf_counter() - t
            run = CollectRun(
                tahun=args.year,
                drive=LocalDrive(work / slug),
                engine=engine,
                catalog=catalog,
                archive_dir=work / "archive",
                settle_seconds=0,
                validator=validator,
            )
            t, c, w = time.perf_counter(), time.process_time(), runqueue_wait_s()
            todo, outcomes = run.scan()  # what run() does, with Data Docs timed apart
            outcomes += run.process_files(todo)
            t_files += time.perf_counter() - t
            c_files += time.process_time() - c
            w_files += runqueue_wait_s() - w
            t, c = time.perf_counter(), time.process_time()
            if todo:
                run.build_docs()
            t_docs += time.perf_counter() - t
            c_docs += time.process_time() - c
            engine.dispose()
            files += len(outcomes)
            for o in outcomes:
                statuses[o.status] = statuses.get(o.status, 0) + 1
        first += n_kota
        gc.collect()
        rates.append(files / t_files)
        cpu.append(files / c_files)
        print(
            f"  {n_kota:>3} kota, {files:>3} files: {files / t_files:5.2f} files/s = "
            f"{1000 * t_files / files:4.0f} ms per file ({1000 * c_files / files:.0f} ms CPU, "
            f"{1000 * w_files / files:.0f} ms waiting for a core); "
            f"Data Docs {1000 * t_docs / n_kota:.0f} ms per kota ({1000 * c_docs / n_kota:.0f} ms CPU); "
            f"with docs and per-kota setup {files / (t_files + t_setup + t_docs):5.2f} files/s "
            f"(setup {1000 * t_setup / n_kota:.0f} ms per kota); "
            f"RSS after {rss_mb():.0f} MB, peak {peak_rss_mb():.0f} MB; {statuses}; load {load()}"
        )
    print(
        f"throughput last/first step: {rates[-1] / rates[0]:.2f} (flat = 1.00), "
        f"in files per CPU second {cpu[-1] / cpu[0]:.2f}; "
        f"catalogues cached: {load_catalog.cache_info().currsize}"
    )
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
