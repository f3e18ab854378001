"""Registries as real processes: `pracha registry serve` (uvicorn) on loopback, spoken to over HTTP with
the mediator's key; `pracha serve`'s launcher starting and stopping all five; the portal's demo seed
and the registries agreeing on who the citizens are."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select

from pracha.config import Settings
from pracha.db import make_engine, make_sessionmaker
from pracha.demo import seed_demo
from pracha.exchange.vocabulary import registry_url
from pracha.identity.models import CITIZEN, User
from pracha.migrate import upgrade
from pracha.registries import NAMES, REGISTRIES
from pracha.registries.base import create_registry_app
from pracha.registries.launcher import start_registries
from pracha.services.catalog import Catalog
from tests.pgserver import PostgresServer
from tests.registries.helpers import (
    SOMCHAI_ID,
    SOMYING_ID,
    UNKNOWN_ID,
    free_ports,
    make_registry_settings,
    mediator_key,
    signed_headers,
    verify_answer,
    world,
)
from tests.servers import STARTUP_SECONDS, STOP_SECONDS, stop_process


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]


def serve(name: str, settings: Settings, log: Path, database: str | None = None) -> Served:
    port = free_ports(1)
    command = [sys.executable, "-m", "pracha.cli", "registry", "serve", name, "--port", str(port)]
    env = os.environ | {"PRACHA_VAR_DIR": str(settings.var_dir), "PYTHAINLP_OFFLINE": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(command + (["--database", database] if database else []), env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"registry {name} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return Served(url, process)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_process(process)
    pytest.fail(f"registry {name} did not start:\n{log.read_text(errors='replace')}")


def stop(served: Served) -> None:
    stop_process(served.process)


@pytest.fixture(scope="module")
def shared_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_registry_settings(tmp_path_factory.mktemp("registries") / "var")


@pytest.fixture(scope="module")
def civil(shared_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = serve("civil", shared_settings, tmp_path_factory.mktemp("logs") / "civil.log")
    yield served
    stop(served)


@pytest.fixture(scope="module")
def welfare(shared_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = serve("welfare", shared_settings, tmp_path_factory.mktemp("logs") / "welfare.log")
    yield served
    stop(served)


def call(settings: Settings, served: Served, name: str, path: str, **sign: Any) -> httpx.Response:
    headers = signed_headers(served.url + path, mediator_key(settings), **sign)
    response = httpx.get(served.url + path, headers=headers, timeout=10)
    assert verify_answer(settings, name, response, headers)
    return response


def test_civil_over_http(shared_settings: Settings, civil: Served) -> None:
    somchai = call(shared_settings, civil, "civil", f"/persons/{SOMCHAI_ID}")
    assert somchai.status_code == 200
    assert {k: somchai.json()[k] for k in ("first_name_th", "last_name_th", "birth_date")} == \
        {"first_name_th": "สมชาย", "last_name_th": "ใจดี", "birth_date": "1955-03-14"}
    somying = call(shared_settings, civil, "civil", f"/persons/{SOMYING_ID}/address")
    assert somying.json()["tambon"] == "ช้างเผือก"
    unknown = call(shared_settings, civil, "civil", f"/persons/{UNKNOWN_ID}")
    assert (unknown.status_code, unknown.json()) == (404, {"error": "not_found"})


def test_welfare_over_http(shared_settings: Settings, welfare: Served) -> None:
    somchai = call(shared_settings, welfare, "welfare", f"/persons/{SOMCHAI_ID}/allowances")
    assert somchai.json() == {"allowances": [], "state_pension": False, "in_state_care": False}
    pensioner = sorted(world().state_pension)[0]
    assert call(shared_settings, welfare, "welfare", f"/persons/{pensioner}/allowances").json()["state_pension"]


@pytest.mark.parametrize("case", ["unsigned", "forged", "stale", "tampered"])
def test_refused_over_http(shared_settings: Settings, civil: Served, welfare: Served, case: str) -> None:
    for name, served, path in (("civil", civil, f"/persons/{SOMCHAI_ID}"),
                               ("welfare", welfare, f"/persons/{SOMCHAI_ID}/allowances")):
        url = served.url + path
        headers = {"unsigned": {},
                   "forged": signed_headers(url, Ed25519PrivateKey.generate()),
                   "stale": signed_headers(url, mediator_key(shared_settings), created=int(time.time()) - 301),
                   "tampered": signed_headers(url, mediator_key(shared_settings)) | {"X-Road-Id": "other"}}[case]
        response = httpx.get(url, headers=headers, timeout=10)
        assert (response.status_code, response.json()["error"]) == (401, "unauthorized")
        assert verify_answer(shared_settings, name, response, headers or None)


@pytest.mark.postgres
def test_land_on_postgres_over_http(tmp_path: Path, pg_server: PostgresServer) -> None:
    settings = make_registry_settings(tmp_path / "var")
    database = pg_server.create_database(f"land_{os.getpid()}_{int(time.time() * 1000) % 10**8}")
    served = serve("land", settings, tmp_path / "land.log", database=database)
    try:
        parcels = call(settings, served, "land", f"/owners/{SOMCHAI_ID}/parcels").json()["parcels"]
        assert [(p["deed_no"], p["tambon"]) for p in parcels] == [("12345", "ศรีภูมิ"), ("884", "สันทรายน้อย")]
    finally:
        stop(served)
    assert not (tmp_path / "var" / "registries" / "land.db").exists()  # it used PostgreSQL, not the default


def test_pracha_serve_starts_all_five_and_stops_them_on_sigterm(tmp_path: Path) -> None:
    """`pracha serve` with registry_autostart: the launcher starts the five and the demo bank (and none
    twice); a SIGTERM to the portal stops them too (uvicorn re-raises the signal after its shutdown)."""
    var = tmp_path / "var"
    settings = make_registry_settings(var, registry_base_port=free_ports(5),
                                      bank_url=f"http://127.0.0.1:{free_ports(1)}")
    database_url = f"sqlite:///{tmp_path / 'pracha.db'}"
    upgrade(database_url)
    portal = free_ports(1)
    env = os.environ | {"PRACHA_DATABASE_URL": database_url, "PRACHA_VAR_DIR": str(var),
                        "PRACHA_REGISTRY_BASE_PORT": str(settings.registry_base_port),
                        "PRACHA_REGISTRY_AUTOSTART": "1", "PYTHAINLP_OFFLINE": "1",
                        "PRACHA_BANK_URL": settings.bank_url}
    bank = settings.bank_url
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "pracha.cli", "serve", "--port", str(portal)], env=env,
                                   cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(f"http://127.0.0.1:{portal}") and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(errors="replace")
            time.sleep(0.2)
        for name in NAMES:
            assert httpx.get(registry_url(settings, name) + "/healthz", timeout=5).json()["registry"] == name
        assert sorted(p.name for p in (var / "registries").iterdir() if p.suffix == ".db") == \
            sorted(f"{n}.db" for n in NAMES)
        assert httpx.get(bank + "/healthz", timeout=5).json() == {"status": "ok", "bank": "demo-bank"}
        assert (var / "bank" / "demo-bank.db").exists()
        assert start_registries(settings) == []  # already running: nothing more started
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=STOP_SECONDS)  # the portal stops itself and its registries, unforced
    finally:
        stop_process(process)
    assert not any(_answers(registry_url(settings, name)) for name in NAMES), log.read_text(errors="replace")
    assert not _answers(bank), log.read_text(errors="replace")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_registry_serve_refuses_an_unknown_name() -> None:
    result = subprocess.run([sys.executable, "-m", "pracha.cli", "registry", "serve", "weather"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "civil" in result.stdout


def test_consistent_with_the_portal_demo_seed(tmp_path: Path, catalog: Catalog, sqlite_template: Path) -> None:
    """`pracha seed --demo` and the civil registry (same citizens count and seed) know the same people."""
    shutil.copy(sqlite_template, tmp_path / "portal.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    with make_sessionmaker(engine)() as session:
        seed_demo(session, catalog, citizens=20, seed=2569, upload_dir=tmp_path / "uploads", secret=b"serve-test")
        portal = [(u.national_id, u.first_name, u.last_name, u.birth_date.isoformat() if u.birth_date else None)
                  for u in session.scalars(select(User).where(User.role == CITIZEN).order_by(User.id))]
    engine.dispose()
    settings = make_registry_settings(tmp_path / "var")
    small = create_registry_app(REGISTRIES["civil"], settings, f"sqlite:///{tmp_path / 'small.db'}", citizens=20)
    client = TestClient(small)
    assert len(portal) == 24  # the four fixed people (pracha.demo) and 20 drawn
    for national_id, first, last, born in portal:
        path = f"/persons/{national_id}"
        data = client.get(path, headers=signed_headers("http://testserver" + path, mediator_key(settings))).json()
        assert (data["national_id"], data["first_name_th"], data["last_name_th"], data["birth_date"]) == \
            (national_id, first, last, born)
