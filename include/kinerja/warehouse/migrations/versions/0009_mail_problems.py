"""per-file feedback mail: who it went to and what the mail server refused

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-29 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification_sent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recipients", sa.Text(), nullable=True, comment="the addresses it was sent to")
        )
        batch_op.add_column(
            sa.Column(
                "problem",
                sa.Text(),
                nullable=True,
                comment="why it did not reach someone (address refused or malformed); not retried",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("notification_sent", schema=None) as batch_op:
        batch_op.drop_column("problem")
        batch_op.drop_column("recipients")
