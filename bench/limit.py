"""The limit: how close collecting a year comes to only reading its workbooks.

    uv run python bench/limit.py [--small-pd 5] [--repeat 3] [--docs-results 10000]

In one run, on the Medan sample year and on synthetic kota (`kinerja sample --kota 1`):

1. the floor: a fresh interpreter that only parses every sheet of every workbook with
   python-calamine (the parse per file, and the process's wall time);
2. `kinerja collect` cold on the same files into a throwaway PostgreSQL: a fresh process, so the
   Great Expectations import, migrations, every file and Data Docs included (target <= 10 s);
3. the marginal cost per file: `kinerja collect` cold on a small and a large synthetic year,
   (T_large - T_small) / (N_large - N_small), which cancels what a run pays once; its ratio to
   the floor per file (target <= 10). The small year is a subset of the large one: the fewest of
   its agencies whose files hold every report the large year holds (padded to `--small-pd`),
   so that what a run pays once per report (loading a suite, one Great Expectations call per
   suite) is paid in both and cancels; an agency picked at random may lack the one Bappeda or
   BPKAD report, and its fixed cost would then count as per-file. Each collect runs `--repeat`
   times and the least time of each is used (the figure least disturbed by other processes);
4. where a file's time goes in a warm process (reading and checks, Great Expectations batched,
   feedback, load + archive + the rest), beside Great Expectations one call per file and sheet;
5. Data Docs: refreshing the site after one batch with a fresh site, then with a site already
   holding N earlier results (default 10,000, a January with a run every 10 minutes), with the
   index limited to the newest results (ours) and without the limit (GX's default).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from common import header, load, throwaway_pg
from deadline_burst import _stage_timer

FLOOR = r"""
import sys, time
t0 = time.perf_counter()
from python_calamine import CalamineWorkbook
t1, c1 = time.perf_counter(), time.process_time()
for path in sys.argv[1:]:
    try:
        wb = CalamineWorkbook.from_path(path)
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    except Exception:
        pass  # a defective sample file: the floor reads what can be read
print(t1 - t0, time.perf_counter() - t1, time.process_time() - c1)
"""


@dataclass
class Spent:
    """Wall and CPU (user + system) seconds of a fresh process: on a loaded machine the CPU
    seconds are the figure that still means something."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:.1f} s wall, {self.cpu:.1f} s CPU"


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[Spent, str]:
    t, c = time.perf_counter(), _cpu_children()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, **(env or {})})
    return Spent(time.perf_counter() - t, _cpu_children() - c), out.stdout


def floor(paths: list[Path]) -> tuple[Spent, Spent]:
    """(the process, its parsing) of a fresh interpreter parsing every sheet of `paths`."""
    spent, out = _run([sys.executable, "-c", FLOOR, *map(str, paths)])
    return spent, Spent(float(out.split()[1]), float(out.split()[2]))


def collect_cold(
    source: Path, work: Path, url: str, city: str | None = None, reference: Path | None = None
) -> float:
    """`kinerja collect` in a fresh process, with a fresh data folder (Data Docs on)."""
    data = Path(tempfile.mkdtemp(prefix="data-", dir=work))
    env = {"KINERJA_DATA_DIR": str(data), "KINERJA_SETTLE_SECONDS": "0"}
    if reference:
        env["KINERJA_REFERENCE_DIR"] = str(reference)
    cmd = [sys.executable, "-m", "kinerja.cli", *(["--city", city] if city else []), "collect"]
    cmd += ["--year", "2025", "--source", str(source), "--warehouse", url, "--archive", str(data / "archive")]
    return _run(cmd, env)[0]


def synthetic(work: Path, name: str) -> tuple[Path, Path, int]:
    """One synthetic kota: (its drive, its reference folder, number of files)."""
    out = work / name
    cmd = [sys.executable, "-m", "kinerja.cli", "sample", "--year", "2025", "--out", str(out), "--seed", "1"]
    _run([*cmd, "--kota", "1"])
    drive = out / "sintetis-001"
    return drive, out / "reference", sum(1 for _ in drive.rglob("*.xlsx"))


REPORT = re.compile(r"_(SPMTW|SPM|LPPD|LKPJ|MAKRO|APBD)_")


def covering_subset(drive: Path, out: Path, at_least: int) -> tuple[Path, int, set[str]]:
    """A copy of the fewest agencies of `drive` whose files hold every report `drive` holds
    (then more, in name order, up to `at_least`): (its drive, number of files, the reports)."""
    reports: dict[Path, set[str]] = {
        folder: {m.group(1) for f in folder.glob("*.xlsx") if (m := REPORT.search(f.name))}
        for year in drive.iterdir()
        for folder in sorted(year.iterdir())
        if folder.is_dir()
    }
    wanted = set().union(*reports.values())
    chosen: list[Path] = []
    missing = set(wanted)
    while missing:  # greedy: the agency holding most of what is missing (the first in name order)
        chosen.append(max(reports, key=lambda f: len(reports[f] & missing)))
        missing -= reports[chosen[-1]]
    chosen += [f for f in reports if f not in chosen][: max(0, at_least - len(chosen))]
    for folder in chosen:
        shutil.copytree(folder, out / folder.relative_to(drive), ignore=shutil.ignore_patterns("umpan-balik"))
    return out, sum(1 for _ in out.rglob("*.xlsx")), wanted


