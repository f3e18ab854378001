"""Fixtures for the browser tests: a real `pracha serve` (uvicorn) on a fresh SQLite database, an
officer account made straight in that database, and Debian's Chromium driven by sync Playwright.

The browser is always Debian's /usr/bin/chromium, never one Playwright downloads (see DESIGN.md).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from pracha.config import Settings
from pracha.db import make_engine, make_sessionmaker
from pracha.migrate import upgrade
from pracha.vault import attach_keyring
from tests.e2e.portal import DemoPortal, start_demo_portal
from tests.factories import create_staff, totp_code
from tests.pgserver import PostgresServer
from tests.servers import free_port, pracha_command, serving

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
OFFICER_AGENCY = "cm-elderly-welfare"
OFFICER_USERNAME = "officer.cm-elderly"
# Playwright's defaults (30 s for actions, 5 s for expect) suit an idle machine; the suite runs on two
# busy cores, where one page with an uncached template or the first assistant answer can take longer.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


SECRET_KEY = b"e2e-test-secret"


def give_second_factor(page: Page, username: str) -> None:
    """After the staff password: the code the test authenticator shows now (`tests.factories.TOTP_SECRET`)."""
    page.wait_for_url(re.compile(r"/staff/factor"))
    page.locator("#field-code").fill(totp_code(username))
    page.locator("form[action='/staff/factor'] button[type=submit]").click()
    page.wait_for_load_state()


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:<port>
    officer_username: str
    log: Path


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[LiveServer]:
    base = tmp_path_factory.mktemp("e2e-server")
    database_url = f"sqlite:///{base / 'pracha.db'}"
    upgrade(database_url)

    engine = make_engine(database_url)
    attach_keyring(engine, settings=Settings(database_url=database_url, var_dir=base / "var"))  # the server's keys
    try:
        with make_sessionmaker(engine)() as db:
            create_staff(
                db,
                "officer",
                agency=OFFICER_AGENCY,
                username=OFFICER_USERNAME,
                app_secret=SECRET_KEY,
                first_name="วิไล",
                last_name="ตรวจดี",
            )
    finally:
        engine.dispose()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PRACHA_DATABASE_URL": database_url,
        "PRACHA_VAR_DIR": str(base / "var"),
        "PRACHA_SECRET_KEY": SECRET_KEY.decode(),
        "PRACHA_CATALOG_DIR": str(REPO_ROOT / "catalog"),
        "PYTHAINLP_OFFLINE": "1",
        "PRACHA_AUTOMATION_IN_PROCESS": "false",
    }  # this journey is the human path: no bot takes it first
    log = base / "server.log"
    # cwd is the temp dir so a developer's .env in the repo cannot change the settings.
    command = [*pracha_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    try:
        with serving(command, env, base, log, url):
            yield LiveServer(url=url, officer_username=OFFICER_USERNAME, log=log)
    finally:
        shutil.copy(log, artifacts / "server.log")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing, and CI must run the browser tests (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed here")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# A test that builds a demo portal first waits for its migrate and seed (up to 300 s each) and its start
# (up to 300 s, tests/servers.py): with two cores at load 20 the build alone passed the suite's 300 s
# timeout, and the session fixture's error then failed every later test on that portal. Their own steps
# stay bounded by Playwright's timeouts.
PORTAL_BUILD_TIMEOUT_SECONDS = 1200


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "demo_portal" in getattr(item, "fixturenames", ()) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(PORTAL_BUILD_TIMEOUT_SECONDS))


@pytest.fixture(scope="session")
def demo_portal_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoPortal]:
    base = tmp_path_factory.mktemp("demo-portal-sqlite")
    yield from start_demo_portal(base, f"sqlite:///{base / 'pracha.db'}", "sqlite")


@pytest.fixture(scope="session")
def demo_portal_postgres(tmp_path_factory: pytest.TempPathFactory, pg_server: PostgresServer) -> Iterator[DemoPortal]:
    base = tmp_path_factory.mktemp("demo-portal-postgres")
    yield from start_demo_portal(base, pg_server.create_database("e2e_demo_portal"), "postgres")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_portal(request: pytest.FixtureRequest) -> DemoPortal:
    """The demo portal as `make run` serves it (tests/e2e/portal.py). Each engine's is built once and
    kept for the whole session (two session fixtures, not one parametrized one, which pytest would stop
    and start again each time the test order switches engine)."""
    portal: DemoPortal = request.getfixturevalue(f"demo_portal_{request.param}")
    return portal
