"""Issue 19, the assistant answers the question asked, in a real browser on the demo portal (both
engines): the chat widget gives the child grant's amount (not "no fee"), says where to get a new ID
card (an agency, not a Pracha FAQ), and answers "ลืมรหัสผ่าน" with a button to the recovery page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.portal import DEMO_PORTAL_GROUP, DemoPortal

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]


def ask(page: Page, question: str, nth: int) -> Locator:
    page.get_by_label("คำถามของคุณ").fill(question)
    page.locator("#assistant-form").get_by_role("button", name="ส่ง").click()
    answer = page.get_by_role("log").locator(".assistant-msg.bot").nth(nth)
    expect(answer).not_to_contain_text("กำลังค้นหาคำตอบ")
    return answer


def test_widget_answers_amount_agency_and_password_reset(browser: Browser, demo_portal: DemoPortal,
                                                         artifacts: Path) -> None:
    ctx = demo_portal.context(browser)
    page = ctx.new_page()
    try:
        page.goto("/services")
        page.locator("aside.assistant-widget summary").click()

        amount = ask(page, "เงินอุดหนุนเด็กได้เท่าไหร่", 0)
        expect(amount).to_contain_text("600 บาท")
        expect(amount).not_to_contain_text("ไม่มีค่าธรรมเนียม")
        expect(amount.locator('a[href="/assistant/faq#child-support-grant-amount"]')).to_have_count(1)

        id_card = ask(page, "ทำบัตรประชาชนใหม่ที่ไหน", 1)
        expect(id_card).to_contain_text("กรมการปกครอง")
        expect(id_card).to_contain_text("สำนักทะเบียน")
        expect(id_card.locator("a")).to_have_count(0)  # no unrelated Pracha FAQ or service

        forgot = ask(page, "ลืมรหัสผ่าน", 2)
        expect(forgot.get_by_role("link", name="ตั้งรหัสผ่านใหม่")).to_have_attribute("href", "/password-reset")
        expect(forgot).not_to_contain_text("1111")
        page.screenshot(path=str(artifacts / f"assistant-answers-{demo_portal.engine}.png"), full_page=True)
    finally:
        ctx.close()