def stages(paths: list[Path], drive: Path, work: Path, url: str) -> None:
    """Where a file's time goes in a warm process, and GX batched vs one call per sheet."""
    from kinerja.catalog import load_catalog
    from kinerja.intake.collect import CollectRun, inspect, validate_judgements
    from kinerja.intake.validation import shared_validator
    from kinerja.sources import LocalDrive
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference

    catalog = load_catalog("medan")
    validator = shared_validator()  # as a collection gets it (built once, kept out of collections)

    def judgements() -> list:  # type: ignore[type-arg]
        return [
            inspect(p.read_bytes(), catalog.pd(p.parent.name), p.parent.name, 2025, catalog) for p in paths
        ]

    validate_judgements(judgements()[:4], validator)  # warm: suites, GX's caches
    n = len(paths)
    cpu: dict[str, float] = {}
    for how, alone in (("alone", True), ("batched", False)):
        js = judgements()
        c = time.process_time()
        validate_judgements(js, validator, alone=alone)
        cpu[how] = time.process_time() - c
    print(
        f"Great Expectations on {n} files, warm, CPU: one call per file and sheet {cpu['alone']:.2f} s "
        f"({1000 * cpu['alone'] / n:.1f} ms per file), batched {cpu['batched']:.2f} s "
        f"({1000 * cpu['batched'] / n:.1f} ms per file): {cpu['alone'] / cpu['batched']:.0f}x"
    )
    engine = engine_for(url)
    migrate(engine)
    sync_reference(engine, catalog)
    run = CollectRun(
        2025, LocalDrive(drive), engine, catalog, work / "archive-warm", 0, validator=lambda: validator
    )
    todo, _ = run.scan()
    spent: dict[str, float] = defaultdict(float)
    t, c = time.perf_counter(), time.process_time()
    with _stage_timer(spent, clock=time.process_time):
        run.process_files(todo)
    wall, total = time.perf_counter() - t, time.process_time() - c
    engine.dispose()
    parts = {
        "read+checks": spent["inspect"],
        "GX": spent["validate_judgements"],
        "feedback (xlsx, html, marked-up copy)": spent["write_feedback"],
        "load": spent["record_submission"],
        "archive": spent["archive"],
    }
    rest = total - sum(parts.values())
    m = len(todo)
    print(
        f"warm process, {m} files into PostgreSQL: {1000 * wall / m:.1f} ms wall, "
        f"{1000 * total / m:.1f} ms CPU per file = "
        + ", ".join(f"{k} {1000 * v / m:.1f}" for k, v in parts.items())
        + f", rest (drive, manifest, transaction) {1000 * rest / m:.1f} (CPU of this process; the "
        "database server's own work not included)"
    )


