"""What the e-mails say, in Bahasa Indonesia: the reminder, the operators' digest, the deadline
alert and the feedback on one file version, each as a subject with paragraphs, written out as
plain text with an HTML alternative (every value escaped). Pure: no warehouse, no server."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kinerja.catalog.loader import Catalog, PerangkatDaerah
from kinerja.cells import tanggal
from kinerja.intake.feedback import FeedbackContext, facts, verdict
from kinerja.notify.model import OUTSTANDING, Reminder
from kinerja.schema.issues import Issue, shown
from kinerja.status.collection import BELUM_MASUK, DITOLAK, TERLAMBAT, VALID, ReportStatus

Paragraphs = Sequence[str | Sequence[str]]
"""Paragraphs and bullet lists (a sequence of items), in order."""
MAX_LISTED = 30
"""Findings written out in a file mail; the attachment and the drive's feedback have them all."""


@dataclass(frozen=True)
class Wording:
    subject: str
    text: str
    html: str


def worded(subject: str, paragraphs: Paragraphs) -> Wording:
    return Wording(subject, as_text(paragraphs), as_html(paragraphs))


def sisa_hari(n: int) -> str:
    if n == 0:
        return "hari ini"
    if n == 1:
        return "besok"
    if n > 1:
        return f"{n} hari lagi"
    return f"sudah lewat {-n} hari"


def hari_label(hari_lagi: int) -> str:
    return "Hari H" if hari_lagi == 0 else f"H-{hari_lagi}"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def as_html(paragraphs: Paragraphs) -> str:
    """Plain paragraphs and bullet lists, every value escaped."""
    parts = []
    for p in paragraphs:
        if isinstance(p, str):
            parts.append("<p>" + _esc(p).replace("\n", "<br>") + "</p>")
        else:
            parts.append("<ul>" + "".join(f"<li>{_esc(i)}</li>" for i in p) + "</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"></head>'
        '<body style="font-family: sans-serif">' + "\n".join(parts) + "</body></html>\n"
    )


def as_text(paragraphs: Paragraphs) -> str:
    return (
        "\n\n".join(p if isinstance(p, str) else "\n".join(f"  - {i}" for i in p) for p in paragraphs) + "\n"
    )


def pd_names(catalog: Catalog, kode: Iterable[str]) -> str:
    """`Dinkes (DINKES), Bappeda (BAPPEDA)`."""
    return ", ".join(f"{p.singkatan} ({k})" if (p := catalog.pd(k)) else k for k in kode)


def per_report(rows: Sequence[ReportStatus]) -> dict[str, dict[str, list[str]]]:
    """laporan -> status -> kode_pd list, reports in the usual order."""
    order = {"SPM": 0, "LPPD": 1, "LKPJ": 2}
    table: dict[str, dict[str, list[str]]] = {}
    for r in sorted(rows, key=lambda r: (order.get(r.laporan, 9), r.laporan, r.kode_pd)):
        table.setdefault(r.laporan, {}).setdefault(r.status, []).append(r.kode_pd)
    return table


# --- to an agency -------------------------------------------------------------------------------
def _status_line(r: ReportStatus, feedback: Mapping[tuple[str, str], str]) -> str:
    if r.status == BELUM_MASUK:
        return f"{r.laporan}: belum ada berkas yang masuk."
    line = f"{r.laporan}: berkas sudah masuk ({r.received} versi) tetapi ditolak"
    where = feedback.get((r.kode_pd, r.laporan))
    return line + (f"; perbaiki sesuai umpan balik di {where}." if where else "; lihat umpan baliknya.")


