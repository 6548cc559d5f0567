"""indicator direction on LKPJ rows; macro indicators (Bappeda) and APBD totals (BPKAD)

Revision ID: 0006
Revises: 0009
Create Date: 2026-11-29 19:00:00.000000

`fact_lkpj_kinerja.arah` (positif | negatif): the LKPJ template's new column. Rows loaded before
it existed were all computed as positive indicators, so they get 'positif'.
`fact_spm_penerapan` (the SPM template's new sheet: budget, the four stages, problems and action
plan per JPD), `fact_makro_indikator` and `fact_apbd_akun` (the MAKRO and APBD templates): one
table per template sheet, as `models._fact_table` derives them. `reviu_inspektorat`: the
Inspektorat's reviu of the LPPD data per PD (kinerja.reviu). On PostgreSQL the roles of 0005 get their
rights on the new tables through its default privileges.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0008"
branch_labels = None
depends_on = None


def _fact(name: str, key: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("kode_pd", sa.String(length=40), nullable=False),
        sa.Column("baris", sa.Integer(), nullable=False, comment="Excel row it came from"),
        *columns,
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submission.id"], name=op.f(f"fk_{name}_submission_id_submission")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("tahun", "kode_pd", key, name=op.f(f"uq_{name}_tahun_kode_pd_{key}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_submission_id"), ["submission_id"], unique=False)


def upgrade() -> None:
    with op.batch_alter_table("fact_lkpj_kinerja", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arah", sa.String(length=60), nullable=False, server_default="positif"))
    _fact(
        "fact_makro_indikator",
        "kode_indikator",
        sa.Column("kode_indikator", sa.String(length=60), nullable=False),
        sa.Column("nilai", sa.Float(), nullable=False),
        sa.Column("tahun_data", sa.BigInteger(), nullable=False),
        sa.Column("sumber", sa.Text(), nullable=False),
        sa.Column("tautan", sa.Text(), nullable=False),
        sa.Column("keterangan", sa.Text(), nullable=True),
    )
    _fact(
        "fact_spm_penerapan",
        "kode_jpd",
        sa.Column("kode_jpd", sa.String(length=60), nullable=False),
        sa.Column("alokasi_anggaran", sa.Float(), nullable=False),
        sa.Column("realisasi_anggaran", sa.Float(), nullable=False),
        *(
            sa.Column(f"tahap_{t}", sa.String(length=60), nullable=False)
            for t in ("pengumpulan_data", "penghitungan_kebutuhan", "penyusunan_rencana", "pelaksanaan")
        ),
        sa.Column("permasalahan", sa.Text(), nullable=True),
        sa.Column("solusi", sa.Text(), nullable=True),
        sa.Column("rencana_aksi", sa.Text(), nullable=True),
    )
    _fact(
        "fact_apbd_akun",
        "kode_akun",
        sa.Column("kode_akun", sa.String(length=60), nullable=False),
        sa.Column("anggaran", sa.Float(), nullable=False),
        sa.Column("realisasi", sa.Float(), nullable=False),
        sa.Column("keterangan", sa.Text(), nullable=True),
    )

    op.create_table(
        "reviu_inspektorat",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("kode_pd", sa.String(length=40), nullable=False),
        sa.Column("keputusan", sa.String(length=20), nullable=False, comment="disetujui or dikembalikan"),
        sa.Column("catatan", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(length=200), nullable=True),
        sa.Column("diputuskan_pada", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "feedback_path",
            sa.String(length=1000),
            nullable=True,
            comment="the page written to a returned PD's folder",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviu_inspektorat")),
        sa.UniqueConstraint("run_id", "kode_pd", name=op.f("uq_reviu_inspektorat_run_id_kode_pd")),
        comment="The Inspektorat's reviu of the LPPD data: one row per PD owing the LPPD and review run",
    )
    with op.batch_alter_table("reviu_inspektorat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviu_inspektorat_tahun"), ["tahun"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reviu_inspektorat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviu_inspektorat_tahun"))
    op.drop_table("reviu_inspektorat")
    for name in ("fact_apbd_akun", "fact_spm_penerapan", "fact_makro_indikator"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_submission_id"))
        op.drop_table(name)
    with op.batch_alter_table("fact_lkpj_kinerja", schema=None) as batch_op:
        batch_op.drop_column("arah")
