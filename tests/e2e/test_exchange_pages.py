"""The exchange's pages in Debian's Chromium, in Thai, checked with axe: a citizen gives a consent,
opens its printable receipt, withdraws it, and reads the data tracker; a platform admin opens the
members, services and access rights and revokes one. No JavaScript is needed for any of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from pracha.config import Settings
from pracha.db import make_engine, make_sessionmaker
from pracha.exchange.seed import seed_exchange
from pracha.migrate import upgrade
from pracha.services.catalog import default_catalog_dir, load_catalog
from pracha.vault import attach_keyring
from tests import servers
from tests.e2e.conftest import give_second_factor
from tests.e2e.test_citizen_journey import Journey, new_context
from tests.factories import PASSWORD, create_citizen, create_staff

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def exchange_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = tmp_path_factory.mktemp("e2e-exchange")
    url, var_dir = f"sqlite:///{base / 'pracha.db'}", base / "var"
    upgrade(url)
    engine = make_engine(url)
    attach_keyring(engine, settings=Settings(database_url=url, var_dir=var_dir))  # the server's key file
    try:
        with make_sessionmaker(engine)() as db:
            seed_exchange(db, Settings(database_url=url, var_dir=var_dir, secret_key="e2e"),
                          load_catalog(default_catalog_dir()), fetch=False)
            db.commit()
            citizen = create_citizen(db)
            create_staff(db, "platform_admin", username="admin.e2e", app_secret=servers.MEDIATOR_SECRET)
            nid = str(citizen.national_id)
    finally:
        engine.dispose()
    with servers.mediator(url, var_dir, base) as live:
        yield {"url": live, "nid": nid}


def _sign_in(page: Page, path: str, field: str, value: str) -> None:
    page.goto(path)
    page.locator(f"#field-{field}").fill(value)
    page.locator("#field-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_consent_tracker_and_admin_pages(browser: Browser, exchange_server: dict[str, str], artifacts: Path) -> None:
    (artifacts / "exchange").mkdir(exist_ok=True)
    journey = Journey(artifacts / "exchange")
    citizen_context = new_context(browser, exchange_server["url"])
    admin_context = new_context(browser, exchange_server["url"])
    citizen, admin = citizen_context.new_page(), admin_context.new_page()
    try:
        _sign_in(citizen, "/signin", "national_id", exchange_server["nid"])
        citizen.goto("/me/consents")
        expect(citizen.locator("h1")).to_have_text("ความยินยอมของฉัน")
        journey.check_a11y(citizen, "consents-empty")
        offer = citizen.locator("form.card").first
        offer.locator("input[name=categories]").first.uncheck()  # a narrower consent than offered
        offer.locator("button[type=submit]").click()
        expect(citizen.locator("table")).to_contain_text("มีผลถึง")
        journey.shot(citizen, "consent-given")
        journey.check_a11y(citizen, "consents-given")
        citizen.locator("a", has_text="ดู").first.click()
        expect(citizen.locator("h1")).to_have_text("ใบรับรองการให้ความยินยอม")
        journey.check_a11y(citizen, "consent-receipt")
        citizen.goto("/me/consents")
        citizen.locator("button.danger").first.click()
        expect(citizen.locator("[role=status]")).to_contain_text("ถอนความยินยอมแล้ว")
        expect(citizen.locator("table")).to_contain_text("ถอนแล้ว")
        citizen.goto("/me/data-tracker")
        expect(citizen.locator("h1")).to_have_text("ใครเข้าถึงข้อมูลของฉัน")
        journey.check_a11y(citizen, "tracker")

        _sign_in(admin, "/staff/signin", "username", "admin.e2e")
        give_second_factor(admin, "admin.e2e")
        admin.goto("/admin/exchange")
        expect(admin.locator("#rights")).to_be_visible()
        journey.shot(admin, "exchange-admin")
        journey.check_a11y(admin, "exchange-admin")
        revoke = admin.locator("form[action$='/revoke'] button").first
        revoke.click()
        expect(admin.locator("table").last).to_contain_text("เพิกถอน")
    finally:
        citizen_context.close()
        admin_context.close()
    journey.assert_accessible()
