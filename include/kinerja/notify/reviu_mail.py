"""A mail to every PD whose LPPD data the Inspektorat returned ("dikembalikan"), like the mail on
a rejected file (`file_mail`): the reviewer's note, what to do, the page on the drive.

Planned from the warehouse (`reviu_inspektorat` rows with decision *dikembalikan*) against the
sent-ledger (`notification_sent`, kind `reviu`, key `reviu-<row id>`), so a mail that could not
go out goes with the next run and one that went out is never sent again. Recipients are only the
PD's registered addresses (`perangkat_daerah.csv`): nothing the reviewer typed picks an address.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from sqlalchemy import Engine, select

from kinerja.catalog.loader import Catalog
from kinerja.notify.file_mail import FileMail, MailRun, recipients, send_planned
from kinerja.notify.reminders import MailClient, _html, _text, sent_idents
from kinerja.warehouse.models import reviu_inspektorat

KIND = "reviu"
DIKEMBALIKAN = "dikembalikan"


def key_for(reviu_id: int) -> str:
    return f"reviu-{reviu_id}"


def plan_reviu_mails(engine: Engine, catalog: Catalog, tahun: int) -> list[FileMail]:
    """One mail per returned PD and reviu decision of `tahun` not mailed yet."""
    r = reviu_inspektorat
    done = sent_idents(engine, tahun)
    with engine.connect() as conn:
        rows = conn.execute(
            select(r).where(r.c.tahun == tahun, r.c.keputusan == DIKEMBALIKAN).order_by(r.c.id)
        ).all()
    batas = catalog.kalender_tahun(tahun).batas_reviu_inspektorat
    mails = []
    for row in rows:
        pd = catalog.pd(row.kode_pd)
        if pd is None or (tahun, KIND, pd.kode_pd, key_for(row.id)) in done:
            continue
        to, problems = recipients(pd, None)
        paragraphs: list[str | list[str]] = [
            f"Yth. pengelola data {pd.nama} ({pd.kode_pd})",
            f"Inspektorat {catalog.nama} telah mereviu data LPPD tahun {tahun}: data PD Anda "
            "DIKEMBALIKAN untuk diperbaiki.",
            ["Catatan Inspektorat: " + (row.catatan or "tanpa catatan")],
            "Perbaiki data sesuai catatan, lalu simpan berkas LPPD yang sudah diperbaiki di folder PD "
            "Anda pada shared drive; berkas baru diperiksa ulang seperti biasa"
            + (f", sebelum {batas:%d-%m-%Y} (batas reviu Inspektorat)." if batas else "."),
        ]
        if row.feedback_path:
            paragraphs.append(f"Catatan ini juga ada di drive bersama: {row.feedback_path}")
        paragraphs += [
            "Pertanyaan dapat dikirim dengan membalas e-mail ini.",
            "Salam,\nTim Laporan Kinerja",
        ]
        mails.append(
            FileMail(
                kind=KIND,
                tahun=tahun,
                kode_pd=pd.kode_pd,
                key=key_for(row.id),
                to=to,
                subject=f"[DIKEMBALIKAN] LPPD {tahun} {pd.singkatan}: catatan reviu Inspektorat",
                text=_text(paragraphs),
                html=_html(paragraphs),
                problems=problems,
            )
        )
    return mails


def send_reviu_mails(
    engine: Engine,
    catalog: Catalog,
    tahun: int,
    open_client: Callable[[], contextlib.AbstractContextManager[MailClient]],
    sender: str | None = None,
) -> MailRun:
    """Mail every returned PD not mailed yet (`file_mail.send_planned`: a server that is down is
    reported, never raised; the decisions are recorded and the next run sends what is left)."""
    return send_planned(engine, plan_reviu_mails(engine, catalog, tahun), open_client, sender)
