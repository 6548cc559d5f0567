"""The unit tier has no servers: tests/unit/conftest.py refuses network connections (PostgreSQL
through libpq included) and finds imports of the server helpers."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg
import pytest

from .conftest import _support_imports


def test_a_unit_test_cannot_reach_a_server_on_loopback() -> None:
    with pytest.raises(OSError, match="make test-unit"):
        socket.create_connection(("127.0.0.1", 5432), timeout=2)


def test_a_unit_test_cannot_open_a_postgresql_connection() -> None:
    with pytest.raises(psycopg.OperationalError, match="make test-unit"):
        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=2")


def test_local_sockets_still_work() -> None:
    left, right = socket.socketpair()  # what event loops and subprocesses use
    with left, right:
        left.sendall(b"x")
        assert right.recv(1) == b"x"


def test_imports_of_the_server_helpers_are_found(tmp_path: Path) -> None:
    source = tmp_path / "test_x.py"
    source.write_text(
        "import os\n"
        "import tests.support.servers\n"
        "from tests.support.ckan_server import CkanServer\n"
        "from ..support import fixtures\n"
        "from .. import support\n"
        "from tests.conftest import SMALL_SET\n"
    )
    assert _support_imports(source) == (
        "tests.support.servers",
        "tests.support.ckan_server",
        "tests.support",  # from ..support import fixtures
        "tests.support",  # from .. import support
    )
