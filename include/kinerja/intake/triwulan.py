"""The quarterly SPM report (e-SPM, template SPMTW) and how the yearly SPM builds on it.

A PD that owes the SPM may hand in one SPMTW file per quarter (optional: the ministry's e-SPM
application is where it must go; the copy here lets the city follow the year as it goes). Its
figures are **cumulative from 1 January**: *Harus Dilayani* is the year's target, the same every
quarter; *Terlayani* and *Realisasi Anggaran* are totals up to the quarter's end. So quarter IV
is the year, and the yearly SPM file must say the same thing (domain brief §2: the quarterly
e-SPM report and the yearly report measure the same recipients and budget).

What this module checks, as warnings in the file's feedback (never a rejection: the official
may have corrected a figure since, and says so in *Keterangan*):

* a quarter's file against the quarter before it: *Terlayani* and *Realisasi Anggaran* never go
  down, *Harus Dilayani* stays the same;
* the yearly SPM file against quarter IV (and quarter IV against the yearly file, whichever
  comes second): every *Harus Dilayani* / *Terlayani* per JPD and kecamatan and every *Alokasi* /
  *Realisasi Anggaran* per JPD equal, both figures named.

`yearly_rows_from_quarter_iv` prefills the yearly SPM template (`kinerja template --report SPM
--dari-triwulan-iv`) with the PD's loaded quarter IV: the same figures, so the two files agree
unless the official changes one.

Deadlines: each quarter closes on its e-SPM day (`Kalender.batas_e_spm`); the yearly files on
`batas_pengumpulan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from kinerja.catalog.loader import Catalog, PerangkatDaerah
from kinerja.schema.excel import prefilled_rows
from kinerja.schema.issues import Issue, shown, warning
from kinerja.schema.model import TEMPLATES, TRIWULAN, Template
from kinerja.warehouse.models import FACT_TABLES

QUARTERLY = "SPMTW"
YEARLY = "SPM"

# (sheet, key columns, compared columns) the yearly SPM shares with the quarterly one.
SHARED: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Penerima", ("kode_jpd", "kode_wilayah"), ("harus_dilayani", "terlayani")),
    ("Penerapan", ("kode_jpd",), ("alokasi_anggaran", "realisasi_anggaran")),
)
CUMULATIVE = ("terlayani", "realisasi_anggaran")
"""Totals since 1 January: never lower than the quarter before."""
TOLERANCE = 1e-6
MAX_FINDINGS = 50
"""Warnings per file from these checks: enough to see the pattern, never a flood."""


def label(triwulan: int) -> str:
    return f"triwulan {TRIWULAN[triwulan - 1]}"


def deadline(catalog: Catalog, tahun: int, laporan: str | None, triwulan: int | None) -> date:
    """The day a file is due: its quarter's e-SPM closing day, else the yearly deadline."""
    kalender = catalog.kalender_tahun(tahun)
    if triwulan and laporan in TEMPLATES and TEMPLATES[laporan].periode == "triwulan":
        return kalender.batas_e_spm(triwulan)
    return kalender.batas_pengumpulan


