"""The throwaway PostgreSQL server of tests/pgserver.py starts, serves Thai text and goes away."""

from __future__ import annotations

import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests import pgserver

pytestmark = pytest.mark.postgres


def _start() -> pgserver.PostgresServer:
    server = pgserver.start_postgres()
    if server is None:
        message = "PostgreSQL binaries not found (install the Debian package postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — required in CI")
        pytest.skip(message)
    return server


def _own_server(monkeypatch: pytest.MonkeyPatch) -> pgserver.PostgresServer:
    monkeypatch.delenv(pgserver.ENV_URL, raising=False)
    return _start()


def _gone(pid: int, timeout: float = 10.0) -> bool:
    """True once the process no longer exists or is only a zombie waiting for its reaper."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text():
                return True
        except FileNotFoundError:
            return True
        except OSError:  # no /proc: ask the kernel
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
        time.sleep(0.05)
    return False


def test_thai_round_trip_in_two_fresh_databases() -> None:
    server = _start()
    try:
        url_a, url_b = server.create_database("pgserver_a"), server.create_database("pgserver_b")
        assert url_a.startswith("postgresql+psycopg://") and url_a.endswith("/pgserver_a")
        engine_a, engine_b = create_engine(url_a), create_engine(url_b)
        with engine_a.begin() as conn:
            conn.execute(text("CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL)"))
            conn.execute(text("INSERT INTO people (name) VALUES (:name)"), {"name": "ประชา"})
        with engine_a.connect() as conn:
            assert conn.execute(text("SELECT name FROM people")).scalar_one() == "ประชา"
            assert conn.execute(text("SELECT length(name) FROM people")).scalar_one() == 5
            assert conn.execute(text("SHOW server_encoding")).scalar_one() == "UTF8"
        assert inspect(engine_b).get_table_names() == []  # a separate, empty database
        # Asking again gives a fresh empty database, not the old one.
        assert inspect(create_engine(server.create_database("pgserver_a"))).get_table_names() == []
        for engine in (engine_a, engine_b):
            engine.dispose()
    finally:
        server.stop()
    if server.pid is not None:  # we started it: it and its files must be gone
        assert _gone(server.pid), f"postmaster {server.pid} still running"
        assert server.base_dir is not None and not server.base_dir.exists()
    server.stop()  # a second stop is harmless


def test_two_servers_start_at_once_on_different_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pgserver.ENV_URL, raising=False)
    with ThreadPoolExecutor(2) as pool:
        servers = list(pool.map(lambda _: _start(), range(2)))
    try:
        assert servers[0].url != servers[1].url and servers[0].base_dir != servers[1].base_dir
        for server in servers:
            with create_engine(server.url).connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        for server in servers:
            server.stop()


def test_a_taken_port_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1]])
        real_free_port = pgserver._free_port
        monkeypatch.setattr(pgserver, "_free_port", lambda: next(ports, None) or real_free_port())
        server = _own_server(monkeypatch)
        try:
            assert f":{taken.getsockname()[1]}/" not in server.url
            assert "Address already in use" in (server.base_dir / "postgres.log").read_text()
        finally:
            server.stop()


def test_an_external_server_is_used_not_started(monkeypatch: pytest.MonkeyPatch) -> None:
    own = _own_server(monkeypatch)
    try:
        monkeypatch.setenv(pgserver.ENV_URL, own.url.replace("+psycopg", ""))
        external = pgserver.start_postgres()
        assert external is not None and external.pid is None and external.url == own.url
        with create_engine(external.create_database("pgserver_ext")).connect() as conn:
            assert conn.execute(text("SELECT current_database()")).scalar_one() == "pgserver_ext"
        external.stop()  # must not stop the server it did not start
        with create_engine(own.url).connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        own.stop()
