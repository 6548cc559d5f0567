"""Warehouse tables. Fact tables are derived from the template schema, one per sheet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from kinerja.schema.model import TEMPLATES, Sheet, Template

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# --- reference data (replaced from the catalogue at every collection) ---------------------
ref_perangkat_daerah = Table(
    "ref_perangkat_daerah",
    metadata,
    Column("kode_pd", String(40), primary_key=True),
    Column("nama", String(200), nullable=False),
    Column("singkatan", String(60), nullable=False),
    Column("jenis", String(20), nullable=False),
    Column("kode_wilayah", String(20), nullable=False),
    Column("berlaku_dari", Date, nullable=False),
    Column("berlaku_sampai", Date),
    Column("email", String(200)),
)
ref_wilayah = Table(
    "ref_wilayah",
    metadata,
    Column("kode", String(20), primary_key=True),
    Column("nama", String(120), nullable=False),
    Column("tingkat", String(20), nullable=False),
    Column("induk", String(20)),
)
ref_spm_jpd = Table(
    "ref_spm_jpd",
    metadata,
    Column("kode_jpd", String(40), primary_key=True),
    Column("bidang", String(40), nullable=False),
    Column("nama_bidang", String(120), nullable=False),
    Column("nama", String(200), nullable=False),
    Column("urutan", Integer, nullable=False),
    Column("kode_pd", String(40), nullable=False),
)
ref_spm_mutu = Table(
    "ref_spm_mutu",
    metadata,
    Column("kode", String(60), primary_key=True),
    Column("kode_jpd", String(40), nullable=False),
    Column("nama", String(300), nullable=False),
    Column("jenis", String(20), nullable=False),
    Column("satuan", String(60)),
)
ref_lppd_ikk = Table(
    "ref_lppd_ikk",
    metadata,
    Column("kode_ikk", String(40), primary_key=True),
    Column("urusan", String(120), nullable=False),
    Column("nama", Text, nullable=False),
    Column("satuan", String(40)),
    Column("kode_pd", String(40), nullable=False),
)
ref_lkpj_nomenklatur = Table(
    "ref_lkpj_nomenklatur",
    metadata,
    Column("kode", String(40), primary_key=True),
    Column("tingkat", String(20), nullable=False),
    Column("nama", Text, nullable=False),
    Column("induk", String(40)),
    Column("kode_pd", String(40)),
)
REFERENCE_TABLES = (
    ref_perangkat_daerah,
    ref_wilayah,
    ref_spm_jpd,
    ref_spm_mutu,
    ref_lppd_ikk,
    ref_lkpj_nomenklatur,
)

# --- submissions: the manifest of every file version seen, and what became of it ----------
submission = Table(
    "submission",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("drive", String(100), nullable=False),
    Column("path", String(1000), nullable=False),
    Column("version", Integer, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime", Float, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
    Column("tahun", Integer, nullable=False),
    Column("kode_pd", String(40), nullable=False, comment="owner of the folder it came from"),
    Column("laporan", String(10), comment="SPM, LPPD or LKPJ when recognised"),
    Column("triwulan", SmallInteger, comment="1-4 for a quarterly report (SPMTW); empty for a yearly one"),
    Column("versi_template", String(20)),
    Column("status", String(10), nullable=False, comment="loaded or rejected"),
    Column("terlambat", Boolean, nullable=False),
    Column("n_errors", Integer, nullable=False),
    Column("n_warnings", Integer, nullable=False),
    Column("n_rows", Integer, nullable=False),
    Column("archive_key", String(200), nullable=False),
    Column("feedback_path", String(1000), comment="the .html feedback on the agency's drive"),
    UniqueConstraint("drive", "path", "version"),
    Index(None, "tahun", "kode_pd", "laporan"),
)
submission_issue = Table(
    "submission_issue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "submission_id",
        Integer,
        ForeignKey("submission.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("severity", String(10), nullable=False),
    Column("sheet", String(60)),
    Column("row", Integer),
    Column("column", String(120)),
    Column("value", Text),
    Column("message", Text, nullable=False),
    Column("fix", Text),
)
submission_current = Table(
    "submission_current",
    metadata,
    Column("tahun", Integer, primary_key=True),
    Column("kode_pd", String(40), primary_key=True),
    Column("laporan", String(10), primary_key=True),
    Column("triwulan", SmallInteger, primary_key=True, server_default="0", comment="0: a yearly report"),
    Column("submission_id", Integer, ForeignKey("submission.id"), nullable=False),
    comment="The loaded version whose rows are in the fact tables",
)

# --- the tim ahli's decisions on a year's reports ------------------------------------------
report_review = Table(
    "report_review",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tahun", Integer, nullable=False, index=True),
    Column("run_id", String(250), nullable=False, unique=True),
    Column("decision", String(20), nullable=False, comment="menunggu, disetujui, ditolak or tanpa_keputusan"),
    Column("reviewer", String(200)),
    Column("reason", Text),
    Column("decided_at", DateTime(timezone=True)),
    Column("staging", String(1000), nullable=False),
    Column("requested_at", DateTime(timezone=True), comment="review asked for"),
    Column("berkas", JSON, comment="staged file (relative path) -> SHA-256"),
    Column("ringkasan", JSON, comment="headline figures shown to the reviewer"),
)

# --- lineage: which agency files every published Satu Data row was computed from -------------
satu_data_sumber = Table(
    "satu_data_sumber",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tahun", Integer, nullable=False),
    Column("dataset", String(200), nullable=False, comment="the published (CKAN) dataset name"),
    Column("kunci", Text, nullable=False, comment="the row's primary key, JSON"),
    Column("tabel", String(60), nullable=False, comment="fact table (or submission) the row aggregates"),
    Column("cocok", Text, nullable=False, comment="JSON filter on `tabel` selecting those facts"),
    Column("submission_id", Integer, ForeignKey("submission.id"), comment="none: catalogue only"),
    Column("n_baris", Integer, nullable=False, comment="rows of `tabel` from that submission"),
    Column("run_id", String(250), nullable=False, comment="the compile_reports run the tim ahli approved"),
    Index(None, "tahun", "dataset"),
    comment="Published rows → the facts and submission versions they came from (kinerja lineage)",
)

# --- the Inspektorat's reviu of the LPPD data, per PD (kinerja.reviu) ---------------------------
reviu_inspektorat = Table(
    "reviu_inspektorat",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tahun", Integer, nullable=False, index=True),
    Column("run_id", String(250), nullable=False),
    Column("kode_pd", String(40), nullable=False),
    Column("keputusan", String(20), nullable=False, comment="disetujui or dikembalikan"),
    Column("catatan", Text),
    Column("reviewer", String(200)),
    Column("diputuskan_pada", DateTime(timezone=True), nullable=False),
    Column("feedback_path", String(1000), comment="the page written to a returned PD's folder"),
    UniqueConstraint("run_id", "kode_pd"),
    comment="The Inspektorat's reviu of the LPPD data: one row per PD owing the LPPD and review run",
)

# --- e-mail already sent (reminders, digests, deadline alerts): each goes out once ------------
notification_sent = Table(
    "notification_sent",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tahun", Integer, nullable=False),
    Column("kind", String(20), nullable=False, comment="pengingat, ringkasan or batas"),
    Column("kode_pd", String(40), nullable=False, comment="the agency; empty for the operators"),
    Column("key", String(40), nullable=False, comment="e.g. H-7 for a reminder, the date of a digest"),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("recipients", Text, comment="the addresses it was sent to"),
    Column(
        "problem",
        Text,
        comment="why it did not reach someone (address refused or malformed); not retried",
    ),
    UniqueConstraint("tahun", "kind", "kode_pd", "key"),
    comment="Notifications accepted by the mail server, so a rerun never sends them twice",
)

# --- facts: one table per template sheet ---------------------------------------------------
_TYPES: dict[str, type[TypeEngine[Any]]] = {"text": Text, "integer": BigInteger, "number": Float}


def _fact_table(sheet: Sheet, tpl: Template) -> Table:
    columns = [
        Column(c.name, String(60) if c.codes else _TYPES[c.kind](), nullable=not c.required)
        for c in sheet.stored_columns
    ]
    quarterly = tpl.periode == "triwulan"
    period = [Column("triwulan", SmallInteger, nullable=False, comment="1-4")] if quarterly else []
    return Table(
        sheet.table,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("submission_id", Integer, ForeignKey("submission.id"), nullable=False, index=True),
        Column("tahun", Integer, nullable=False),
        *period,
        Column("kode_pd", String(40), nullable=False),
        Column("baris", Integer, nullable=False, comment="Excel row it came from"),
        *columns,
        # A quarterly table's conventional name would pass PostgreSQL's 63 characters.
        UniqueConstraint("tahun", "triwulan", "kode_pd", *sheet.key, name=f"uq_{sheet.table}_kunci")
        if quarterly
        else UniqueConstraint("tahun", "kode_pd", *sheet.key),
    )


FACT_TABLES: dict[str, Table] = {s.table: _fact_table(s, t) for t in TEMPLATES.values() for s in t.sheets}


# --- what the drive holds but the collection does not take (issue #18) ------------------------
drive_refused = Table(
    "drive_refused",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("drive", String(100), nullable=False),
    Column("tahun", Integer, nullable=False),
    Column("path", Text, nullable=False, comment="as shown to people; undecodable bytes as U+FFFD"),
    Column("path_sha256", String(64), nullable=False, comment="of the exact name bytes"),
    Column("size", BigInteger, nullable=False),
    Column("mtime", Float, nullable=False),
    Column("reason", String(20), nullable=False, comment="nama, tempat or subfolder"),
    Column("kode_pd", String(40), comment="the agency folder it sits in; none directly under the year"),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("feedback_path", String(1000), comment="the .html written for the agency; none: operators only"),
    Column(
        "gone_at",
        DateTime(timezone=True),
        comment="when a listing of the drive first no longer showed it; empty: on the drive now",
    ),
    UniqueConstraint("drive", "path_sha256", "size", "mtime"),
    Index(None, "tahun", "kode_pd"),
    comment="Files on the drive the collection does not take (bad name, wrong place, sub-folder), "
    "recorded once per path, size and mtime",
)
