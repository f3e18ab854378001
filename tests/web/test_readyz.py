"""GET /readyz: 200 when the database (and, once the exchange has providers, every registry) answers;
503 naming the failing part when not, within the timeout. /healthz stays cheap: no database."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange.vocabulary import REGISTRIES
from pracha.http.readiness import Prober
from pracha.services.catalog import Catalog, default_catalog_dir
from pracha.web.app import create_app
from tests.exchange.helpers import seed
from tests.servers import local_http_server
from tests.web.logcapture import Captured, capture_json_logs

CIVIL = f"registry:{REGISTRIES['civil'].subsystem}"


@pytest.fixture
def json_logs() -> Iterator[Captured]:
    with capture_json_logs() as captured:
        yield captured


class _Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        code = 200 if self.path == "/healthz" else 404
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def registry_url() -> Iterator[str]:
    """A registry that is up (answers /healthz)."""
    with local_http_server(_Healthy) as url:
        yield url


@pytest.fixture
def closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def silent_url() -> Iterator[str]:
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


@pytest.fixture
def patient_client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """A client whose /readyz waits long enough for a database on two busy cores (the 2 s default timed out
    there, so the registries were never checked)."""
    app = create_app(make_settings(readyz_timeout_seconds=20.0))
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)  # no lifespan: no workers
    try:
        yield client
    finally:
        client.close()
        app.state.pracha.db.engine.dispose()


def _registries(db: Session, settings: Settings, catalog: Catalog, **urls: str) -> None:
    seed(db, settings, catalog, {name: urls.get(name, urls["default"]) for name in REGISTRIES})


def test_ready_without_the_exchange_checks_the_database_only(patient_client: TestClient) -> None:
    response = patient_client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok"}}


def test_ready_when_every_registry_answers(patient_client: TestClient, db: Session, settings: Settings,
                                           catalog: Catalog, registry_url: str) -> None:
    _registries(db, settings, catalog, default=registry_url)
    body = patient_client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["checks"] == {"database": "ok", **{f"registry:{r.subsystem}": "ok" for r in REGISTRIES.values()}}


def test_a_registry_down_is_503_naming_it(patient_client: TestClient, db: Session, settings: Settings, catalog: Catalog,
                                          registry_url: str, closed_url: str) -> None:
    _registries(db, settings, catalog, default=registry_url, civil=closed_url)
    response = patient_client.get("/readyz", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == [CIVIL] and body["error"] == "not_ready"
    assert body["checks"][CIVIL] == "unavailable" and body["checks"]["database"] == "ok"
    assert body["message"] == "The service is not ready."


def test_a_registry_that_hangs_is_503_within_the_timeout(make_settings: Callable[..., Settings], db: Session,
                                                         catalog: Catalog, registry_url: str, silent_url: str) -> None:
    settings = make_settings(readyz_timeout_seconds=0.5)
    _registries(db, settings, catalog, default=registry_url, civil=silent_url)
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            started = time.monotonic()
            response = client.get("/readyz")
            elapsed = time.monotonic() - started
    finally:
        app.state.pracha.db.engine.dispose()
    assert response.status_code == 503 and response.json()["checks"][CIVIL] == "timeout"
    # the registry never answers: readiness must not wait for it. The bound is loose because on two cores
    # busy with the rest of the suite the other checks alone have taken 5 s (a 3 s bound failed there).
    assert elapsed < 15


def _app_settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(database_url=database_url, var_dir=tmp_path / "var", secret_key="test-secret",
                    catalog_dir=default_catalog_dir(), readyz_timeout_seconds=3.0)


@pytest.mark.parametrize("kind", ["postgres-closed-port", "sqlite-path-is-a-directory"])
def test_an_unreachable_database_is_503_and_healthz_stays_200(tmp_path: Path, closed_url: str, kind: str,
                                                              json_logs: Captured) -> None:
    if kind.startswith("postgres"):
        url = f"postgresql+psycopg://pracha:secret@{closed_url.removeprefix('http://')}/pracha"
    else:
        (tmp_path / "db-dir").mkdir()
        url = f"sqlite:///{tmp_path / 'db-dir'}"
    app = create_app(_app_settings(tmp_path, url))
    try:
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200  # process alive; no database touched
            response = client.get("/readyz", headers={"X-Request-ID": f"probe-{kind}"})
    finally:
        app.state.pracha.db.engine.dispose()
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"] and response.json()["checks"] == {"database": "unavailable"}
    port = closed_url.rsplit(":", 1)[1]
    assert "secret" not in response.text and port not in response.text and "db-dir" not in response.text
    warnings = [line for line in json_logs.json_lines() if line["logger"] == "pracha.http.readiness"]
    assert warnings and all(w["request_id"] == f"probe-{kind}" and w["check"] == "database" for w in warnings)


def test_a_check_still_running_is_busy_not_started_again() -> None:
    release = threading.Event()
    prober = Prober()

    async def probe() -> str:
        return (await prober.run({"slow": release.wait}, timeout=0.05))["slow"].detail

    assert asyncio.run(probe()) == "timeout"
    assert asyncio.run(probe()) == "busy"  # the first is still waiting: no second thread
    release.set()
    deadline = time.monotonic() + 30
    while "slow" in prober._running and time.monotonic() < deadline:
        time.sleep(0.01)  # poll the condition: the first thread has finished
    assert asyncio.run(probe()) == "ok"
