"""The record of what was sent (`notification_sent`): one row per notification (tahun, kind,
kode_pd, key), written as soon as the server took the message, so that a retried or repeated
run never sends it twice; with a problem text when it reached nobody or not everyone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from kinerja.notify.model import Notification
from kinerja.warehouse.models import notification_sent as t

KIND = "umpan_balik"
"""The kind of the mails on file versions (key: `key_for(submission id)`) and on refused files
(key: `refused_key(drive_refused id)`)."""


def key_for(submission_id: int) -> str:
    """The ledger key of the mail on one file version."""
    return f"berkas-{submission_id}"


def refused_key(refused_id: int) -> str:
    """The ledger key of the mail on one file the drive refused (`drive_refused.id`), of the
    same kind as the mails on versions: the board lists its delivery problems with theirs."""
    return f"tidak-diproses-{refused_id}"


REVIU = "reviu"
"""The kind of the mails to a PD whose LPPD data the Inspektorat returned (key: `reviu_key`)."""


def reviu_key(reviu_id: int) -> str:
    """The ledger key of the mail on one returned PD's reviu decision (`reviu_inspektorat.id`)."""
    return f"reviu-{reviu_id}"


def sent_idents(engine: Engine, tahun: int) -> set[tuple[int, str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.tahun, t.c.kind, t.c.kode_pd, t.c.key).where(t.c.tahun == tahun))
        return {(r.tahun, r.kind, r.kode_pd, r.key) for r in rows}


def unsent(engine: Engine, notes: Sequence[Notification]) -> list[Notification]:
    done: set[tuple[int, str, str, str]] = set()
    for tahun in {n.tahun for n in notes}:
        done |= sent_idents(engine, tahun)
    return [n for n in notes if n.ident not in done]


def record_sent(
    engine: Engine, note: Notification, sent_at: datetime | None = None, problem: str | None = None
) -> bool:
    """Remember that `note` went out (or, with `problem`, why it reached nobody or not everyone:
    never retried); False when it was already recorded."""
    row = dict(zip(("tahun", "kind", "kode_pd", "key"), note.ident, strict=True))
    extra = {"recipients": ", ".join(note.to), "problem": problem}
    try:
        with engine.begin() as conn:
            conn.execute(insert(t).values(**row, **extra, sent_at=sent_at or datetime.now(UTC)))
    except IntegrityError:
        return False
    return True
