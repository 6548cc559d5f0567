"""indicator direction on LKPJ rows

Revision ID: 0006
Revises: 0008
Create Date: 2026-11-29 19:00:00.000000

`fact_lkpj_kinerja.arah` (positif | negatif): the LKPJ template's new column. Rows loaded before
it existed were all computed as positive indicators, so they get 'positif'.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fact_lkpj_kinerja", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arah", sa.String(length=60), nullable=False, server_default="positif"))


def downgrade() -> None:
    with op.batch_alter_table("fact_lkpj_kinerja", schema=None) as batch_op:
        batch_op.drop_column("arah")
