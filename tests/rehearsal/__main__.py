"""`make rehearsal`: `python -m tests.rehearsal [--keep DIR]`; ends with `rehearsal: {json}`."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from tests.support.cluster import rehearse


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.rehearsal")
    parser.add_argument(
        "--keep", type=Path, help="work here and keep the logs (default: a temp dir, removed)"
    )
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="kinerja-rehearsal-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        report = rehearse(base)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print("rehearsal: " + json.dumps(report, ensure_ascii=False), flush=True)
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
