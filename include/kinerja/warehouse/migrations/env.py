"""Alembic environment: migrations run on the connection handed in by `kinerja.warehouse.db`."""

from alembic import context
from kinerja.warehouse.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through kinerja.warehouse.db.migrate()")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
