"""A database that goes away under a request is a clear 503 with Retry-After, never a 500 (issue 20,
faults: bench/faults.py found 500s during PostgreSQL restarts)."""

from __future__ import annotations

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from tests.factories import create_citizen, sign_in
from tests.pgserver import PostgresServer

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_database_that_refuses_connections_is_503_with_retry_after(
        client: TestClient, db: Session, database_url: str, pg_server: PostgresServer) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    name = sql.Identifier(str(make_url(database_url).database))
    admin_url = make_url(pg_server.url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin_url.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(name))
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                      (make_url(database_url).database,))
        try:
            answer = client.get("/api/v1/me/consents", headers={"X-CSRF-Token": csrf})
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(name))
    assert answer.status_code == 503
    assert answer.json()["error"] == "database_unavailable"
    assert answer.headers["Retry-After"] == "5"
    assert client.get("/api/v1/me/consents").status_code == 200  # back as soon as the database is


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the pool is the same on both engines
def test_a_connection_pool_taken_to_the_last_connection_is_503_not_500(
        app: FastAPI, client: TestClient, db: Session) -> None:
    """Under overload every pooled connection stays taken past the pool's timeout (the Locust run at 400
    users for 10 minutes): a 503 with Retry-After, as for a database away."""
    csrf = sign_in(db, client, create_citizen(db))
    engine = app.state.pracha.db.engine
    original = engine.pool
    engine.pool = QueuePool(original._creator, pool_size=1, max_overflow=0, timeout=0.2)
    try:
        with engine.connect():  # the only connection, held
            answer = client.get("/api/v1/me/consents", headers={"X-CSRF-Token": csrf, "Accept-Language": "en"})
    finally:
        engine.pool.dispose()
        engine.pool = original
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"] == "database_unavailable"
    assert answer.headers["Retry-After"] == "5"
    assert client.get("/api/v1/me/consents").status_code == 200
