"""least-privilege roles

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:10:00.000000

On PostgreSQL: two NOLOGIN group roles, `kinerja_loader` (reads and writes the warehouse's
rows: the collection, reminders, review records) and `kinerja_reader` (reads only: reports,
publication, the status page). The deployment makes its login users members of one of them
(see the README); the schema itself stays owned by the user that runs the migrations.
Roles are cluster-wide, so they are created only when missing (several warehouses in one
cluster, migrating at the same time, are fine) and never dropped by a downgrade. SQLite has no
roles: nothing to do there.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LOADER = "kinerja_loader"
READER = "kinerja_reader"

_CREATE_ROLE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{role}') THEN
        CREATE ROLE {role} NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another warehouse of this cluster created it at the same moment
END
$$
"""

_GRANTS = f"""
DO $$
DECLARE
    s text := current_schema();
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {LOADER}, {READER}', current_database());
    -- Only the owner creates objects: PostgreSQL 15 already says so, older ones do not.
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', s);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO {LOADER}, {READER}', s);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {LOADER}', s);
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO {LOADER}', s);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO {READER}', s);
    -- Tables and sequences later migrations create (as this same owner) are covered too.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
                   'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {LOADER}', s);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
                   'GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {LOADER}', s);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO {READER}', s);
END
$$
"""

_REVOKES = f"""
DO $$
DECLARE
    s text := current_schema();
BEGIN
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM {LOADER}, {READER}', s);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM {LOADER}', s);
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM {LOADER}, {READER}', s);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM {LOADER}', s);
    EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM {LOADER}, {READER}', s);
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM {LOADER}, {READER}', current_database());
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for role in (LOADER, READER):
        op.execute(_CREATE_ROLE.format(role=role))
    op.execute(_GRANTS)


def downgrade() -> None:
    # The roles stay: other warehouses of the cluster may use them. CREATE on the schema is not
    # given back to PUBLIC either (that was a hole, not a feature).
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_REVOKES)
