"""Single sign-on end to end, in Debian's Chromium: a platform admin registers an agency's app on
Pracha; the agency's app (tests/e2e/rp_app.py: Authlib's Starlette client, unchanged, discovery-
driven) runs as its own uvicorn process; a citizen signs in through it, consents, comes back with a
verified ID token and userinfo, adds a passkey (a CDP virtual authenticator), steps up to the
passkey acr, sees the app under "apps connected to my ID", logs out (RP-initiated), and signs in to
the portal again with the passkey alone. Each Pracha page is checked with axe.

Pracha is reached as http://localhost:<port> (WebAuthn needs a domain as RP ID, and localhost is a
secure context); the agency's app as http://127.0.0.1:<port>, so the two share no cookies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from pracha.config import Settings
from pracha.db import make_engine, make_sessionmaker
from pracha.migrate import upgrade
from pracha.vault import attach_keyring
from tests.e2e.conftest import REPO_ROOT, give_second_factor
from tests.e2e.test_citizen_journey import TIMEOUT_MS, Journey
from tests.factories import PASSWORD, create_citizen, create_staff
from tests.servers import free_port, pracha_command, start_process, stop_process, wait_healthy

pytestmark = pytest.mark.e2e
ADMIN = "platform.admin"


@dataclass(frozen=True)
class Provider:
    url: str
    citizen_id: str
    base: Path


def _stop(process: subprocess.Popen[bytes], log: Path, artifacts: Path) -> None:
    stop_process(process)
    shutil.copy(log, artifacts / log.name)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[Provider]:
    base = tmp_path_factory.mktemp("sso-provider")
    database_url = f"sqlite:///{base / 'pracha.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    attach_keyring(engine, settings=Settings(database_url=database_url, var_dir=base / "var"))  # the server's keys
    try:
        with make_sessionmaker(engine)() as db:
            create_staff(db, "platform_admin", username=ADMIN, first_name="ผู้ดูแล", last_name="ระบบ",
                         app_secret=b"sso-e2e-secret")
            citizen = create_citizen(db, first_name="สมหญิง", last_name="รักชาติ", first_name_en="Somying",
                                     last_name_en="Rakchart", address={"locality": "เชียงใหม่", "country": "TH"})
            citizen_id = str(citizen.national_id)
    finally:
        engine.dispose()
    port = free_port()
    url = f"http://localhost:{port}"
    env = {**os.environ, "PRACHA_DATABASE_URL": database_url, "PRACHA_VAR_DIR": str(base / "var"),
           "PRACHA_SECRET_KEY": "sso-e2e-secret", "PRACHA_CATALOG_DIR": str(REPO_ROOT / "catalog"),
           "PRACHA_OIDC_ISSUER": url, "PYTHAINLP_OFFLINE": "1"}
    log = base / "sso-provider.log"
    process = start_process([*pracha_command(), "serve", "--host", "127.0.0.1", "--port", str(port)], env, base, log)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log)
        yield Provider(url, citizen_id, base)
    finally:
        _stop(process, log, artifacts)


def register_app(page: Page, provider: Provider, rp_url: str, journey: Journey) -> tuple[str, str]:
    page.goto(f"{provider.url}/staff/signin")
    page.fill("#field-username", ADMIN)
    page.fill("#field-password", PASSWORD)
    page.click("form[action='/staff/signin'] button[type=submit]")
    give_second_factor(page, ADMIN)
    page.goto(f"{provider.url}/admin/oidc/clients")
    journey.check_a11y(page, "sso-clients")
    page.fill("#field-name", "ระบบสวัสดิการเทศบาล")
    page.fill("#field-name_en", "Municipal welfare")
    page.fill("#field-redirect_uris", f"{rp_url}/auth")
    page.fill("#field-post_logout_redirect_uris", f"{rp_url}/logged-out")
    page.check("input[name=scopes][value=profile]")
    page.check("input[name=scopes][value=birthdate]")
    page.check("input[name=scopes][value=address]")
    page.click("form[action='/admin/oidc/clients'] button[type=submit]")
    codes = page.locator(".notice code")
    expect(codes).to_have_count(2)
    journey.shot(page, "sso-client-registered")
    return codes.nth(0).inner_text(), codes.nth(1).inner_text()


@pytest.fixture(scope="module")
def rp_port() -> int:
    return free_port()


def start_rp(provider: Provider, port: int, client_id: str, secret: str) -> tuple[subprocess.Popen[bytes], Path]:
    env = {**os.environ, "RP_ISSUER": provider.url, "RP_CLIENT_ID": client_id, "RP_CLIENT_SECRET": secret,
           "RP_SCOPE": "openid profile birthdate address"}
    log = provider.base / "sso-relying-party.log"
    process = start_process([sys.executable, "-m", "uvicorn", "tests.e2e.rp_app:app", "--host", "127.0.0.1",
                      "--port", str(port)], env, REPO_ROOT, log)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log)
    except BaseException:
        stop_process(process)
        raise
    return process, log


def who(page: Page) -> dict[str, object]:
    expect(page.locator("#state")).to_have_text("signed-in")
    return dict(json.loads(page.locator("#who").inner_text()))


def test_citizen_signs_in_to_an_agency_app(browser: Browser, provider: Provider, rp_port: int,
                                          artifacts: Path) -> None:
    (artifacts / "sso").mkdir(exist_ok=True)
    journey = Journey(artifacts / "sso")
    rp_url = f"http://127.0.0.1:{rp_port}"
    admin = browser.new_context(locale="th-TH")
    admin.set_default_timeout(TIMEOUT_MS)
    client_id, secret = register_app(admin.new_page(), provider, rp_url, journey)
    admin.close()
    rp, rp_log = start_rp(provider, rp_port, client_id, secret)
    try:
        context = browser.new_context(locale="th-TH")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(rp_url)
        page.click("#login")
        expect(page).to_have_url(f"{provider.url}/oidc/authorize?" + page.url.split("?", 1)[1])
        journey.check_a11y(page, "sso-signin")
        page.fill("#field-national_id", provider.citizen_id)
        page.fill("#field-password", PASSWORD)
        page.click("form:has(input[value=signin]) button[type=submit]")
        expect(page.locator("h1")).to_contain_text("ระบบสวัสดิการเทศบาล")
        expect(page.locator(".sso-releases")).to_contain_text("ชื่อและนามสกุลภาษาไทยและภาษาอังกฤษ")
        journey.check_a11y(page, "sso-consent")
        journey.shot(page, "sso-consent")
        page.click("button[value=allow]")
        signed = who(page)
        assert page.url.startswith(rp_url)
        assert signed["id_token_verified"] is True and signed["iss"] == provider.url
        assert signed["acr"] == "urn:pracha:acr:password"
        info = signed["userinfo"]
        assert isinstance(info, dict)
        assert info["sub"] == signed["sub"] and info["name#th"] == "สมหญิง รักชาติ"
        assert info["name#en"] == "Somying Rakchart" and info["address"]["locality"] == "เชียงใหม่"
        assert "thai_id" not in info

        # a passkey from the portal, then step-up when the app asks for the higher acr
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True, "automaticPresenceSimulation": True}})
        page.goto(f"{provider.url}/me/passkeys")
        journey.check_a11y(page, "sso-passkeys")
        page.fill("#field-passkey_name", "โน้ตบุ๊ก")
        page.click("button[data-passkey=register]")
        expect(page.locator(".sso-apps")).to_contain_text("โน้ตบุ๊ก")
        page.goto(rp_url)
        page.click("#logout")  # sign out of both; then sign in again, the app asking for the passkey acr
        page.click("form[action='/oidc/logout'] button[type=submit]")
        expect(page.locator("#state")).to_have_text("logged-out")
        page.goto(rp_url)
        page.click("#login-passkey")
        page.fill("#field-national_id", provider.citizen_id)
        page.fill("#field-password", PASSWORD)
        page.click("form:has(input[value=signin]) button[type=submit]")
        expect(page.locator("h1")).to_have_text("ยืนยันตัวตนด้วยพาสคีย์")
        journey.check_a11y(page, "sso-step-up")
        page.click("button[data-passkey=signin]")
        assert who(page)["acr"] == "urn:pracha:acr:passkey"

        page.goto(f"{provider.url}/me/details")
        expect(page.locator("#field-first_name_en")).to_have_value("Somying")
        journey.check_a11y(page, "sso-details")
        page.goto(f"{provider.url}/me/apps")
        expect(page.locator(".sso-apps")).to_contain_text("ระบบสวัสดิการเทศบาล")
        journey.check_a11y(page, "sso-connected-apps")
        journey.shot(page, "sso-connected-apps")

        page.goto(rp_url)
        page.click("#logout")
        expect(page.locator("h1")).to_have_text("ออกจากระบบประชา")
        journey.check_a11y(page, "sso-logout")
        page.click("form[action='/oidc/logout'] button[type=submit]")
        expect(page.locator("#state")).to_have_text("logged-out")
        assert page.url.startswith(f"{rp_url}/logged-out")
        response = page.goto(f"{provider.url}/me/apps")  # signed out of Pracha too
        assert response is not None and response.status == 401

        page.goto(f"{provider.url}/signin")  # the portal: sign in with the passkey alone
        journey.check_a11y(page, "signin-with-passkey")
        page.click("button[data-passkey=signin]")
        expect(page).to_have_url(f"{provider.url}/me")
        context.close()
    finally:
        _stop(rp, rp_log, artifacts)
    journey.assert_accessible()
