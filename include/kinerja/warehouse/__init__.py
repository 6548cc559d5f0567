"""The warehouse: tables, migrations and transactional loads (SQLite or PostgreSQL)."""
