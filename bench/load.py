"""Loading facts into PostgreSQL: our load against `DataFrame.to_sql` and a raw COPY.

    uv run python bench/load.py [--rows 1000000] [--table lkpj|mutu]

The widest fact table (fact_lkpj_kinerja: 14 columns) or a narrow one (fact_spm_mutu, the
shape the issue's figures were taken on) in a throwaway database, with its unique key and
indexes. Each method starts from an empty table and commits:

* ours:     `kinerja.warehouse.load.load_facts` (COPY on the submission's connection), from
            the typed frame the reader produces;
* to_sql:   `frame.to_sql(table, engine, if_exists="append", index=False)`, pandas' defaults;
* raw COPY: `COPY ... FROM STDIN (FORMAT csv)` of the same rows already serialised as CSV
            bytes (serialising is not timed): what the server can take.
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from common import header, throwaway_pg


def _frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    pagu = rng.integers(2, 400, rows) * 25_000_000.0
    target = rng.choice([100.0, 50.0, 200.0], rows)
    return pd.DataFrame(
        {
            "kode": [f"5.01.{i:07d}" for i in range(rows)],
            "jenis_indikator": np.where(rng.random(rows) < 0.5, "output", "outcome").astype(object),
            "indikator": [f"Persentase capaian layanan nomor {i % 997}" for i in range(rows)],
            "satuan": np.where(target == 100.0, "%", "unit").astype(object),
            "target": target,
            "realisasi": np.round(target * rng.uniform(0.6, 1.02, rows), 2),
            "pagu": pagu,
            "realisasi_anggaran": np.round(pagu * rng.uniform(0.55, 0.99, rows)),
            "permasalahan": [None if i % 3 else "Keterlambatan\tpengadaan" for i in range(rows)],
            "solusi": [None] * rows,
        },
        index=pd.Index(range(2, rows + 2), name="baris"),
    )


def _narrow_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    target = rng.choice([100.0, 50.0, 200.0], rows)
    return pd.DataFrame(
        {
            "kode_indikator": [f"mutu.{i:07d}" for i in range(rows)],
            "jenis": np.where(rng.random(rows) < 0.5, "barang", "sdm").astype(object),
            "target": target,
            "realisasi": np.round(target * rng.uniform(0.6, 1.02, rows), 2),
        },
        index=pd.Index(range(2, rows + 2), name="baris"),
    )


SHEETS = {"lkpj": ("LKPJ", "Kinerja", _frame), "mutu": ("SPM", "Mutu", _narrow_frame)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--table", choices=sorted(SHEETS), default="lkpj")
    args = parser.parse_args()

    from kinerja.schema import TEMPLATES
    from kinerja.warehouse.db import engine_for, migrate
    from kinerja.warehouse.load import load_facts
    from kinerja.warehouse.models import FACT_TABLES, submission
    from sqlalchemy import func, insert, select, text

    template, sheet_name, make_frame = SHEETS[args.table]
    sheet = TEMPLATES[template].sheet(sheet_name)
    table = FACT_TABLES[sheet.table]
    frame = make_frame(args.rows)
    header()
    print(f"{args.rows:,} rows into {table.name} ({len(table.columns)} columns), PostgreSQL")
    with throwaway_pg() as url:
        engine = engine_for(url)
        migrate(engine)
        now = datetime.now(UTC)
        with engine.begin() as conn:
            sub_id = conn.execute(
                insert(submission)
                .values(drive="bench", path="x", version=1, size=1, mtime=0.0, sha256="0" * 64)
                .values(first_seen=now, received_at=now, processed_at=now, tahun=2025, kode_pd="BAPPEDA")
                .values(status="loaded", terlambat=False, n_errors=0, n_warnings=0, n_rows=0)
                .values(archive_key="x")
                .returning(submission.c.id)
            ).scalar_one()
        fixed = {"submission_id": sub_id, "tahun": 2025, "kode_pd": "BAPPEDA"}
        wide = frame.reset_index()
        for name, value in reversed(fixed.items()):
            wide.insert(0, name, value)
        columns = list(wide.columns)
        csv_bytes = wide.to_csv(index=False, header=False).encode()

        def empty() -> None:
            with engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {table.name}"))
                conn.execute(text("CHECKPOINT"))

        def count() -> int:
            with engine.connect() as conn:
                return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

        def ours() -> None:
            with engine.begin() as conn:
                load_facts(conn, table, frame, sheet.stored_columns, fixed)

        def to_sql() -> None:
            wide.to_sql(table.name, engine, if_exists="append", index=False)

        def raw_copy() -> None:
            with engine.begin() as conn:
                cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as cp:
                    buf = io.BytesIO(csv_bytes)
                    while chunk := buf.read(1 << 20):
                        cp.write(chunk)

        results: dict[str, float] = {}
        for name, fn in (("ours (COPY)", ours), ("raw COPY", raw_copy), ("to_sql defaults", to_sql)):
            empty()
            t = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - t
            assert count() == args.rows, name
            results[name] = args.rows / elapsed
            print(f"  {name:16} {elapsed:7.2f} s  {results[name]:>10,.0f} rows/s")
        engine.dispose()
    ours_rate = results["ours (COPY)"]
    print(
        f"ours / to_sql = {ours_rate / results['to_sql defaults']:.1f}x (target >= 5x); "
        f"ours / raw COPY = {100 * ours_rate / results['raw COPY']:.0f} % (target >= 70 %)"
    )


if __name__ == "__main__":
    main()
