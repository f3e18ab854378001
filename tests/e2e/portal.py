"""The demo portal in Chromium, on both engines: `pracha migrate`, `pracha seed --demo` and
`pracha serve` (with the five demo registries and the bot in process), as `make run` does, once per
session for SQLite and once for PostgreSQL. Tests share it, so each test changes only what it owns: its
own new citizen (`new_citizen`), or a demo person no other test touches.

Use it with the `demo_portal` fixture (tests/e2e/conftest.py); each test using it runs twice.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.db import begin_write, make_engine, make_sessionmaker
from pracha.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from pracha.vault import attach_keyring
from tests.assistant.standins import line_app, serve
from tests.factories import create_citizen, totp_code
from tests.servers import free_port, free_port_block, pracha_command, serving

REPO_ROOT = Path(__file__).resolve().parents[2]
SOMCHAI = "1101700203450"  # สมชาย ใจดี, born 2498 BE: the elderly allowance is his (one open already)
SOMYING = "1103700456121"  # สมหญิง รักไทย, born 2533 BE
TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class DemoPortal:
    url: str
    engine: str  # sqlite | postgres
    database_url: str
    var_dir: Path
    log: Path
    bank_url: str = ""  # the demo bank the portal started (its own free port)
    # the LINE Messaging API's stand-in (in this process): what the portal pushed, what it replied
    line_pushes: list[dict[str, Any]] = field(default_factory=list)
    line_replies: list[dict[str, Any]] = field(default_factory=list)

    def settings(self) -> Settings:
        return Settings(database_url=self.database_url, var_dir=self.var_dir, catalog_dir=REPO_ROOT / "catalog",
                        secret_key=SECRET_KEY)

    def context(self, browser: Browser, *, width: int = 1280, lang: str = "th-TH") -> BrowserContext:
        context = browser.new_context(locale=lang, base_url=self.url, viewport={"width": width, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        return context


SECRET_KEY = "e2e-demo-portal"
LINE_SECRET = "e2e-line-channel-secret"  # sign webhook calls with it (tests/notices/line_world.sign)
# Tests on the demo portal carry `pytest.mark.xdist_group(DEMO_PORTAL_GROUP)`: they all run on one
# worker, so the suite builds two portals (one per engine), not two per worker.
DEMO_PORTAL_GROUP = "demo-portal"


def start_demo_portal(base: Path, database_url: str, engine: str) -> Iterator[DemoPortal]:
    """Migrate, seed the demo and serve it on free ports (the registries too); stop everything after."""
    port = free_port()
    bank_url = f"http://127.0.0.1:{free_port()}"
    registry_port = free_port_block(5)  # civil, business, welfare, land, revenue: base + 0 … 4
    env = {**os.environ, "PRACHA_DATABASE_URL": database_url, "PRACHA_VAR_DIR": str(base / "var"),
           "PRACHA_SECRET_KEY": SECRET_KEY, "PRACHA_CATALOG_DIR": str(REPO_ROOT / "catalog"),
           "PYTHAINLP_OFFLINE": "1", "PRACHA_AUTOMATION_IN_PROCESS": "true",
           "PRACHA_REGISTRY_AUTOSTART": "true", "PRACHA_REGISTRY_BASE_PORT": str(registry_port),
           "PRACHA_BANK_URL": bank_url, "PRACHA_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    log = base / "server.log"
    for step in (["migrate"], ["seed", "--demo", "--citizens", "40"]):
        subprocess.run([*pracha_command(), *step], env=env, cwd=base, check=True,  # noqa: S603
                       capture_output=True, timeout=300)
    command = [*pracha_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    pushes: list[dict[str, Any]] = []
    replies: list[dict[str, Any]] = []
    with serve(line_app(replies, pushes)) as line_url:
        env.update({"PRACHA_LINE_CHANNEL_SECRET": LINE_SECRET, "PRACHA_LINE_CHANNEL_ACCESS_TOKEN": "e2e-line-token",
                    "PRACHA_LINE_API_URL": line_url})
        with serving(command, env, base, log, url):
            yield DemoPortal(url=url, engine=engine, database_url=database_url, var_dir=base / "var", log=log,
                             bank_url=bank_url, line_pushes=pushes, line_replies=replies)


@contextmanager
def portal_db(portal: DemoPortal, *, write: bool = False) -> Iterator[Session]:
    """A session on the running portal's database, with its keys (personal columns decrypt); `write`
    takes the write lock first (the server writes too)."""
    engine = make_engine(portal.database_url)
    attach_keyring(engine, settings=portal.settings())
    try:
        with make_sessionmaker(engine)() as db:
            if write:
                begin_write(db)
            yield db
    finally:
        engine.dispose()


def new_citizen(portal: DemoPortal, *, first_name: str = "ทดสอบ", last_name: str = "ใจเย็น",
                birth_year: int | None = None, **fields: object) -> str:
    """A fresh citizen straight in the portal's database (password `tests.factories.PASSWORD`), unknown to
    the demo registries; their national ID."""
    with portal_db(portal, write=True) as db:
        if birth_year is not None:
            fields.setdefault("birth_date", dt.date(birth_year, 6, 15))
        user = create_citizen(db, first_name=first_name, last_name=last_name, **fields)
        db.commit()
        return str(user.national_id)


def sign_in_citizen(page: Page, national_id: str, password: str = DEMO_PASSWORD) -> None:
    """A demo person (DEMO_PASSWORD), or one from `new_citizen` (pass `tests.factories.PASSWORD`)."""
    page.goto("/signin")
    page.locator("#field-national_id").fill(national_id)
    page.locator("#field-password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def sign_in_staff(page: Page, username: str) -> None:
    """A demo staff account (e.g. officer.cm-elderly-welfare, admin, auditor, dpo) with its second factor."""
    page.goto("/staff/signin")
    page.locator("#field-username").fill(username)
    page.locator("#field-password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/factor"))
    # a code counts once: a second sign-in of the same account within 30 s needs the next step
    page.locator("#field-code").fill(totp_code(username, DEMO_TOTP_SECRET))
    page.locator("form[action='/staff/factor'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/staff/factor" not in url)  # signed in: the factor page is left


def accessible(page: Page) -> None:
    """No serious or critical axe violation on the page as it stands."""
    results = Axe().run(page)
    blocking = [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
                if v.get("impact") in ("serious", "critical")]
    assert not blocking, f"axe on {page.url}: {blocking}"


def no_problem_shown(page: Page, doing: str) -> None:
    """Fail with the page's own words when the server refused what the person just did."""
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    if summary.count():
        pytest.fail(f"{doing}: the page says {summary.inner_text()!r}")
