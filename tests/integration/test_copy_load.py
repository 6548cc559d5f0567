"""The PostgreSQL fact load (COPY, inside the submission's transaction) stores exactly what the
INSERT path stores, on PostgreSQL and on SQLite: NULLs, decimals, whole numbers, dates written
as text, and text with tabs, newlines, backslashes and COPY's own NULL marker."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import pytest
from kinerja.schema import TEMPLATES
from kinerja.warehouse.load import SubmissionRecord, load_facts, record_submission
from kinerja.warehouse.models import FACT_TABLES, submission
from sqlalchemy import Engine, func, insert, select

from ..conftest import fileless_record

pytestmark = pytest.mark.integration

LKPJ = TEMPLATES["LKPJ"]
AWKWARD_TEXT = [
    "tab\there",
    "line\nbreak",
    "windows\r\nline",
    "back\\slash",
    "\\N",
    "\\.",
    "",
    "  spaces kept  ",
    "Rp 1.000.000,50 — capaian ✓ 'kutip' \"ganda\"",
    "x" * 5000,
]


def _frames() -> dict[str, pd.DataFrame]:
    n = len(AWKWARD_TEXT)
    kinerja = pd.DataFrame(
        {
            "kode": [f"1.01.{i:02d}" for i in range(n)],
            "jenis_indikator": ["output", "outcome"] * (n // 2),
            "indikator": AWKWARD_TEXT,
            "arah": ["positif", "negatif"] * (n // 2),
            "satuan": ["%", "unit", date(2025, 1, 26).isoformat(), "orang", "dokumen"] * (n // 5),
            "target": [0.1, 1e-300, 123456789.123456789, -0.0, 100.0, 1.7976931348623157e308, 3, 2.5, 0, 7],
            "realisasi": [0.30000000000000004, 1 / 3, 99.99, 5e-324, -12.5, 1, 2, 3, 4, 5],
            "pagu": [25_000_000.0 * i for i in range(n)],
            "realisasi_anggaran": [float(2**53), 1.5, 2.25, 3.125, 4.0625, 0.0, 6, 7, 8, 9],
            "permasalahan": [None, *AWKWARD_TEXT[1:]],
            "solusi": [None, float("nan"), *([None] * (n - 2))],
        },
        index=pd.Index(range(2, 2 + n), name="baris"),
    )
    rekomendasi = pd.DataFrame(
        {
            "tahun_lkpj": [2024, 2024, 2024],
            "nomor": [1.0, 2.0, 2**40],  # whole numbers that arrived as floats
            "rekomendasi": ["a\tb", "c\\nd", "e\nf"],
            "komisi": ["Komisi I", "Komisi II", "Komisi III"],
            "tindak_lanjut": ["selesai", "x", "y"],
            "status": ["selesai", "proses", "belum"],
            "bukti": [None, "https://contoh.example/a?b=1&c=2", date(2025, 2, 1)],
        },
        index=pd.Index([2, 3, 5], name="baris"),
    )
    return {"Kinerja": kinerja, "Tindak Lanjut": rekomendasi}


def _record(kode_pd: str) -> SubmissionRecord:
    return fileless_record("uji", 2025, kode_pd, "LKPJ", LKPJ.version, datetime(2026, 1, 20, 3, tzinfo=UTC))


def _rows(engine: Engine, kode_pd: str) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with engine.connect() as conn:
        for sheet in LKPJ.sheets:
            table = FACT_TABLES[sheet.table]
            cols = [table.c.tahun, table.c.baris, *(table.c[c.name] for c in sheet.stored_columns)]
            query = select(*cols).where(table.c.kode_pd == kode_pd).order_by(table.c.baris)
            out[sheet.table] = [tuple(r) for r in conn.execute(query)]
    return out


def test_copy_stores_what_insert_stores(pg_engine: Engine, sqlite_engine: Engine) -> None:
    frames = _frames()
    now = datetime(2026, 1, 20, 3, tzinfo=UTC)
    for engine in (pg_engine, sqlite_engine):  # the load as the collection does it
        record_submission(engine, _record("BAPPEDA"), 1, [], LKPJ, frames, now)
    # and the INSERT path forced on PostgreSQL, for another agency
    with pg_engine.begin() as conn:
        sub_id = conn.execute(
            insert(submission)
            .values(**_record("DINKES").__dict__, version=1, processed_at=now, status="loaded")
            .values(n_errors=0, n_warnings=0, n_rows=0)
            .returning(submission.c.id)
        ).scalar_one()
        for sheet in LKPJ.sheets:
            fixed = {"submission_id": sub_id, "tahun": 2025, "kode_pd": "DINKES"}
            table = FACT_TABLES[sheet.table]
            load_facts(conn, table, frames[sheet.name], sheet.stored_columns, fixed, method="insert")

    copied = _rows(pg_engine, "BAPPEDA")
    inserted = _rows(pg_engine, "DINKES")
    sqlite = _rows(sqlite_engine, "BAPPEDA")
    assert copied == inserted
    assert copied == sqlite
    names = ["tahun", "baris", *(c.name for c in LKPJ.sheets[0].stored_columns)]
    kinerja = [dict(zip(names, r, strict=True)) for r in copied["fact_lkpj_kinerja"]]
    assert [r["indikator"] for r in kinerja] == AWKWARD_TEXT  # byte for byte
    assert kinerja[1]["target"] == 1e-300 and kinerja[2]["target"] == 123456789.123456789
    assert kinerja[0]["realisasi"] == 0.30000000000000004 and kinerja[3]["realisasi"] == 5e-324
    assert kinerja[0]["realisasi_anggaran"] == float(2**53)
    assert kinerja[0]["permasalahan"] is None
    assert all(r["solusi"] is None for r in kinerja)  # None and NaN are both NULL
    rekomendasi = copied["fact_lkpj_rekomendasi"]
    assert [r[3] for r in rekomendasi] == [1, 2, 2**40]
    assert all(type(r[3]) is int for r in rekomendasi)
    assert rekomendasi[2][-1] == "2025-02-01"


def test_copy_rolls_back_with_the_submission(pg_engine: Engine) -> None:
    """A failure after the COPY leaves nothing: the manifest row and the facts go together."""
    frames = _frames()
    frames["Tindak Lanjut"] = pd.concat([frames["Tindak Lanjut"]] * 2)  # duplicate keys
    with pytest.raises(Exception, match=r"unique|duplicate"):
        record_submission(pg_engine, _record("BAPPEDA"), 1, [], LKPJ, frames, datetime.now(UTC))
    with pg_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(submission)).scalar() == 0
        kinerja = FACT_TABLES["fact_lkpj_kinerja"]
        assert conn.execute(select(func.count()).select_from(kinerja)).scalar() == 0
