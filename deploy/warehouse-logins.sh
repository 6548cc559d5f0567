#!/bin/bash
# First start of the warehouse PostgreSQL (docker-entrypoint-initdb.d): the group roles of
# migration 0005 and the two logins of the Airflow connections. The owner (POSTGRES_USER) runs
# the migrations (airflow-init); kinerja_etl writes rows, kinerja_laporan only reads.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v loader="$WAREHOUSE_LOADER_PASSWORD" -v reader="$WAREHOUSE_READER_PASSWORD" <<'SQL'
CREATE ROLE kinerja_loader NOLOGIN;
CREATE ROLE kinerja_reader NOLOGIN;
CREATE ROLE kinerja_etl LOGIN PASSWORD :'loader' IN ROLE kinerja_loader;
CREATE ROLE kinerja_laporan LOGIN PASSWORD :'reader' IN ROLE kinerja_reader;
SQL
