"""files on the drive the collection does not take (bad name, wrong place, sub-folder)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drive_refused",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("drive", sa.String(length=100), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column(
            "path", sa.Text(), nullable=False, comment="as shown to people; undecodable bytes as U+FFFD"
        ),
        sa.Column("path_sha256", sa.String(length=64), nullable=False, comment="of the exact name bytes"),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False, comment="nama, tempat or subfolder"),
        sa.Column(
            "kode_pd",
            sa.String(length=40),
            nullable=True,
            comment="the agency folder it sits in; none directly under the year",
        ),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "feedback_path",
            sa.String(length=1000),
            nullable=True,
            comment="the .html written for the agency; none: operators only",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drive_refused")),
        sa.UniqueConstraint(
            "drive",
            "path_sha256",
            "size",
            "mtime",
            name=op.f("uq_drive_refused_drive_path_sha256_size_mtime"),
        ),
        comment="Files on the drive the collection does not take (bad name, wrong place, sub-folder), "
        "recorded once per path, size and mtime",
    )
    op.create_index(
        op.f("ix_drive_refused_tahun_kode_pd"), "drive_refused", ["tahun", "kode_pd"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_drive_refused_tahun_kode_pd"), table_name="drive_refused")
    op.drop_table("drive_refused")
