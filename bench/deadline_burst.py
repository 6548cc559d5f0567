"""Deadline-day burst: every agency's workbooks arriving at once, collected in one process.

    uv run python bench/deadline_burst.py [--warehouse URL] [--seed N]

The full sample year (every PD, all three reports) through the `kinerja collect` code path
(`CollectRun`) into PostgreSQL: a throwaway database created for the run and dropped after
(or `--warehouse URL`, e.g. sqlite:///...). Prints, with the command that made them:

* the one-off cost of importing Great Expectations (fresh interpreter), paid once per process;
* the whole year's wall time from a cold start (GX import, context, every file, Data Docs),
  files per second, milliseconds per file and the time per stage, peak memory (ru_maxrss);
* reading the same workbooks with our reader against pandas + openpyxl (both warm, both
  reading only the sheets the template needs), as a ratio, after checking identical values.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from common import header, peak_rss_mb, throwaway_pg


def _import_cost() -> float:
    code = "import time; t=time.perf_counter(); import great_expectations; print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _read_ours(paths: list[Path]) -> dict[str, Any]:
    from kinerja.intake.reader import open_workbook, read_info, read_sheets
    from kinerja.schema import TEMPLATES

    out: dict[str, Any] = {}
    for p in paths:
        wb = open_workbook(p.read_bytes())
        info = read_info(wb)  # type: ignore[arg-type]
        tpl = TEMPLATES[info["laporan"]]  # type: ignore[index]
        parsed = read_sheets(wb, tpl)  # type: ignore[arg-type]
        for name, frame in parsed.sheets.items():
            out[f"{p}:{name}"] = frame
    return out


def _read_pandas(paths: list[Path]) -> dict[str, Any]:
    import pandas as pd
    from kinerja.schema import TEMPLATES

    out: dict[str, Any] = {}
    for p in paths:
        info = pd.read_excel(p, sheet_name="Info", header=None, engine="openpyxl")
        labels = dict(zip(info.iloc[:, 0], info.iloc[:, 1], strict=False))
        tpl = TEMPLATES[str(labels["Jenis Laporan"])]
        sheets = pd.read_excel(p, sheet_name=[s.name for s in tpl.sheets], engine="openpyxl")
        for sheet in tpl.sheets:
            frame = sheets[sheet.name].dropna(how="all")
            frame.columns = [c.name for c in sheet.columns]
            frame.index = frame.index + 2
            out[f"{p}:{sheet.name}"] = frame
    return out


def _same(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    import pandas as pd

    if ours.keys() != theirs.keys():
        return False
    for key, a in ours.items():
        b = theirs[key]
        if len(a) != len(b) or list(a.index) != list(b.index):
            return False
        for col in a.columns:
            left = [None if pd.isna(v) else v for v in a[col]]
            right = [None if pd.isna(v) else v for v in b[col]]
            if left != right:
                return False
    return True


@contextlib.contextmanager
def _stage_timer(stages: dict[str, float], clock: Callable[[], float] = time.perf_counter) -> Iterator[None]:
    """Time the stages of CollectRun.process by wrapping the functions it calls (`clock`:
    time.process_time for CPU seconds)."""
    import kinerja.intake.collect as collect

    names = ("inspect", "validate_judgements", "record_submission", "write_feedback", "archive")
    saved = {n: getattr(collect, n) for n in names if hasattr(collect, n)}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                stages[name] += clock() - t

        return wrapper

    for n, fn in saved.items():
        setattr(collect, n, timed(n, fn))
    try:
        yield
    finally:
        for n, fn in saved.items():
            setattr(collect, n, fn)


def _collect(url: str, drive: Path, work: Path, year: int) -> None:
    """The measured cold start: everything `kinerja collect` does after parsing its arguments."""
    started = time.perf_counter()
    from kinerja.catalog import load_catalog
    from kinerja.config import Settings
    from kinerja.intake.collect import CollectRun, summarise
    from kinerja.intake.validation import shared_validator
    from kinerja.sources import LocalDrive
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference

    catalog = load_catalog()
    engine = engine_for(url)
    migrate(engine)
    sync_reference(engine, catalog)
    t = time.perf_counter()
    # as `kinerja collect` validates: the settings' suites, results kept for Data Docs
    settings = Settings.from_env()
    validator = partial(shared_validator, settings.expectations_dir, settings.data_docs_dir)
    validator().suite("spm_penerima")
    t_gx = time.perf_counter() - t
    run = CollectRun(
        tahun=year,
        drive=LocalDrive(drive),
        engine=engine,
        catalog=catalog,
        archive_dir=work / "archive",
        settle_seconds=0,
        validator=validator,
    )
    stages: dict[str, float] = defaultdict(float)
    t = time.perf_counter()
    todo, _ = run.scan()
    with _stage_timer(stages):
        outcomes = run.process_files(todo)
    t_files = time.perf_counter() - t
    t = time.perf_counter()
    run.build_docs()
    t_docs = time.perf_counter() - t
    wall = time.perf_counter() - started
    n = len(outcomes)
    print(
        f"collect in-process into {engine.dialect.name}: whole year {wall:.1f} s wall from a cold "
        f"start (target < 30 s) = import + GX context {t_gx:.1f} s, {n} files {t_files:.1f} s, "
        f"Data Docs {t_docs:.1f} s"
    )
    print(
        f"  files: {n / t_files:.1f} files/s, {1000 * t_files / n:.0f} ms per file; "
        f"peak RSS {peak_rss_mb():.0f} MB; {summarise(outcomes)}"
    )
    judged = stages["inspect"]
    print(
        "  per file: "
        + ", ".join(
            f"{label} {1000 * stages[key] / n:.0f} ms"
            for label, key in (
                ("read+checks", "inspect"),
                ("Great Expectations (batched)", "validate_judgements"),
                ("load (one transaction)", "record_submission"),
                ("feedback (xlsx, html, marked-up copy)", "write_feedback"),
                ("archive", "archive"),
            )
            if key in stages
        )
        + f", rest {1000 * (t_files - sum(stages.values())) / n:.0f} ms"
    )
    assert judged > 0
    t = time.perf_counter()
    again = run.run()
    print(f"  re-run with nothing new: {len(again)} files unchanged in {time.perf_counter() - t:.2f} s")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", help="SQLAlchemy URL (default: a throwaway PostgreSQL database)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kinerja-bench-"))
    os.environ["KINERJA_DATA_DIR"] = str(work / "data")  # Data Docs and defaults stay in here
    drive = work / "drive"
    header()
    # The sample is written by a separate process so this one starts cold.
    sample = subprocess.run(
        [
            *(sys.executable, "-m", "kinerja.cli", "sample", "--year", str(args.year), "--out", str(drive)),
            *("--seed", str(args.seed), "--late", "0.1", "--missing", "0", "--defective", "0.1", "--json"),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    files = json.loads(sample.stdout)
    paths = sorted(drive.rglob("*.xlsx"))
    agencies = len({p.parent.name for p in paths})
    print(
        f"sample: {len(paths)} files from {agencies} agencies, "
        f"{sum(p.stat().st_size for p in paths) / 1e6:.1f} MB"
    )
    print(f"import great_expectations (fresh interpreter): {_import_cost():.2f} s, paid once per process")

    if args.warehouse:
        _collect(args.warehouse, drive, work, args.year)
    else:
        with throwaway_pg() as url:
            _collect(url, drive, work, args.year)

    valid = sorted(drive / f["path"] for f in files if not f["kind"].startswith("defect"))
    _read_ours(valid[:3]), _read_pandas(valid[:3])  # warm both: imports, caches
    t = time.perf_counter()
    ours = _read_ours(valid)
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    theirs = _read_pandas(valid)
    t_pandas = time.perf_counter() - t
    from kinerja.intake.container import check_container

    t = time.perf_counter()
    for p in valid:
        check_container(p.read_bytes())
    t_container = time.perf_counter() - t
    print(
        f"read {len(valid)} workbooks (the template's sheets): ours (calamine) {t_ours:.2f} s, "
        f"pandas+openpyxl {t_pandas:.2f} s, ratio {t_pandas / t_ours:.1f}x (target >= 5x), "
        f"identical values: {_same(ours, theirs)}"
    )
    print(
        f"  of ours, the container checks (zip, bombs, grid bounds) {t_container:.2f} s; without them "
        f"{t_ours - t_container:.2f} s, ratio {t_pandas / max(t_ours - t_container, 1e-9):.1f}x"
    )
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