def _loaded(
    conn: Connection,
    table: str,
    where: Mapping[str, Any],
    keys: Sequence[str],
    compared: Sequence[str],
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Rows of quarterly fact `table` matching `where`, by their key."""
    t = FACT_TABLES[table]
    rows = conn.execute(
        select(*(t.c[c] for c in (*keys, *compared))).where(*(t.c[k] == v for k, v in where.items()))
    ).mappings()
    return {tuple(r[k] for k in keys): dict(r) for r in rows}


def _num(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return float(value)


def _differs(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) > TOLERANCE * max(1.0, abs(b))


@dataclass(frozen=True)
class _Sheets:
    tpl: Template
    frames: Mapping[str, pd.DataFrame]


def _compare(
    conn: Connection,
    filed: _Sheets,
    tahun: int,
    kode_pd: str,
    against: int | None,
    rule: str,
) -> list[Issue]:
    """Warnings for the rows of `filed` that disagree with what the warehouse holds: quarter
    `against` of the quarterly report, or (None) the yearly SPM. `rule`: 'sama' (the year and
    quarter IV: every figure equal) or 'kumulatif' (a quarter and the one before: totals never
    lower, the year's target unchanged)."""
    found: list[Issue] = []
    source = TEMPLATES[QUARTERLY if against else YEARLY]
    then_label = f"laporan e-SPM {label(against)}" if against else "laporan SPM tahunan"
    now_label = "laporan SPM tahunan" if filed.tpl.code == YEARLY else "triwulan ini"
    for sheet_name, keys, compared in SHARED:
        frame = filed.frames.get(sheet_name)
        if frame is None or frame.empty:
            continue
        where: dict[str, Any] = {"tahun": tahun, "kode_pd": kode_pd}
        if against:
            where["triwulan"] = against
        before = _loaded(conn, source.sheet(sheet_name).table, where, keys, compared)
        if not before:
            continue
        sheet = filed.tpl.sheet(sheet_name)
        for baris, row in zip(frame.index.tolist(), frame.to_dict("records"), strict=True):
            old = before.get(tuple(row[k] for k in keys))
            if old is None:
                continue
            for col in compared:
                now, then = _num(row[col]), _num(old[col])
                header = sheet.column(col).header
                if rule == "kumulatif" and col in CUMULATIVE:
                    bad = now is not None and then is not None and now < then - TOLERANCE * max(1.0, then)
                    message = (
                        f"{header} {shown(now)} lebih kecil daripada di {then_label} ({shown(then)}), "
                        "padahal angka ini kumulatif sejak Januari."
                    )
                    fix = "Tulis angka s.d. akhir triwulan ini (termasuk triwulan sebelumnya)."
                else:
                    bad = _differs(now, then)
                    message = f"{header}: {shown(now)} di {now_label}, {shown(then)} di {then_label}."
                    fix = (
                        "Angka setahun harus sama dengan triwulan IV; perbaiki yang salah, atau jelaskan "
                        "koreksinya di kolom Keterangan/Permasalahan."
                        if rule == "sama"
                        else "Sasaran setahun sama di setiap triwulan; jelaskan bila memang berubah."
                    )
                if bad:
                    found.append(
                        warning(
                            message, fix, sheet=sheet_name, row=int(baris), column=header, value=shown(now)
                        )
                    )
                    if len(found) >= MAX_FINDINGS:
                        return found
    return found


def quarter_findings(
    conn: Connection,
    tpl: Template | None,
    frames: Mapping[str, pd.DataFrame] | None,
    tahun: int,
    kode_pd: str,
    triwulan: int | None,
) -> list[Issue]:
    """The checks between quarters and the year for a file about to be recorded (see above)."""
    if tpl is None or frames is None:
        return []
    filed = _Sheets(tpl, frames)
    found = []
    if tpl.code == QUARTERLY and triwulan and triwulan > 1:
        found += _compare(conn, filed, tahun, kode_pd, triwulan - 1, "kumulatif")
    if tpl.code == QUARTERLY and triwulan == 4:  # the yearly file may have come first
        found += _compare(conn, filed, tahun, kode_pd, None, "sama")
    if tpl.code == YEARLY:
        found += _compare(conn, filed, tahun, kode_pd, 4, "sama")
    return found[:MAX_FINDINGS]


def _cell(value: Any) -> Any:
    """A stored figure as the template shows it: whole numbers without a decimal part."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def yearly_rows_from_quarter_iv(
    conn: Connection, catalog: Catalog, pd: PerangkatDaerah, tahun: int
) -> dict[str, list[dict[str, Any]]] | None:
    """The yearly SPM template's rows for `pd`, its shared sheets (Penerima, Penerapan) filled
    with the PD's current quarter IV e-SPM figures (quarter IV is the year, see above); the
    sheets the quarters do not have (Mutu) are left to fill. None when no quarter IV is loaded."""
    rows: dict[str, list[dict[str, Any]]] = {
        name: [dict(r) for r in sheet_rows]
        for name, sheet_rows in prefilled_rows(TEMPLATES[YEARLY], catalog, pd).items()
    }
    quarterly = TEMPLATES[QUARTERLY]
    found = False
    for sheet_name, keys, _ in SHARED:
        sheet = quarterly.sheet(sheet_name)
        filled = [c.name for c in sheet.columns if c.stored and c.name not in keys]
        where = {"tahun": tahun, "kode_pd": pd.kode_pd, "triwulan": 4}
        stored = set(FACT_TABLES[sheet.table].c.keys())
        values = [c for c in filled if c in stored]
        loaded = _loaded(conn, sheet.table, where, keys, values)
        found = found or bool(loaded)
        for row in rows.get(sheet_name, []):
            q4 = loaded.get(tuple(row[k] for k in keys))
            if q4 is not None:
                row.update({c: _cell(q4[c]) for c in values if q4[c] is not None})
    return rows if found else None
