"""satu data lineage: published rows → facts → submission versions

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satu_data_sumber",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column(
            "dataset", sa.String(length=200), nullable=False, comment="the published (CKAN) dataset name"
        ),
        sa.Column("kunci", sa.Text(), nullable=False, comment="the row's primary key, JSON"),
        sa.Column(
            "tabel",
            sa.String(length=60),
            nullable=False,
            comment="fact table (or submission) the row aggregates",
        ),
        sa.Column("cocok", sa.Text(), nullable=False, comment="JSON filter on `tabel` selecting those facts"),
        sa.Column("submission_id", sa.Integer(), nullable=True, comment="none: catalogue only"),
        sa.Column("n_baris", sa.Integer(), nullable=False, comment="rows of `tabel` from that submission"),
        sa.Column(
            "run_id",
            sa.String(length=250),
            nullable=False,
            comment="the compile_reports run the tim ahli approved",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submission.id"], name=op.f("fk_satu_data_sumber_submission_id_submission")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satu_data_sumber")),
        comment="Published rows → the facts and submission versions they came from (kinerja lineage)",
    )
    op.create_index(
        op.f("ix_satu_data_sumber_tahun_dataset"), "satu_data_sumber", ["tahun", "dataset"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_satu_data_sumber_tahun_dataset"), table_name="satu_data_sumber")
    op.drop_table("satu_data_sumber")