def reminder(
    catalog: Catalog,
    pd: PerangkatDaerah,
    tahun: int,
    today: date,
    rows: Sequence[ReportStatus],
    feedback: Mapping[tuple[str, str], str],
) -> Wording:
    """The reminder to `pd` about its outstanding `rows`, `today` (a date in the kota's zone)."""
    batas = catalog.kalender_tahun(tahun).batas_pengumpulan
    hari_lagi = (batas - today).days
    label = hari_label(hari_lagi)
    if hari_lagi == 0:
        subject = f"[{label}] Batas akhir hari ini: data Laporan Kinerja {tahun} - {pd.nama}"
    else:
        subject = f"[{label}] Pengingat data Laporan Kinerja {tahun} - {pd.nama}: batas {tanggal(batas)}"
    return worded(
        subject,
        [
            f"Yth. Pimpinan {pd.nama} ({pd.kode_pd})\nu.p. pengelola data LKPJ, LPPD dan SPM",
            f"Batas pengumpulan data LKPJ, LPPD dan SPM tahun pelaporan {tahun} adalah "
            f"{tanggal(batas)} pukul 23.59 {catalog.tz_label} ({sisa_hari(hari_lagi)}).",
            f"Sampai {tanggal(today)} kami belum menerima data yang valid dari {pd.singkatan} "
            "untuk laporan berikut:",
            [_status_line(r, feedback) for r in rows],
            f"Cara mengirim: letakkan berkas Excel sesuai templat di folder {tahun}/{pd.kode_pd}/ "
            "pada drive bersama. Setiap berkas diperiksa otomatis; umpan baliknya ditulis di folder "
            f"{tahun}/{pd.kode_pd}/umpan-balik/.",
            "Berkas yang masuk setelah batas tetap diterima, tetapi dicatat terlambat dalam laporan.",
            "Bila data sudah dikirim dalam beberapa jam terakhir, abaikan pesan ini. "
            "Pertanyaan dapat dikirim dengan membalas e-mail ini.",
            f"Salam,\nTim Laporan Kinerja {catalog.nama}",
        ],
    )


# --- to the operators ---------------------------------------------------------------------------
def digest(
    catalog: Catalog,
    status_rows: Sequence[ReportStatus],
    today: date,
    tahun: int,
    reminders: Sequence[Reminder],
    no_email: Sequence[str],
) -> Wording:
    """The operators' daily summary: counts per report and status, who is still outstanding,
    who was reminded today, and the agencies `no_email` that cannot be reminded."""
    batas = catalog.kalender_tahun(tahun).batas_pengumpulan
    per = per_report(status_rows)
    done = sum(1 for r in status_rows if r.status in (VALID, TERLAMBAT))
    counts = [
        f"{lap}: wajib {sum(len(v) for v in st.values())}, valid {len(st.get(VALID, []))}, "
        f"terlambat {len(st.get(TERLAMBAT, []))}, ditolak {len(st.get(DITOLAK, []))}, "
        f"belum masuk {len(st.get(BELUM_MASUK, []))}"
        for lap, st in per.items()
    ]
    open_items = [
        f"{lap} {status}: {pd_names(catalog, st[status])}"
        for lap, st in per.items()
        for status in OUTSTANDING
        if st.get(status)
    ]
    paragraphs: list[str | Sequence[str]] = [
        f"Ringkasan pengumpulan data Laporan Kinerja {catalog.nama} tahun pelaporan {tahun}, "
        f"per {tanggal(today)}. Batas pengumpulan: {tanggal(batas)} ({sisa_hari((batas - today).days)}).",
        f"{done} dari {len(status_rows)} laporan wajib sudah diterima valid (termasuk yang terlambat).",
        counts or ["tidak ada laporan wajib"],
    ]
    if open_items:
        paragraphs += ["Belum lengkap:", open_items]
    else:
        paragraphs.append("Semua laporan wajib sudah diterima valid.")
    if reminders:
        paragraphs += [
            f"Pengingat yang dijadwalkan hari ini ({len(reminders)} PD):",
            [f"{hari_label(r.hari_lagi)} {pd_names(catalog, [r.kode_pd])}: {r.to[0]}" for r in reminders],
        ]
    if no_email:
        paragraphs += [
            "PD berikut tidak dapat diingatkan karena tidak ada alamat e-mail di data referensi "
            "(perangkat_daerah.csv):",
            [pd_names(catalog, [k]) for k in no_email],
        ]
    paragraphs.append("Pesan otomatis dari pipeline Laporan Kinerja.")
    subject = (
        f"Ringkasan harian {tanggal(today)}: {done}/{len(status_rows)} laporan {tahun} valid, "
        f"batas {sisa_hari((batas - today).days)}"
    )
    return worded(subject, paragraphs)


