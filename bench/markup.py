"""The agency's marked-up workbook: editing its parts in the zip vs an openpyxl round trip.

    uv run python bench/markup.py [--seed 1]

On the Medan sample year, every file with findings (as `kinerja check` finds them): CPU per file
of `render_markup` (the direct edit of the workbook's parts) beside an openpyxl load (cached
values) + save of the same workbook, which is what the copy cost before (the annotations on top
of it were ~5 % of that). Both in this process, one after the other, so their ratio holds on a
loaded machine.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from common import header, load


def main() -> None:
    from kinerja.catalog import load_catalog
    from kinerja.intake.check import check_file
    from kinerja.intake.markup import render_markup
    from kinerja.sample import generate_year
    from openpyxl import load_workbook

    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    header()
    catalog = load_catalog("medan")
    drive = Path(tempfile.mkdtemp(prefix="kinerja-markup-"))
    generate_year(catalog, 2025, drive, seed=args.seed)
    cases = []
    for path in sorted(drive.rglob("*.xlsx")):
        issues = check_file(path, catalog).judgement.issues
        data = path.read_bytes()
        if issues and render_markup(data, issues) is not None:
            cases.append((data, issues))

    def round_trip(data: bytes) -> None:
        wb = load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
        wb.save(io.BytesIO())

    spent = {}
    for name, run in (
        ("direct edit", lambda d, i: render_markup(d, i)),
        ("openpyxl", lambda d, i: round_trip(d)),
    ):
        c = time.process_time()
        for _ in range(args.repeat):
            for data, issues in cases:
                run(data, issues)
        spent[name] = 1000 * (time.process_time() - c) / (args.repeat * len(cases))
    print(
        f"marked-up copy of {len(cases)} sample-year files with findings, CPU per file: direct edit "
        f"{spent['direct edit']:.1f} ms, openpyxl load + save {spent['openpyxl']:.1f} ms "
        f"({spent['openpyxl'] / spent['direct edit']:.1f}x); load average {load()}"
    )


if __name__ == "__main__":
    main()
