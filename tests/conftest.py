"""Fixtures shared by the whole suite. Storage tests run twice: on SQLite and on a real PostgreSQL
server that tests/pgserver.py starts. Each test gets a fresh database copied from one migrated once."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import pytest
from _pytest.nodeid import coerce_node_id
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.migrate import upgrade
from pracha.services.catalog import Catalog, default_catalog_dir, load_catalog
from pracha.web.app import create_app
from tests.pgserver import PostgresServer, memory_temp_root, start_postgres

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# The tests' files (each test's SQLite copy, the servers' var dirs) and the PostgreSQL clusters live in
# RAM where there is room: on a disk shared with other work, their writes and syncs waited on it.
# pytest's documented PYTEST_DEBUG_TEMPROOT moves tmp_path's root (a developer's own setting wins); only a
# failed test's directory is kept (pyproject.toml), so a passing run leaves nothing in RAM.
MEMORY_ROOT = memory_temp_root()
if MEMORY_ROOT is not None:
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", str(MEMORY_ROOT))
# Skip the interpreter's final garbage collections over a heap of apps, catalogues and indexes: they
# took seconds per test process at exit on a busy machine. The OS frees the memory at once.
atexit.register(gc.freeze)
atexit.register(gc.disable)


# Which tests run on PostgreSQL as well as SQLite. The rule: both engines for everything whose verdict the
# engine can change: SQL, locking, transactions and concurrency, migrations, text search, bad input (the
# engines refuse different values: NUL bytes, out-of-range numbers, over-long text), the ledger, the
# Procrastinate workers, the mediator, and the browser journeys on the demo portal. One engine (SQLite) for
# tests whose verdict is decided in Python beside the database; those below, by node id prefix:
SQLITE_ONLY = (
    # 379 rows: who may call what is each route's access rule (pracha.http.access), checked before the
    # route's own code; the routes' queries run on both engines in their packages' tests
    "tests/web/test_access_matrix.py::test_matrix[",
    # the display settings: a cookie and attributes on <html>, nothing stored
    "tests/web/test_display.py::",
    # the assistant's generative mode against a stand-in model: what is done with the model's answer
    "tests/assistant/test_llm.py::",
)


def _on_sqlite_only(item: pytest.Item) -> bool:
    return item.get_closest_marker("postgres") is not None and item.nodeid.startswith(SQLITE_ONLY)


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make `--dist loadgroup` group again: pytest-xdist 3.8 names a grouped test by setting
    `item._nodeid` (`test…@group`), which pytest 9.2 no longer reads (it keeps the id in `item._id`), so
    every `xdist_group` was silently ignored. Carry the name over. Then leave out the PostgreSQL runs of
    SQLITE_ONLY (reported as deselected)."""
    for item in items:
        renamed = item.__dict__.get("_nodeid")
        if renamed and renamed != item.nodeid:
            item._id = coerce_node_id(renamed)
    left_out = [item for item in items if _on_sqlite_only(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not _on_sqlite_only(item)]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(default_catalog_dir())


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = start_postgres(MEMORY_ROOT)
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed, and CI must test on it (scripts/apt-deps.sh)")
        pytest.skip("PostgreSQL is not installed here")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "pracha.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server: PostgresServer) -> str:
    name = f"template_{WORKER}"
    upgrade(pg_server.create_database(name))
    return name


_counter = iter(range(1, 10**9))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        target = tmp_path / "pracha.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    template: str = request.getfixturevalue("pg_template")
    name = f"test_{WORKER}_{next(_counter)}"
    yield server.create_database(name, template=template)
    server.drop_database(name)  # a small cluster stops (and is deleted) quickly at the end


@pytest.fixture
def make_settings(database_url: str, tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        # One key file per test, whatever var_dir a test gives its apps: they share one database
        values: dict[str, Any] = {
            "database_url": database_url,
            "var_dir": tmp_path / "var",
            "data_key_file": tmp_path / "var" / "data.key",
            "secret_key": "test-secret",
            "catalog_dir": default_catalog_dir(),
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.pracha.db.engine.dispose()


@pytest.fixture
def db(app: FastAPI) -> Iterator[Session]:
    with app.state.pracha.db.sessions() as session:
        yield session


@pytest.fixture
def make_client(app: FastAPI) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**options: Any) -> TestClient:
        options.setdefault("base_url", "http://testserver")
        client = TestClient(app, follow_redirects=False, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
