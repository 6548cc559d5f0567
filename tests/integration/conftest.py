"""Fixtures for the tests under tests/integration/; the shared ones, the CKAN portal included
(tests/dags uses it too, and one portal serves the whole session), are in tests/conftest.py."""
