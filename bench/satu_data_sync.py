"""Satu Data sync of a full sample year (every PD of Medan) to a real CKAN 2.11 portal.

Prints: the export (datasets, rows, seconds), the first publication (steps, HTTP requests,
seconds), a re-run with nothing new (what the content hashes save: its ratio to the first), and
a changed year (another sample of the same year) updated in place. The portal is the one the
integration tests use (tests/integration/ckan_server.py), started and torn down here.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import PG_ADMIN_URL, PROJECT, header, throwaway_pg


def collected_report(root: Path, tahun: int, seed: int):  # type: ignore[no-untyped-def]
    from kinerja.catalog import load_catalog
    from kinerja.intake.collect import CollectRun
    from kinerja.reports.year import build_year
    from kinerja.sample import generate_year
    from kinerja.sources import LocalDrive
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import sync_reference

    catalog = load_catalog("medan")
    engine = engine_for(f"sqlite:///{root / 'warehouse.db'}")
    migrate(engine)
    sync_reference(engine, catalog)
    generate_year(catalog, tahun, root / "drive", seed=seed)
    CollectRun(tahun, LocalDrive(root / "drive"), engine, catalog, root / "archive", settle_seconds=0).run()
    return catalog, build_year(engine, catalog, tahun)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    header()

    import sys

    sys.path.insert(0, str(PROJECT))
    from kinerja.satudata.ckan import portal_client, sync_year
    from kinerja.satudata.package import export_year
    from kinerja.satudata.spec import load_spec
    from sqlalchemy import create_engine

    from tests.integration.ckan_server import running_ckan
    from tests.integration.fault_proxy import FaultProxy

    with tempfile.TemporaryDirectory(prefix="kinerja-bench-sd-") as tmp:
        root = Path(tmp)
        folders = {}
        for seed in (1, 2):
            catalog, report = collected_report(root / f"seed{seed}", args.year, seed)
            started = time.perf_counter()
            files = export_year(report, catalog, load_spec(), root / f"export{seed}")
            spent = time.perf_counter() - started
            folders[seed] = root / f"export{seed}"
            csvs = [p for p in files if p.suffix == ".csv"]
            rows = sum(len(p.read_text(encoding="utf-8").splitlines()) - 1 for p in csvs)
            print(f"export seed {seed}: {len(files) - 2} datasets, {rows} rows in {spent:.2f} s")

        with throwaway_pg("kinerja_bench_ckan"):  # checks PostgreSQL is there before CKAN starts
            pass
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        (root / "ckan").mkdir()
        with running_ckan(admin, root / "ckan") as portal, FaultProxy(portal.url) as proxy:
            print(f"CKAN start-up: {portal.timings['total']:.1f} s")
            ckan = portal_client(proxy.url, portal.api_token)

            def run(label: str, folder: Path) -> float:
                before = proxy.requests
                started = time.perf_counter()
                result = sync_year(ckan, folder)
                spent = time.perf_counter() - started
                n = result.counts()
                print(
                    f"{label:<28} {spent:7.2f} s  {proxy.requests - before:5d} requests  "
                    f"create {n['create']}, update {n['update']}, unchanged {n['unchanged']}"
                )
                return spent

            first = run("first publication", folders[1])
            again = run("re-run, nothing new", folders[1])
            changed = run("changed year (seed 2)", folders[2])
            print(f"re-run / first publication: {again / first:.3f} ({first / again:.0f}x faster)")
            print(f"changed year / first publication: {changed / first:.2f}")
        admin.dispose()


if __name__ == "__main__":
    main()
