"""what the tim ahli reviewed: the staged files' checksums and the headline figures

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:20:00.000000

`report_review` gets a row as soon as the review is requested (decision `menunggu`), with the
SHA-256 of every staged file (`berkas`) and the headline figures (`ringkasan`): the review page
serves only those files of recorded runs, and publishing refuses files that differ from them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_review", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True, comment="review asked for")
        )
        batch_op.add_column(
            sa.Column("berkas", sa.JSON(), nullable=True, comment="staged file (relative path) -> SHA-256")
        )
        batch_op.add_column(
            sa.Column("ringkasan", sa.JSON(), nullable=True, comment="headline figures shown to the reviewer")
        )
        batch_op.alter_column(
            "decision",
            existing_type=sa.String(length=20),
            comment="menunggu, disetujui, ditolak or tanpa_keputusan",
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("report_review", schema=None) as batch_op:
        batch_op.alter_column(
            "decision",
            existing_type=sa.String(length=20),
            comment="disetujui, ditolak or tanpa_keputusan",
            existing_nullable=False,
        )
        batch_op.drop_column("ringkasan")
        batch_op.drop_column("berkas")
        batch_op.drop_column("requested_at")
