"""files refused on the drive: when a listing stopped showing them (moved, fixed or deleted)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 23:30:00

`drive_refused.gone_at`: empty while the drive's listing shows the file; set by the first
collection whose listing no longer does, emptied again if it comes back. The board shows only
what is on the drive now. Existing rows start as listed; the next collection settles them. One
column added in the migration's transaction (`db.migrate`); alembic's version table makes a
second run a no-op.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drive_refused", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "gone_at",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="when a listing of the drive first no longer showed it; empty: on the drive now",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("drive_refused", schema=None) as batch_op:
        batch_op.drop_column("gone_at")
