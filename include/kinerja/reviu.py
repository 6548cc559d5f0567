"""The Inspektorat's reviu of the LPPD data (APIP, before the PD heads sign and the tim ahli
finish the LPPD; due in the fourth week of February: `Kalender.batas_reviu_inspektorat`).

The `reviu_inspektorat` DAG asks an Inspektorat reviewer (Airflow human-in-the-loop) to *Setujui*
the year's LPPD data or to *Kembalikan* some PDs' data, with a note per PD, one line each:

    DINKES: IKK-1.02.01 pembilang tidak sesuai data dukung
    KEC-MEDAN-KOTA: data dukung belum diunggah

Every PD that owes the LPPD gets a recorded outcome (`reviu_inspektorat` table): disetujui, or
dikembalikan with its note. A returned PD gets feedback like a rejected file: a page in its own
`<tahun>/<KODE_PD>/umpan-balik/` folder on the drive. Only PD codes of the catalogue that owe the
LPPD are acted on; the reviewer's text never decides a path (the folder is the catalogue's code).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine, delete, insert, select

from kinerja.catalog.loader import Catalog
from kinerja.handover import Answer, ReviuOutcome, ReviuRequest
from kinerja.sources.base import Drive
from kinerja.sources.connections import DriveSpec
from kinerja.status.collection import collection_status
from kinerja.warehouse.models import reviu_inspektorat

if TYPE_CHECKING:
    from kinerja.runtime import Runtime

SETUJUI = "Setujui"
KEMBALIKAN = "Kembalikan"
DISETUJUI, DIKEMBALIKAN = "disetujui", "dikembalikan"


@dataclass(frozen=True)
class Catatan:
    per_pd: dict[str, str]
    tidak_dikenal: list[str]
    """Codes the reviewer wrote that are no PD owing the LPPD this year (not acted on)."""


def pd_wajib_lppd(catalog: Catalog, tahun: int) -> dict[str, str]:
    """kode_pd → name of every active PD that owes the LPPD."""
    return {p.kode_pd: p.nama for p in catalog.pd_aktif(tahun) if "LPPD" in catalog.laporan_wajib(p)}


def permintaan(engine: Engine, catalog: Catalog, tahun: int) -> ReviuRequest:
    """What the reviewer is asked: the year, the due date and each PD's LPPD status, as text."""

    wajib = pd_wajib_lppd(catalog, tahun)
    status = {r.kode_pd: r.status for r in collection_status(engine, catalog, tahun) if r.laporan == "LPPD"}
    batas = catalog.kalender_tahun(tahun).batas_reviu_inspektorat
    lines = [
        f"Reviu Inspektorat atas data LPPD {catalog.nama} tahun {tahun}"
        + (f", paling lambat {batas:%d-%m-%Y}." if batas else "."),
        "**Setujui**: semua data LPPD diterima. **Kembalikan**: tulis satu baris per PD yang "
        "dikembalikan, `KODE_PD: catatan` (PD lain dianggap disetujui).",
        "",
        *(f"- {kode} ({nama}): {status.get(kode, 'belum masuk')}" for kode, nama in wajib.items()),
    ]
    return ReviuRequest(tahun, "\n".join(lines), list(wajib))


def belum_waktunya(engine: Engine, catalog: Catalog, tahun: int, today: date) -> str | None:
    """Why a scheduled run asks nothing today, or None when it should ask the Inspektorat: from
    `Kalender.reviu_dibuka` (N days before the due date in the fourth week of February) until the
    due date, as long as no reviu of `tahun` is recorded yet."""
    kalender = catalog.kalender_tahun(tahun)
    mulai, batas = kalender.reviu_dibuka, kalender.batas_reviu_inspektorat
    if mulai is None or batas is None:
        return f"tahun {tahun}: kalender tanpa batas reviu Inspektorat"
    if today < mulai:
        return (
            f"tahun {tahun}: reviu dibuka {mulai:%d-%m-%Y} ({kalender.reviu_dibuka_hari} hari sebelum batas)"
        )
    if today > batas:
        return f"tahun {tahun}: batas reviu {batas:%d-%m-%Y} sudah lewat"
    with engine.connect() as conn:
        done = conn.execute(
            select(reviu_inspektorat.c.id).where(reviu_inspektorat.c.tahun == tahun).limit(1)
        ).first()
    return f"tahun {tahun}: reviu sudah tercatat" if done else None


