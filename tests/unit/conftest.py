"""The unit tier (`make test-unit`): no servers. A test under tests/unit fails, with the reason,
when it imports the server helpers (tests/support), asks for a server fixture (PostgreSQL, CKAN),
or opens a network connection (TCP/UDP, or a PostgreSQL connection through libpq) while it runs.
Such a test belongs in tests/integration (or tests/dags), which `make test` runs as well."""

from __future__ import annotations

import ast
import socket
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.fixtures import SERVER_FIXTURES

UNIT = Path(__file__).resolve().parent
MOVE = "unit tests run without servers (make test-unit); move it to tests/integration"


@cache
def _support_imports(path: Path) -> tuple[str, ...]:
    """The imports of tests/support in a test file (absolute or relative)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [module] if node.level == 0 else ["tests." + module.lstrip(".")]
            if node.level and not module:  # `from .. import support`
                names = [f"tests.{alias.name}" for alias in node.names]
        found += [n for n in names if n == "tests.support" or n.startswith("tests.support.")]
    return tuple(found)


def _is_unit(item: pytest.Item) -> bool:
    return UNIT in Path(str(item.path)).resolve().parents


def _refuse_network(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        raise OSError(f"network connection to {address!r} refused: {MOVE}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Setup, call and teardown of a unit test (its session fixtures included) without network."""
    if not _is_unit(item):
        return (yield)
    original = socket.socket.connect, socket.socket.connect_ex, psycopg.connect, psycopg.Connection.connect

    def connect(sock: socket.socket, address: Any) -> None:
        _refuse_network(sock, address)
        original[0](sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        _refuse_network(sock, address)
        return original[1](sock, address)

    def pg_connect(*args: Any, **kwargs: Any) -> Any:
        raise psycopg.OperationalError(f"PostgreSQL connection refused: {MOVE}")

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex  # type: ignore[method-assign]
    psycopg.connect = psycopg.Connection.connect = pg_connect  # type: ignore[method-assign, assignment]
    try:
        return (yield)
    finally:
        socket.socket.connect, socket.socket.connect_ex = original[0], original[1]  # type: ignore[method-assign]
        psycopg.connect, psycopg.Connection.connect = original[2], original[3]  # type: ignore[method-assign]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not _is_unit(item):
        return
    imports = _support_imports(Path(str(item.path)))
    if imports:
        pytest.fail(f"{item.path.name} imports {', '.join(imports)}: {MOVE}", pytrace=False)
    servers = sorted(SERVER_FIXTURES & set(getattr(item, "fixturenames", ())))
    if servers:
        pytest.fail(f"{item.nodeid} asks for {', '.join(servers)}: {MOVE}", pytrace=False)
