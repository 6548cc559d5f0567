"""Fixtures for every test under tests/integration/ (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

from .ckan_server import ckan_fault_proxy, ckan_server

__all__ = ["ckan_fault_proxy", "ckan_server"]
