"""In Chromium, on both engines, with the demo portal: help at the counter. The city registry's officer signs
in (with the second factor), checks a visitor's ID card and opens a counter session with the signed consent
form, applies for a residence certificate for the visitor on the ordinary pages, ends the session and sees
the printable summary with the reference; the visitor signs in and finds the application, the officer and
office on its timeline, and the session in the data tracker. axe on every new page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from pracha.identity.models import User
from tests.e2e.portal import (
    DEMO_PORTAL_GROUP,
    DemoPortal,
    accessible,
    new_citizen,
    no_problem_shown,
    portal_db,
    sign_in_citizen,
    sign_in_staff,
)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
OFFICER = "officer.cm-city-registry"
OFFICE_TH = "งานทะเบียนราษฎร สำนักงานเทศบาลนครเชียงใหม่"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"






def officer_name(portal: DemoPortal) -> str:
    with portal_db(portal) as db:
        officer = db.scalars(select(User).where(User.username == OFFICER)).one()
        return officer.display_name


def apply_for_the_visitor(desk: Page, scan: Path) -> str:
    """A residence certificate on the service's own pages, the ID card attached, submitted; its reference."""
    desk.goto("/services/residence-certificate/apply")
    desk.locator("#field-purpose").select_option("bank_or_utility")
    desk.locator("#field-current_address").fill("12 ถนนราชดำเนิน ตำบลพระสิงห์ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200")
    desk.locator("#field-matches_house_registration").check()
    desk.locator("#field-living_since").fill("15")  # 15 January 2553 BE
    desk.locator("#field-living_since__month").select_option("1")
    desk.locator("#field-living_since__year").fill("2553")
    desk.locator("#field-copies").fill("1")
    desk.locator("#field-delivery").select_option("pickup")
    desk.locator('form[action="/services/residence-certificate/apply"] button[type="submit"]').click()
    no_problem_shown(desk, "saving the draft")
    expect(desk).to_have_url(re.compile(r"/applications/[^/?#]+$"))
    reference = desk.locator("#reference").inner_text().strip()
    form = desk.locator("form[enctype='multipart/form-data']")
    form.locator('select[name="requirement"]').select_option("id-card")
    form.locator('input[name="file"]').set_input_files(str(scan))
    form.locator("button[type=submit]").click()
    no_problem_shown(desk, "attaching the ID card")
    desk.locator(f'a[href="/applications/{reference}/check"]').click()
    desk.locator("#field-declaration").check()
    desk.locator(f'form[action="/applications/{reference}/check"] button[type=submit]').click()
    no_problem_shown(desk, "submitting")
    expect(desk.locator("#status")).to_contain_text("ยื่นคำขอแล้ว")
    return reference


def test_officer_serves_a_visitor_at_the_counter_and_the_visitor_sees_it(
        browser: Browser, demo_portal: DemoPortal, tmp_path: Path) -> None:
    national_id = new_citizen(demo_portal, first_name="บุญมา", last_name="เคาน์เตอร์", birth_year=1950)
    scan = tmp_path / "consent.pdf"
    scan.write_bytes(PDF)
    officer = demo_portal.context(browser)
    visitor = demo_portal.context(browser)
    try:
        desk = officer.new_page()
        sign_in_staff(desk, OFFICER)
        desk.goto("/counter")
        expect(desk.locator("h1")).to_have_text("ช่วยเหลือที่เคาน์เตอร์")
        accessible(desk)
        desk.locator("#field-national_id").fill(national_id)
        desk.get_by_role("button", name="เริ่มให้บริการ").click()  # the ID card box not ticked: refused
        expect(desk.locator("#error-id_card_checked")).to_be_visible()
        accessible(desk)
        desk.locator("#field-id_card_checked").check()
        desk.locator("#consent-form").check()
        desk.locator("#field-consent_form").set_input_files(str(scan))
        desk.get_by_role("button", name="เริ่มให้บริการ").click()
        expect(desk).to_have_url(re.compile(r"/me$"))
        expect(desk.locator(".acting-banner")).to_contain_text("บุญมา เคาน์เตอร์")
        desk.goto("/counter")
        expect(desk.locator("#visitor")).to_contain_text("บุญมา เคาน์เตอร์")
        accessible(desk)

        reference = apply_for_the_visitor(desk, scan)
        desk.get_by_role("button", name="สิ้นสุดการให้บริการที่เคาน์เตอร์").click()
        expect(desk).to_have_url(re.compile(r"/counter/sessions/\d+/summary$"))
        expect(desk.locator("#summary-applications")).to_contain_text(reference)
        expect(desk.locator("#summary-facts")).to_contain_text(OFFICE_TH)
        expect(desk.locator("#summary-facts")).to_contain_text("-xxxx-xxxxx-")
        expect(desk.locator(".acting-banner")).to_have_count(0)
        accessible(desk)
        desk.emulate_media(media="print")
        expect(desk.locator("header.site-header")).to_be_hidden()
        expect(desk.locator("#summary-applications")).to_be_visible()
        desk.emulate_media(media="screen")
        summary_url = desk.url

        page = visitor.new_page()
        sign_in_citizen(page, national_id, PASSWORD)
        page.goto("/me")
        expect(page.locator("main")).to_contain_text(reference)
        page.goto(f"/applications/{reference}")
        expect(page.locator(".timeline")).to_contain_text(f"เจ้าหน้าที่ {officer_name(demo_portal)}, {OFFICE_TH}")
        page.goto("/me/data-tracker")
        expect(page.locator("main")).to_contain_text(reference)
        expect(page.locator("main")).to_contain_text("เจ้าหน้าที่ช่วยทำรายการที่เคาน์เตอร์")
        page.goto(summary_url)
        expect(page.locator("#summary-applications")).to_contain_text(reference)
    finally:
        officer.close()
        visitor.close()
