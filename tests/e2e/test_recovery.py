"""In Chromium, on both engines, with the demo portal: a citizen who forgot the password follows the
"Forgot your password?" link, gets a code by e-mail (read here from the portal's outbox, as the mail
sender would send it), sets a new password without JavaScript, signs in with it; the browser that was
signed in before the reset is signed out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from pracha.identity.models import User
from pracha.notices.models import OutboxMessage
from tests.e2e.portal import DEMO_PORTAL_GROUP, DemoPortal, new_citizen, portal_db, sign_in_citizen
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
NEW_PASSWORD = "ลำไยหวาน ปี 2569"


def emailed_code(portal: DemoPortal, national_id: str) -> str:
    with portal_db(portal) as db:
        user_id = db.scalar(select(User.id).where(User.national_id_index == national_id))
        body = db.scalar(select(OutboxMessage.body).where(
            OutboxMessage.user_id == user_id, OutboxMessage.channel == "email").order_by(OutboxMessage.id.desc()))
    found = re.search(r"\b(\d{6})\b", body or "")
    assert found is not None, body
    return found.group(1)


def test_citizen_resets_a_forgotten_password_with_an_emailed_code(browser: Browser, demo_portal: DemoPortal) -> None:
    nid = new_citizen(demo_portal, first_name="ลืม", last_name="รหัสผ่าน", email="luem@example.org",
                      phone="0891234567")
    before, after = demo_portal.context(browser), demo_portal.context(browser)
    try:
        old = before.new_page()
        sign_in_citizen(old, nid, PASSWORD)
        assert old.request.get("/api/v1/session").json()["user"] is not None

        page = after.new_page()
        page.goto("/signin")
        page.get_by_role("link", name="ลืมรหัสผ่าน?").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("ลืมรหัสผ่าน?")
        page.locator("#field-national_id").fill(nid)
        page.get_by_role("button", name="ส่งรหัสให้ฉัน").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("ตั้งรหัสผ่านใหม่")
        expect(page.locator("main [role=status]")).to_contain_text("บัตรประจำตัวประชาชน")
        page.locator("#field-code").fill(emailed_code(demo_portal, nid))
        page.locator("#field-new_password").fill(NEW_PASSWORD)
        page.locator("#field-new_password_again").fill(NEW_PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("เปลี่ยนรหัสผ่านเรียบร้อยแล้ว")

        page.locator("main").get_by_role("link", name="เข้าสู่ระบบ").click()
        page.locator("#field-national_id").fill(nid)
        page.locator("#field-password").fill(NEW_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/me"))
        assert page.request.get("/api/v1/session").json()["user"] is not None
        assert old.request.get("/api/v1/session").json()["user"] is None  # the old session is gone
    finally:
        before.close()
        after.close()
