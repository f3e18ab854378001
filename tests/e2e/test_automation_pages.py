"""The automation's pages in Chromium, checked with axe (no serious or critical violations): the bot's
findings on the application page (officer), the certificate's /verify page (valid, and unknown → 404),
and the admin dashboard with its SVG charts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from pracha.automation import service as automation
from pracha.automation import tasks
from pracha.automation.models import Certificate
from pracha.config import Settings
from pracha.identity.principal import Principal
from pracha.migrate import upgrade
from pracha.services.catalog import load_catalog
from pracha.services.hooks import CATALOG
from tests.automation.helpers import submit
from tests.e2e.conftest import REPO_ROOT, give_second_factor
from tests.e2e.test_citizen_journey import BLOCKING_IMPACTS, new_context
from tests.factories import PASSWORD, create_citizen, create_staff
from tests.servers import free_port, pracha_command, serving

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("e2e-automation")
    url = f"sqlite:///{base / 'pracha.db'}"
    upgrade(url)
    settings = Settings(database_url=url, var_dir=base / "var", secret_key="e2e-automation",
                        catalog_dir=REPO_ROOT / "catalog")
    from pracha.web.app import create_app

    app = create_app(settings)
    with app.state.pracha.db.sessions() as db:
        application = submit(db, app, create_citizen(db, first_name="สมศรี", last_name="มีสุขใจ"))
        officer = create_staff(db, "officer", application.agency, username="officer.auto", app_secret=SECRET)
        create_staff(db, "platform_admin", username="admin.auto", app_secret=SECRET)
        context = tasks.Context(load_catalog(REPO_ROOT / "catalog"), settings)
        tasks.run_until_idle(app.state.pracha.db.sessions, context)  # the bot: registries refuse here → officer
        db.expire_all()
        automation.override(db, app.state.pracha.registry.get(CATALOG), Principal(user=officer), db.merge(application),
                            decision="approve", reason="ตรวจสอบทะเบียนบ้านฉบับจริงแล้ว")
        db.commit()
        tasks.run_until_idle(app.state.pracha.db.sessions, context)  # the certificate
        certificate = db.query(Certificate).one()
        reference, cert_id = application.reference, certificate.id
    app.state.pracha.db.engine.dispose()
    port = free_port()
    env = {**os.environ, "PRACHA_DATABASE_URL": url, "PRACHA_VAR_DIR": str(base / "var"),
           "PRACHA_SECRET_KEY": SECRET.decode(), "PRACHA_CATALOG_DIR": str(REPO_ROOT / "catalog"),
           "PYTHAINLP_OFFLINE": "1", "PRACHA_AUTOMATION_IN_PROCESS": "false"}
    command = [*pracha_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with serving(command, env, base, base / "server.log", f"http://127.0.0.1:{port}"):
        yield {"url": f"http://127.0.0.1:{port}", "reference": reference, "cert_id": cert_id}


def accessible(page: Page, name: str) -> None:
    results = Axe().run(page)
    blocking = [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
                if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {name}: {blocking}"


SECRET = b"e2e-automation"


def sign_in_staff(page: Page, username: str) -> None:
    page.goto("/staff/signin")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('form[action="/staff/signin"] button[type="submit"]').click()
    give_second_factor(page, username)


def test_automation_pages_are_accessible(browser: Browser, world: dict[str, Any]) -> None:
    context = new_context(browser, world["url"])
    try:
        page = context.new_page()
        page.goto(f"/verify/{world['cert_id']}")
        expect(page.locator("#verdict")).to_have_text("ใช้ได้")  # valid: genuine, unchanged, not revoked, not expired
        accessible(page, "verify")
        response = page.goto("/verify/nosuchcertificate")
        assert response is not None and response.status == 404
        expect(page.locator("h2")).to_contain_text("ไม่พบเอกสาร")
        accessible(page, "verify-404")
        sign_in_staff(page, "officer.auto")
        page.goto(f"/applications/{world['reference']}")
        expect(page.locator("#automation")).to_contain_text("ตรวจสอบทะเบียนบ้านฉบับจริงแล้ว")
        expect(page.locator("#automation")).to_contain_text("TH/GOV/DOPA/civil-registry/persons/")
        accessible(page, "application-with-findings")
        context.clear_cookies()
        sign_in_staff(page, "admin.auto")
        page.goto("/admin/automation")
        expect(page.locator("#automation-rate")).to_contain_text("0.0% (0 / 1)")
        charts = page.locator("figure img")
        expect(charts).to_have_count(4)
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        accessible(page, "dashboard")
    finally:
        context.close()
