"""Our Great Expectations step (`kinerja.intake.validation.Validator`) on the SPM recipients sheet.

    uv run python bench/validation.py [--sizes 10000,100000,1000000] [--files 1,10,50]

1. Rows per second of `Validator.validate` on one `Penerima` frame of 10^4, 10^5 and 10^6
   rows (typed as the reader types it; unique keys, codes from the agency's parameter lists,
   0.1 % of rows serving more than due so the warning path reports rows).
2. Cost against the number of files: the same real-sized sheet (DINKES, 252 rows) validated
   1, 10 and 50 times, as a collection of that many files does.
The context and suites are built once (warm), as in a task process; Data Docs are off here.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from common import header, peak_rss_mb


def _penerima(rows: int, params: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A Penerima frame of `rows` rows with unique (kode_jpd, kode_wilayah) keys."""
    jpd = list(params["kode_jpd"])
    per_jpd = -(-rows // len(jpd))
    wilayah = [f"12.71.{i // 100:04d}.{i % 100:02d}" for i in range(per_jpd)]
    rng = np.random.default_rng(1)
    harus = rng.integers(0, 5000, rows)
    terlayani = (harus * rng.uniform(0.62, 1.0, rows)).round().astype("int64")
    over = rng.random(rows) < 0.001
    terlayani[over] = harus[over] + 1
    frame = pd.DataFrame(
        {
            "kode_jpd": [jpd[i // per_jpd] for i in range(rows)],
            "nama_jpd": None,
            "kode_wilayah": [wilayah[i % per_jpd] for i in range(rows)],
            "nama_wilayah": None,
            "harus_dilayani": harus,
            "terlayani": terlayani,
            "keterangan": None,
        },
        index=pd.Index(range(2, rows + 2), name="baris"),
    )
    return frame, {**params, "kode_kecamatan": sorted(set(params["kode_kecamatan"]) | set(wilayah))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--files", default="1,10,50")
    args = parser.parse_args()
    os.environ["KINERJA_DATA_DOCS"] = "0"

    from kinerja.catalog import load_catalog
    from kinerja.intake.reader import open_workbook, read_sheets
    from kinerja.intake.validation import Validator
    from kinerja.sample import SampleShares, generate_year
    from kinerja.schema import TEMPLATES
    from kinerja.schema.codes import code_sets
    from kinerja.schema.suites import suite_name

    header()
    catalog = load_catalog()
    pd_dinkes = catalog.pd("DINKES")
    assert pd_dinkes is not None
    params = code_sets(catalog, pd_dinkes)
    tpl = TEMPLATES["SPM"]
    sheet = tpl.sheet("Penerima")
    suite = suite_name(tpl, sheet)
    t = time.perf_counter()
    validator = Validator(docs_root=None)
    validator.suite(suite)
    print(f"Validator() incl. importing great_expectations and the suite: {time.perf_counter() - t:.2f} s")

    drive = Path(tempfile.mkdtemp(prefix="kinerja-vbench-"))
    files = generate_year(catalog, 2025, drive, 1, SampleShares(0, 0, 0, 0), only=("DINKES",))
    path = next(drive / f.path for f in files if f.laporan == "SPM")
    small = read_sheets(open_workbook(path.read_bytes()), tpl).sheets["Penerima"]  # type: ignore[arg-type]
    validator.validate(suite, sheet, small, params)  # warm

    print("rows per second on one Penerima frame:")
    for rows in (int(s) for s in args.sizes.split(",")):
        frame, p = _penerima(rows, params)
        t = time.perf_counter()
        issues = validator.validate(suite, sheet, frame, p)
        elapsed = time.perf_counter() - t
        print(
            f"  {rows:>9,} rows: {elapsed:6.2f} s = {rows / elapsed:>9,.0f} rows/s "
            f"({len(issues)} issues reported; peak RSS so far {peak_rss_mb():.0f} MB)"
        )
        del frame, p

    print(f"cost against the number of files (the DINKES Penerima sheet, {len(small)} rows each):")
    for n in (int(s) for s in args.files.split(",")):
        t = time.perf_counter()
        for _ in range(n):
            validator.validate(suite, sheet, small, params)
        elapsed = time.perf_counter() - t
        print(
            f"  {n:>3} files: {elapsed:6.2f} s = {1000 * elapsed / n:.0f} ms per file, "
            f"{n * len(small) / elapsed:,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
