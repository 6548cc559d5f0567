"""Deadline-day burst: every agency's workbooks arriving at once.

    uv run python bench/deadline_burst.py [--warehouse URL] [--seed N]

Prints, with the command that made them: files per second and per-file overhead of the
in-process collection (the `kinerja collect` code path), the one-off cost of importing Great
Expectations, and reading the same workbooks with our reader (python-calamine) against
pandas + openpyxl, as a ratio, after checking both read identical values.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMAND = "uv run python bench/deadline_burst.py " + shlex.join(sys.argv[1:])


def _import_cost() -> float:
    code = "import time; t=time.perf_counter(); import great_expectations; print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _read_ours(paths: list[Path]) -> dict[str, object]:
    from kinerja.intake.reader import open_workbook, read_info, read_sheets
    from kinerja.schema import TEMPLATES

    out: dict[str, object] = {}
    for p in paths:
        wb = open_workbook(p.read_bytes())
        info = read_info(wb)  # type: ignore[arg-type]
        tpl = TEMPLATES[info["laporan"]]  # type: ignore[index]
        parsed = read_sheets(wb, tpl)  # type: ignore[arg-type]
        for name, frame in parsed.sheets.items():
            out[f"{p}:{name}"] = frame
    return out


def _read_pandas(paths: list[Path]) -> dict[str, object]:
    import pandas as pd
    from kinerja.schema import TEMPLATES

    out: dict[str, object] = {}
    for p in paths:
        sheets = pd.read_excel(p, sheet_name=None, engine="openpyxl")
        info = dict(zip(sheets["Info"].iloc[:, 0], sheets["Info"].iloc[:, 1], strict=False))
        tpl = TEMPLATES[str(info["Jenis Laporan"])]
        for sheet in tpl.sheets:
            frame = sheets[sheet.name].dropna(how="all")
            frame.columns = [c.name for c in sheet.columns]
            frame.index = frame.index + 2
            out[f"{p}:{sheet.name}"] = frame
    return out


def _same(ours: dict[str, object], theirs: dict[str, object]) -> bool:
    import pandas as pd

    if ours.keys() != theirs.keys():
        return False
    for key, a in ours.items():
        b = theirs[key]
        assert isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame)
        if len(a) != len(b):
            return False
        for col in a.columns:
            left = [None if pd.isna(v) else v for v in a[col]]
            right = [None if pd.isna(v) else v for v in b[col]]
            if left != right:
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()

    from kinerja.catalog import load_catalog
    from kinerja.sample import SampleShares, generate_year

    catalog = load_catalog()
    work = Path(tempfile.mkdtemp(prefix="kinerja-bench-"))
    drive = work / "drive"
    files = generate_year(
        catalog, args.year, drive, args.seed, SampleShares(late=0.1, missing=0, defective=0.1, corrected=0)
    )
    paths = sorted(drive.rglob("*.xlsx"))
    print(f"# {COMMAND}")
    print(
        f"sample: {len(files)} files from {len(catalog.pd_aktif(args.year))} agencies, "
        f"{sum(p.stat().st_size for p in paths) / 1e6:.1f} MB"
    )

    gx_import = _import_cost()
    print(f"import great_expectations (fresh interpreter): {gx_import:.2f} s, paid once per process")

    valid = sorted(drive / f.path for f in files if not f.kind.startswith("defect"))
    t = time.perf_counter()
    ours = _read_ours(valid)
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    theirs = _read_pandas(valid)
    t_pandas = time.perf_counter() - t
    print(
        f"read {len(valid)} valid workbooks: ours (calamine) {t_ours:.2f} s, pandas+openpyxl "
        f"{t_pandas:.2f} s, ratio {t_pandas / t_ours:.1f}x, identical values: "
        f"{_same(ours, theirs)}"
    )

    from kinerja.intake.collect import CollectRun
    from kinerja.intake.validation import shared_validator
    from kinerja.sources import LocalDrive
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference

    engine = engine_for(args.warehouse or f"sqlite:///{work / 'warehouse.db'}")
    migrate(engine)
    sync_reference(engine, catalog)
    t = time.perf_counter()
    shared_validator().suite("spm_penerima")
    t_setup = time.perf_counter() - t
    run = CollectRun(
        tahun=args.year,
        drive=LocalDrive(drive),
        engine=engine,
        catalog=catalog,
        archive_dir=work / "archive",
        settle_seconds=0,
    )
    todo, _ = run.scan()
    t = time.perf_counter()
    outcomes = [run.process(f) for f in todo]
    t_run = time.perf_counter() - t
    t = time.perf_counter()
    run.build_docs()
    t_docs = time.perf_counter() - t
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    print(
        f"collect in-process ({engine.dialect.name}): {len(outcomes)} files in {t_run:.2f} s "
        f"= {len(outcomes) / t_run:.1f} files/s, {1000 * t_run / len(outcomes):.0f} ms per file "
        f"(GX context setup {t_setup:.2f} s once); {counts}"
    )
    print(f"operators' Data Docs for those files: {t_docs:.2f} s once per batch")
    t = time.perf_counter()
    again = run.run()
    t_again = time.perf_counter() - t
    print(f"re-run with nothing new: {len(again)} files unchanged in {t_again:.2f} s")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