def baca_catatan(text: str | None, wajib: Mapping[str, str]) -> Catatan:
    """'KODE_PD: catatan' lines → notes per PD; codes are matched case-insensitively."""
    by_upper = {k.upper(): k for k in wajib}
    per_pd: dict[str, str] = {}
    unknown = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        kode, _, note = line.partition(":")
        key = by_upper.get(kode.strip().upper())
        if key is None:
            unknown.append(kode.strip()[:60])
            continue
        per_pd[key] = "; ".join(filter(None, [per_pd.get(key, ""), note.strip()]))
    return Catatan(per_pd, unknown)


def feedback_path(tahun: int, kode_pd: str) -> str:
    return f"{tahun}/{kode_pd}/umpan-balik/reviu-inspektorat-{tahun}.html"


def _page(catalog: Catalog, tahun: int, nama_pd: str, note: str) -> bytes:
    e = html.escape
    return (
        "<!doctype html><html lang='id'><meta charset='utf-8'>"
        f"<title>Reviu Inspektorat LPPD {tahun}</title>"
        f"<h1>Data LPPD {e(nama_pd)} tahun {tahun} dikembalikan oleh Inspektorat</h1>"
        f"<p>Hasil reviu Inspektorat {e(catalog.nama)} atas data LPPD:</p>"
        f"<blockquote>{e(note) or 'tanpa catatan'}</blockquote>"
        "<p>Perbaiki data sesuai catatan, lalu simpan berkas LPPD yang sudah diperbaiki di folder PD "
        "Anda pada shared drive; berkas baru diperiksa ulang seperti biasa.</p></html>"
    ).encode()


def catat_reviu(
    engine: Engine,
    catalog: Catalog,
    drive: Drive | None,
    tahun: int,
    run_id: str,
    jawaban: Answer,
) -> ReviuOutcome:
    """Record the reviewer's answer for every PD owing the LPPD and give feedback to the returned
    ones. `jawaban`: the human-in-the-loop result (chosen option, the `catatan` field, who)."""
    wajib = pd_wajib_lppd(catalog, tahun)
    catatan = baca_catatan(jawaban.params_input.get("catatan"), wajib)
    returned = catatan.per_pd if KEMBALIKAN in jawaban.chosen_options else {}
    reviewer = jawaban.responded_by_user or {}
    name = str(reviewer.get("name") or reviewer.get("id") or "") if isinstance(reviewer, Mapping) else ""
    now = datetime.now(UTC)
    rows = []
    for kode, nama in wajib.items():
        path = None
        if kode in returned and drive is not None:
            path = feedback_path(tahun, kode)
            drive.write_bytes(path, _page(catalog, tahun, nama, returned[kode]))
        rows.append(
            {
                "tahun": tahun,
                "run_id": run_id,
                "kode_pd": kode,
                "keputusan": DIKEMBALIKAN if kode in returned else DISETUJUI,
                "catatan": returned.get(kode) or catatan.per_pd.get(kode),
                "reviewer": name[:200] or None,
                "diputuskan_pada": now,
                "feedback_path": path,
            }
        )
    with engine.begin() as conn:  # a rerun of the same run replaces its rows
        conn.execute(delete(reviu_inspektorat).where(reviu_inspektorat.c.run_id == run_id))
        if rows:
            conn.execute(insert(reviu_inspektorat), rows)
    return ReviuOutcome(
        tahun=tahun,
        disetujui=[kode for kode in wajib if kode not in returned],
        dikembalikan=[kode for kode in wajib if kode in returned],
        tidak_dikenal=catatan.tidak_dikenal,
    )


def permintaan_tahun(rt: Runtime, tahun: int, today: date | None = None) -> ReviuRequest | str:
    """`permintaan` with the task's warehouse and kota (the DAG's entry point); with `today`
    (a scheduled run), the reason not to ask yet (`belum_waktunya`) when there is one."""
    if today is not None and (why := belum_waktunya(rt.engine, rt.catalog, tahun, today)):
        return why
    return permintaan(rt.engine, rt.catalog, tahun)


def catat_reviu_tahun(
    rt: Runtime, tahun: int, run_id: str, jawaban: Answer, drive: DriveSpec | None = None
) -> ReviuOutcome:
    """`catat_reviu` with the task's warehouse, kota and drive (the DAG's entry point)."""
    return catat_reviu(rt.engine, rt.catalog, rt.drive(drive), tahun, run_id, jawaban)