def data_docs(paths: list[Path], work: Path, results: int) -> None:
    """One batch's Data Docs refresh: fresh site, then after `results` earlier results."""
    import kinerja.intake.validation as validation
    from kinerja.catalog import load_catalog
    from kinerja.intake.collect import inspect, validate_judgements

    catalog = load_catalog("medan")
    root = work / "gx"
    batch = paths[:20]
    ours = (validation.SITE_RESULTS, validation.INDEX_RESULTS)

    def refresh(site_results: int, index_results: int) -> float:
        """A new process's refresh (its first one builds the index) after validating `batch`."""
        saved = validation.SITE_RESULTS, validation.INDEX_RESULTS
        validation.SITE_RESULTS, validation.INDEX_RESULTS = site_results, index_results
        try:
            validator = validation.Validator(docs_root=root)
            js = [
                inspect(p.read_bytes(), catalog.pd(p.parent.name), p.parent.name, 2025, catalog, label=p.stem)
                for p in batch
            ]
            validate_judgements(js, validator)
            t = time.perf_counter()
            validator.build_docs()
            return time.perf_counter() - t
        finally:
            validation.SITE_RESULTS, validation.INDEX_RESULTS = saved

    fresh = refresh(*ours)
    store = root / "uncommitted" / "validations"
    pages = root / "uncommitted" / "data_docs" / "local_site" / "validations"
    # The fresh site's results and pages, kept in memory: refreshes move old ones to arsip/.
    kept = [
        (
            rel,
            (store / rel).read_bytes(),
            page.read_bytes() if (page := pages / rel.with_suffix(".html")).exists() else None,
        )
        for rel in sorted(p.relative_to(store) for p in store.rglob("*.json"))
    ]
    made = 0

    def earlier(upto: int) -> None:
        """Earlier runs' results and their pages, as a January leaves them."""
        nonlocal made
        for n in range(made, upto):
            rel, result, page = kept[n % len(kept)]
            moved = Path(rel.parts[0], f"earlier-{n:05d}", *rel.parts[2:])
            (store / moved).parent.mkdir(parents=True, exist_ok=True)
            (store / moved).write_bytes(result)
            if page is not None:
                (pages / moved).parent.mkdir(parents=True, exist_ok=True)
                (pages / moved).with_suffix(".html").write_bytes(page)
        made = upto

    steady: dict[int, float] = {}
    for upto in sorted({results // 10, results}):
        earlier(upto)
        if upto == results:
            gx_default = refresh(10**9, 0)  # every result stays on the site, the index lists them all
        refresh(*ours)  # moves all but the newest SITE_RESULTS to arsip/ (once)
        steady[upto] = refresh(*ours)
    small, large = min(steady), max(steady)
    print(
        f"Data Docs refresh after a batch of {len(batch)} files: fresh site {fresh:.2f} s; ours after "
        + ", ".join(f"{n:,} earlier results {t:.2f} s" for n, t in steady.items())
        + f" ({steady[large] / steady[small]:.2f}x: flat; the site keeps the newest {ours[0]}, the index "
        f"lists {ours[1]}, older ones are in arsip/); GX's default after {large:,} (every result on the "
        f"site and in the index) {gx_default:.1f} s ({gx_default / steady[large]:.0f}x ours)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small-pd", type=int, default=5, help="agencies in the small synthetic kota")
    parser.add_argument("--repeat", type=int, default=3, help="cold collects of each synthetic kota")
    parser.add_argument("--docs-results", type=int, default=10_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kinerja-limit-"))
    os.environ["KINERJA_DATA_DIR"] = str(work / "data")
    header()
    drive = work / "medan"
    _run(
        [sys.executable, "-m", "kinerja.cli", "sample", "--year", "2025", "--out", str(drive), "--seed", "1"]
    )
    paths = sorted(drive.rglob("*.xlsx"))
    n = len(paths)

    process, parse = floor(paths)
    floor_ms, floor_cpu_ms = 1000 * parse.wall / n, 1000 * parse.cpu / n
    print(
        f"floor: a fresh process parsing all sheets of {n} workbooks with python-calamine: {process}; "
        f"parsing {parse.wall:.2f} s wall, {parse.cpu:.2f} s CPU = {floor_ms:.2f} ms wall, "
        f"{floor_cpu_ms:.2f} ms CPU per file"
    )

    with throwaway_pg() as url:
        cold = collect_cold(drive, work, url)
    print(
        f"kinerja collect cold, Medan sample year ({n} files) into PostgreSQL, import + Data Docs "
        f"included: {cold} (target <= 10 s); load average now {load()}"
    )

    large, reference, n_large = synthetic(work, "large")
    small, n_small, reports = covering_subset(large, work / "small" / "sintetis-001", args.small_pd)
    runs: dict[Path, list[Spent]] = {small: [], large: []}
    for _ in range(args.repeat):  # interleaved, so that a busy spell hits both alike
        for drive_ in runs:
            with throwaway_pg() as url:
                runs[drive_].append(collect_cold(drive_, work, url, "sintetis-001", reference))
    t_small, t_large = (
        Spent(min(s.wall for s in spent), min(s.cpu for s in spent)) for spent in runs.values()
    )
    per_file = n_large - n_small
    wall_ms = 1000 * (t_large.wall - t_small.wall) / per_file
    cpu_ms = 1000 * (t_large.cpu - t_small.cpu) / per_file
    print(
        f"kinerja collect cold, synthetic kota (least of {args.repeat} runs each; both hold the reports "
        f"{', '.join(sorted(reports))}): {n_small} files {t_small}; {n_large} files {t_large}: "
        f"marginal {wall_ms:.1f} ms wall, {cpu_ms:.1f} ms CPU per file"
    )
    print(
        f"ratio marginal / floor per file: wall {wall_ms:.1f} / {floor_ms:.2f} ms = "
        f"{wall_ms / floor_ms:.1f}, CPU {cpu_ms:.1f} / {floor_cpu_ms:.2f} ms = {cpu_ms / floor_cpu_ms:.1f} "
        "(target <= 10)"
    )

    with throwaway_pg() as url:
        stages(paths, drive, work, url)
    data_docs(paths, work, args.docs_results)
    print(f"# load average at the end {load()}; work folder {work}")


if __name__ == "__main__":
    main()
