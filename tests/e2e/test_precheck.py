"""The pre-check and the one-open-application rule in Chromium on the demo portal (both engines):
สมชาย is told he appears eligible (and where his open application is); a new citizen born in 1990 is
told why not, what else may help, and that they may still apply; a second elderly-allowance application
of a fresh citizen is refused with a link to the first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.portal import DEMO_PORTAL_GROUP, SOMCHAI, DemoPortal, new_citizen, sign_in_citizen
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
SERVICE = "/services/elderly-allowance"


def test_somchai_appears_eligible_and_is_sent_to_his_open_application(browser: Browser,
                                                                       demo_portal: DemoPortal) -> None:
    context = demo_portal.context(browser)
    try:
        page = context.new_page()
        sign_in_citizen(page, SOMCHAI)
        page.goto(SERVICE)
        precheck = page.locator("#precheck")
        expect(precheck).to_contain_text("ท่านน่าจะมีคุณสมบัติครบ")
        expect(page.locator("#open-application a")).to_have_attribute("href", re.compile(r"^/applications/EA"))
        page.locator("#precheck summary").click()
        expect(precheck).to_contain_text("(จากทะเบียนราษฎร)")
        expect(precheck).not_to_contain_text("civil.")
        existing = page.locator("#open-application a").get_attribute("href")
        # a second elderly-allowance application of his is refused, with the way to the first
        page.goto(SERVICE + "/apply")
        page.locator("#field-phone").fill("081-234-5678")
        with page.expect_response(lambda r: r.url.endswith("/apply") and r.request.method == "POST") as answer:
            page.locator(f"main form[action='{SERVICE}/apply'] button[type=submit]").click()
        assert answer.value.status == 409
        expect(page.locator(f"main a[href='{existing}']").first).to_be_visible()
    finally:
        context.close()


def test_finding_2_born_1990_is_told_why_not_and_may_still_apply(browser: Browser, demo_portal: DemoPortal) -> None:
    national_id = new_citizen(demo_portal, birth_year=1990)
    context = demo_portal.context(browser)
    try:
        page = context.new_page()
        sign_in_citizen(page, national_id, PASSWORD)
        page.goto(SERVICE)
        precheck = page.locator("#precheck")
        expect(precheck).to_contain_text("ท่านอาจยังไม่เข้าเงื่อนไขต่อไปนี้")
        expect(precheck).to_contain_text("อายุครบ 60 ปีบริบูรณ์")
        expect(precheck).to_contain_text("วันเกิดของท่าน 15 มิถุนายน 2533")
        expect(precheck).to_contain_text("1111")
        page.get_by_role("link", name="ยื่นคำขอต่อไป (เจ้าหน้าที่เป็นผู้พิจารณา)").click()
        expect(page).to_have_url(re.compile(r"/services/elderly-allowance/apply$"))
        page.goto(SERVICE + "?lang=en")
        expect(page.locator("#precheck")).to_contain_text("date of birth 15 June 1990")
    finally:
        context.close()


def test_finding_1_a_second_application_links_to_the_first(browser: Browser, demo_portal: DemoPortal) -> None:
    national_id = new_citizen(demo_portal, birth_year=1950)
    context = demo_portal.context(browser)
    try:
        page = context.new_page()
        sign_in_citizen(page, national_id, PASSWORD)
        page.goto(SERVICE + "/apply")
        page.locator("#field-phone").fill("0812345678")
        page.locator("main form[action='/services/elderly-allowance/apply'] button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/applications/EA"))
        first = page.url.rsplit("/", 1)[-1].split("?")[0]
        page.goto(SERVICE + "/apply")
        expect(page.locator("#open-application a")).to_have_attribute("href", f"/applications/{first}")
        page.locator("#field-phone").fill("0812345678")
        page.locator("main form[action='/services/elderly-allowance/apply'] button[type=submit]").click()
        expect(page.locator("main")).to_contain_text(first)
        page.locator("#open-application a").click()
        expect(page).to_have_url(re.compile(f"/applications/{first}$"))
    finally:
        context.close()