def deadline(catalog: Catalog, status_rows: Sequence[ReportStatus], tahun: int) -> Wording:
    """Per report, the PDs whose data is missing or still rejected when the deadline has passed."""
    batas = catalog.kalender_tahun(tahun).batas_pengumpulan
    missing = {r.kode_pd for r in status_rows if r.status in OUTSTANDING}
    lines = []
    for lap, st in per_report(status_rows).items():
        if not any(st.get(s) for s in OUTSTANDING):
            lines.append(f"{lap}: lengkap.")
            continue
        parts = [
            f"{status} ({len(st[status])}): {pd_names(catalog, st[status])}"
            for status in OUTSTANDING
            if st.get(status)
        ]
        lines.append(f"{lap}: " + "; ".join(parts))
    paragraphs: list[str | Sequence[str]] = [
        f"Batas pengumpulan data LKPJ, LPPD dan SPM tahun pelaporan {tahun} ({tanggal(batas)} "
        f"pukul 23.59 {catalog.tz_label}) telah berakhir.",
    ]
    if missing:
        paragraphs += [
            f"{len(missing)} PD belum mengirim data yang valid untuk setidaknya satu laporan:",
            lines,
            "Berkas yang masuk setelah batas tetap diproses dan dicatat terlambat dalam laporan.",
        ]
        subject = f"Batas pengumpulan {tahun} berakhir: {len(missing)} PD belum lengkap"
    else:
        paragraphs.append("Semua PD sudah mengirim data yang valid untuk setiap laporan wajib.")
        subject = f"Batas pengumpulan {tahun} berakhir: semua PD lengkap"
    paragraphs.append("Pesan otomatis dari pipeline Laporan Kinerja.")
    return worded(subject, paragraphs)


# --- on a file version --------------------------------------------------------------------------
def _finding(i: Issue) -> str:
    where = ", ".join(
        p
        for p in (
            f"lembar {i.sheet}" if i.sheet else "",
            f"baris {i.row}" if i.row else "",
            f"kolom {i.column}" if i.column else "",
            f"nilai '{i.value}'" if i.value is not None else "",
        )
        if p
    )
    kind = "KESALAHAN" if i.severity == "error" else "Peringatan"
    return f"{kind}{' (' + where + ')' if where else ''}: {i.message} {i.fix}".strip()


def file_mail(
    ctx: FeedbackContext,
    issues: Sequence[Issue],
    feedback: str | None,
    attached: bool,
    name: str,
    singkatan: str,
) -> Wording:
    """The mail on one file version `name` of `ctx`: its verdict, facts and findings."""
    status, summary = verdict(issues)
    lines: list[str | Sequence[str]] = [
        f"Yth. pengelola data {ctx.nama_pd} ({ctx.kode_pd})",
        f"Berkas Anda sudah diperiksa: {status}. {summary}",
        [f"{k}: {v}" for k, v in facts(ctx)],
    ]
    ordered = sorted(issues, key=lambda i: (i.severity != "error", i.sheet or "", i.row or 0))
    if ordered:
        lines += ["Catatan pemeriksaan:", [_finding(i) for i in ordered[:MAX_LISTED]]]
        if len(ordered) > MAX_LISTED:
            lines.append(f"... dan {len(ordered) - MAX_LISTED} catatan lain (lihat lampiran / umpan balik).")
    if attached:
        lines.append(
            "Terlampir salinan buku kerja Anda dengan sel bermasalah diberi warna dan komentar; "
            "lembar pertama 'Hasil Pemeriksaan' memuat semua catatan dengan tautan ke selnya."
        )
    if feedback:
        lines.append(f"Umpan balik lengkap juga ada di drive bersama: {feedback}")
    lines += [
        "Pesan ini dikirim otomatis untuk setiap berkas yang diproses. Pertanyaan dapat dikirim "
        "dengan membalas e-mail ini.",
        "Salam,\nTim Laporan Kinerja",
    ]
    what = f"{ctx.laporan or 'Berkas'} {ctx.tahun} {singkatan}: {shown(name, 60)} (versi {ctx.version})"
    return worded(f"[{status}] {what}", lines)


