"""In Chromium, on both engines, with the demo portal: a fresh citizen's birth registration (in review, an
in-person step) is booked on the page instead of queueing; the booking shows its QR; the city registry's
officer opens the QR's link, checks the visitor in, and sees it on the day's list."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from pracha.identity.models import User
from pracha.services.models import Application
from tests.e2e.portal import DEMO_PORTAL_GROUP, DemoPortal, new_citizen, portal_db, sign_in_citizen, sign_in_staff
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
OFFICE = "cm-city-registry-office"


def birth_registration(portal: DemoPortal, national_id: str) -> str:
    """The citizen's birth registration, already with the registry (in review); its reference."""
    with portal_db(portal, write=True) as db:
        user = db.scalars(select(User).where(User.national_id_index == national_id)).one()
        reference = f"BR{secrets.token_hex(5).upper()}"
        db.add(Application(reference=reference, service_id="birth-registration", agency="cm-city-registry",
                           citizen_id=user.id, status="in_review", data={}))
        db.commit()
        return reference


def test_citizen_books_a_visit_shows_the_qr_and_the_counter_checks_in(browser: Browser,
                                                                      demo_portal: DemoPortal) -> None:
    national_id = new_citizen(demo_portal, first_name="นัดหมาย", birth_year=2535)
    reference = birth_registration(demo_portal, national_id)
    citizen = demo_portal.context(browser)
    counter = demo_portal.context(browser)
    try:
        page = citizen.new_page()
        sign_in_citizen(page, national_id, PASSWORD)
        page.goto(f"/applications/{reference}")
        page.get_by_role("link", name="จองนัดหมาย").click()
        expect(page.locator("h1")).to_have_text("นัดหมายไปที่สำนักงาน")
        expect(page.locator("input[name=starts_at]").first).to_be_checked()
        page.get_by_role("button", name="จองเวลานี้").click()
        expect(page.locator("#appointment-booked")).to_contain_text("งานทะเบียนราษฎร")
        expect(page.get_by_role("img", name="คิวอาร์โค้ดสำหรับแสดงที่เคาน์เตอร์")).to_be_visible()
        token = page.locator("#appointment-token").inner_text()
        booked = page.request.get(f"/api/v1/applications/{reference}/appointment").json()
        assert booked["token"] == token and booked["status"] == "booked"
        assert booked["check_in_url"] == f"{demo_portal.url}/counter/check-in/{token}"

        desk = counter.new_page()
        sign_in_staff(desk, "officer.cm-city-registry")
        desk.goto(booked["check_in_url"])
        expect(desk.locator("h1")).to_have_text("เช็กอินผู้มาติดต่อ")
        expect(desk.locator("#appointment-status")).to_have_text("จองแล้ว")
        desk.get_by_role("button", name="เช็กอิน").click()
        expect(desk.locator("#appointment-status")).to_have_text("เช็กอินแล้ว")
        day = booked["starts_at"][:10]  # the UTC date is the Bangkok date during office hours
        desk.goto(f"/officer/appointments?office={OFFICE}&date={day}")
        row = desk.locator("#day-list tr", has_text=reference)
        expect(row).to_contain_text("เช็กอินแล้ว")
        page.goto(f"/applications/{reference}")
        expect(page.locator("#appointment-panel")).to_contain_text("เช็กอินแล้ว")
    finally:
        citizen.close()
        counter.close()
