"""LINE notices in Chromium on the demo portal (SQLite and PostgreSQL): a fresh citizen gets a link
code on /me/notifications and sends it from LINE (a signed webhook call, as LINE makes it); the page
shows the link; they turn SMS off for status changes; the officer's question on their application is
pushed to LINE (the portal's LINE API is a local stand-in) and no SMS is queued; one click unlinks."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from pracha.db import make_engine, make_sessionmaker
from pracha.identity.models import User
from pracha.notices.models import OutboxMessage
from pracha.vault import attach_keyring
from tests.e2e.portal import DEMO_PORTAL_GROUP, LINE_SECRET, DemoPortal, new_citizen, sign_in_citizen, sign_in_staff
from tests.e2e.test_staff import submitted_application
from tests.factories import PASSWORD
from tests.notices.line_world import sign, webhook_body

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
OFFICER = "officer.cm-elderly-welfare"
QUESTION = "ขอสำเนาสมุดบัญชีหน้าแรกที่ชัดกว่านี้"


def outbox_channels(portal: DemoPortal, national_id: str) -> list[str]:
    engine = make_engine(portal.database_url)
    attach_keyring(engine, settings=portal.settings())
    try:
        with make_sessionmaker(engine)() as db:
            user = db.scalar(select(User).where(User.national_id_index == national_id))
            assert user is not None
            return sorted(m.channel for m in db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)))
    finally:
        engine.dispose()


def pushes_to(portal: DemoPortal, line_user: str) -> list[dict[str, Any]]:
    return [p for p in portal.line_pushes if p["body"]["to"] == line_user]


def test_link_line_choose_channels_get_a_push_and_unlink(browser: Browser, demo_portal: DemoPortal) -> None:
    nid = new_citizen(demo_portal, first_name="ไลน์", last_name="ทดสอบ", birth_year=1950, phone="0899990000")
    reference = submitted_application(demo_portal, nid)
    line_user = f"U{int(nid):032x}"
    context = demo_portal.context(browser)
    try:
        page = context.new_page()
        sign_in_citizen(page, nid, PASSWORD)
        page.goto("/me/notifications")
        expect(page.locator("h1")).to_have_text("การแจ้งเตือน")
        expect(page.locator("#line-status")).to_contain_text("ยังไม่ได้เชื่อม")
        page.get_by_role("button", name="ขอรหัสเพื่อเชื่อม LINE").click()
        code = page.locator("#line-code").inner_text().strip()
        assert code.startswith("PR-") and len(code) == 9

        body = webhook_body(code, line_user)
        answer = httpx.post(f"{demo_portal.url}/channels/line/webhook", content=body, timeout=30,
                            headers={"Content-Type": "application/json", "X-Line-Signature": sign(body, LINE_SECRET)})
        assert answer.status_code == 200, answer.text
        replied = [r["body"]["messages"][0]["text"] for r in demo_portal.line_replies]
        assert any("เชื่อมบัญชี LINE กับประชาเรียบร้อยแล้ว" in text for text in replied)

        page.goto("/me/notifications")
        expect(page.locator("#line-status")).to_contain_text("เชื่อมแล้ว")
        page.locator("#pref-status-sms").uncheck()
        page.get_by_role("button", name="บันทึก", exact=True).click()
        expect(page.locator("main [role=status]").first).to_contain_text("บันทึกการตั้งค่าการแจ้งเตือนแล้ว")
        expect(page.locator("#pref-status-sms")).not_to_be_checked()
        expect(page.locator("#pref-status-line")).to_be_checked()

        before = outbox_channels(demo_portal, nid)  # the submit's notice went out before any of this
        officer = demo_portal.context(browser)
        staff = officer.new_page()
        sign_in_staff(staff, OFFICER)
        staff.goto(f"/applications/{reference}")
        for action, message in (("review", None), ("request_info", QUESTION)):
            form = staff.locator(f'form[action="/applications/{reference}/actions/{action}"]')
            if message:
                form.locator('textarea[name="message"]').fill(message)
            form.locator("button[type=submit]").click()
            staff.wait_for_load_state()
        officer.close()

        deadline = time.monotonic() + 30  # the portal's in-process runner sends the outbox every second
        while time.monotonic() < deadline and not pushes_to(demo_portal, line_user):
            time.sleep(0.2)
        [pushed] = pushes_to(demo_portal, line_user)
        text = pushed["body"]["messages"][0]["text"]
        assert reference in text and QUESTION in text and f"{demo_portal.url}/applications/{reference}" in text
        assert pushed["authorization"] == "Bearer e2e-line-token"
        after = outbox_channels(demo_portal, nid)
        for channel in before:
            after.remove(channel)
        assert after == ["email", "line"]  # the question: e-mail and LINE, no SMS

        page.get_by_role("button", name="ยกเลิกการเชื่อม LINE").click()
        expect(page.locator("main [role=status]").first).to_contain_text("ยกเลิกการเชื่อมบัญชี LINE แล้ว")
        expect(page.locator("#line-status")).to_contain_text("ยังไม่ได้เชื่อม")
    finally:
        context.close()