def _one_line(text: str) -> str:
    """A name typed by anyone, fit for a header: no line breaks or other control characters."""
    return re.sub(r"[\x00-\x1f\x7f]", "\ufffd", text)


def refused_mail(
    catalog: Catalog,
    pd: PerangkatDaerah,
    tahun: int,
    name: str,
    received: datetime,
    reason: str,
    fix: str,
    feedback: str | None,
) -> Wording:
    """The mail on one file of the agency's folder the collection does not take (`name` as seen
    from that folder): why, and how to get it processed."""
    when = received.astimezone(catalog.tz).strftime("%d-%m-%Y %H:%M ") + catalog.tz_label
    lines: list[str | Sequence[str]] = [
        f"Yth. pengelola data {pd.nama} ({pd.kode_pd})",
        f"Berkas Anda tidak diproses: DITOLAK. Masalahnya: {reason}. Datanya belum diterima.",
        [f"Berkas: {name}", f"Tahun pelaporan: {tahun}", f"Masuk: {when}"],
        f"Cara memperbaiki: {fix}",
    ]
    if feedback:
        lines.append(f"Daftar berkas yang tidak diproses juga ada di drive bersama: {feedback}")
    lines += [
        "Pesan ini dikirim otomatis, sekali untuk setiap berkas yang tidak dapat diproses. "
        "Pertanyaan dapat dikirim dengan membalas e-mail ini.",
        "Salam,\nTim Laporan Kinerja",
    ]
    subject = f"[DITOLAK] Berkas {tahun} {pd.singkatan} tidak diproses: {shown(_one_line(name), 60)}"
    return worded(subject, lines)


def reviu_dikembalikan(
    catalog: Catalog, pd: PerangkatDaerah, tahun: int, catatan: str, feedback: str | None
) -> Wording:
    """The mail to a PD whose LPPD data the Inspektorat returned: the note and what to do."""
    batas = catalog.kalender_tahun(tahun).batas_reviu_inspektorat
    lines: list[str | Sequence[str]] = [
        f"Yth. pengelola data {pd.nama} ({pd.kode_pd})",
        f"Inspektorat {catalog.nama} telah mereviu data LPPD tahun {tahun}: data PD Anda DIKEMBALIKAN "
        "untuk diperbaiki.",
        ["Catatan Inspektorat: " + (catatan or "tanpa catatan")],
        "Perbaiki data sesuai catatan, lalu simpan berkas LPPD yang sudah diperbaiki di folder PD Anda "
        "pada shared drive; berkas baru diperiksa ulang seperti biasa"
        + (f", sebelum {tanggal(batas)} (batas reviu Inspektorat)." if batas else "."),
    ]
    if feedback:
        lines.append(f"Catatan ini juga ada di drive bersama: {feedback}")
    lines += ["Pertanyaan dapat dikirim dengan membalas e-mail ini.", "Salam,\nTim Laporan Kinerja"]
    return worded(f"[DIKEMBALIKAN] LPPD {tahun} {pd.singkatan}: catatan reviu Inspektorat", lines)
