"""quarterly SPM (e-SPM) submissions: a quarter on submissions, and their fact tables

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 22:45:00

`submission.triwulan` (1-4 for an SPMTW file, empty for the yearly reports) and
`submission_current.triwulan` in its primary key (0 for a yearly report), so each quarter's
latest loaded version is current on its own. `fact_spmtw_penerima` / `fact_spmtw_penerapan`: the
SPMTW template's sheets, one row per quarter (`models._fact_table`). On PostgreSQL the roles of
0005 get their rights on the new tables through its default privileges.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _head() -> tuple[sa.Column, ...]:
    return (
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("triwulan", sa.SmallInteger(), nullable=False, comment="1-4"),
        sa.Column("kode_pd", sa.String(length=40), nullable=False),
        sa.Column("baris", sa.Integer(), nullable=False, comment="Excel row it came from"),
    )


def _fact(name: str, key: tuple[str, ...], *columns: sa.Column) -> None:
    op.create_table(
        name,
        *_head(),
        *columns,
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submission.id"], name=op.f(f"fk_{name}_submission_id_submission")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("tahun", "triwulan", "kode_pd", *key, name=f"uq_{name}_kunci"),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_submission_id"), ["submission_id"], unique=False)


def upgrade() -> None:
    _fact(
        "fact_spmtw_penerima",
        ("kode_jpd", "kode_wilayah"),
        sa.Column("kode_jpd", sa.String(length=60), nullable=False),
        sa.Column("kode_wilayah", sa.String(length=60), nullable=False),
        sa.Column("harus_dilayani", sa.BigInteger(), nullable=False),
        sa.Column("terlayani", sa.BigInteger(), nullable=False),
        sa.Column("keterangan", sa.Text(), nullable=True),
    )
    _fact(
        "fact_spmtw_penerapan",
        ("kode_jpd",),
        sa.Column("kode_jpd", sa.String(length=60), nullable=False),
        sa.Column("alokasi_anggaran", sa.Float(), nullable=False),
        sa.Column("realisasi_anggaran", sa.Float(), nullable=False),
        sa.Column("tahap_pengumpulan_data", sa.String(length=60), nullable=False),
        sa.Column("tahap_penghitungan_kebutuhan", sa.String(length=60), nullable=False),
        sa.Column("tahap_penyusunan_rencana", sa.String(length=60), nullable=False),
        sa.Column("tahap_pelaksanaan", sa.String(length=60), nullable=False),
        sa.Column("permasalahan", sa.Text(), nullable=True),
        sa.Column("solusi", sa.Text(), nullable=True),
        sa.Column("rencana_aksi", sa.Text(), nullable=True),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "triwulan",
                sa.SmallInteger(),
                nullable=True,
                comment="1-4 for a quarterly report (SPMTW); empty for a yearly one",
            )
        )
    with op.batch_alter_table("submission_current", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "triwulan",
                sa.SmallInteger(),
                server_default="0",
                nullable=False,
                comment="0: a yearly report",
            )
        )
        batch_op.drop_constraint("pk_submission_current", type_="primary")
        batch_op.create_primary_key("pk_submission_current", ["tahun", "kode_pd", "laporan", "triwulan"])


def downgrade() -> None:
    with op.batch_alter_table("submission_current", schema=None) as batch_op:
        batch_op.drop_constraint("pk_submission_current", type_="primary")
        batch_op.create_primary_key("pk_submission_current", ["tahun", "kode_pd", "laporan"])
        batch_op.drop_column("triwulan")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("triwulan")
    for name in ("fact_spmtw_penerapan", "fact_spmtw_penerima"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_submission_id"))
        op.drop_table(name)
