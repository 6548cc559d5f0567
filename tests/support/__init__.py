"""Helpers of the tests that need servers: what starts, fakes the failure of, or drives a real
server or process (PostgreSQL, Samba/SFTP, CKAN, an Airflow API server, the rehearsal cluster).

Only tests outside `tests/unit` use this package; `tests/unit/conftest.py` fails a unit test that
imports it, asks for one of its fixtures (`fixtures.SERVER_FIXTURES`) or opens a network connection.
"""
