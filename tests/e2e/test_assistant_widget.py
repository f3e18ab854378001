"""The assistant in a real browser, in Thai: ask the chat widget about the elderly allowance in
everyday words, read the answer in the aria-live log, follow its source link to the right service
page; axe on the page with the widget open and on the no-JavaScript answer page (no serious or
critical violations); and without JavaScript the same widget form, and the form page, still answer.
Screenshots go to test-artifacts/e2e/assistant/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import TIMEOUT_MS

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

QUESTION = "เบี้ยคนแก่ต้องใช้เอกสารอะไรบ้าง"
SERVICE_ID = "elderly-allowance"
SERVICE_NAME_TH = "ลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ"
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="module")
def shots(artifacts: Path) -> Path:
    folder = artifacts / "assistant"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


def context(browser: Browser, base_url: str, *, javascript: bool = True) -> BrowserContext:
    made = browser.new_context(locale="th-TH", base_url=base_url, viewport={"width": 1280, "height": 900},
                               java_script_enabled=javascript)
    made.set_default_timeout(TIMEOUT_MS)
    return made


def blocking_violations(page: Page, name: str) -> list[str]:
    results: dict[str, Any] = Axe().run(page).response
    for v in results["violations"]:
        print(f"axe [{name}] {v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
            for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def test_widget_answers_in_the_live_log_and_links_to_the_service(browser: Browser, live_server: LiveServer,
                                                                 shots: Path) -> None:
    ctx = context(browser, live_server.url)
    page = ctx.new_page()
    try:
        page.goto("/services")
        widget = page.locator("aside.assistant-widget")
        expect(widget).to_have_attribute("aria-label", "ถามผู้ช่วย")
        widget.locator("summary").click()
        expect(page.locator("#assistant-widget")).to_have_attribute("open", "")
        # The live region is in the accessibility tree before the first answer (never display:none,
        # or screen readers would miss what is added to it).
        log = page.get_by_role("log")
        expect(log).to_have_count(1)
        expect(log).to_have_attribute("aria-live", "polite")

        page.get_by_label("คำถามของคุณ").fill(QUESTION)
        page.locator("#assistant-form").get_by_role("button", name="ส่ง").click()
        expect(page).to_have_url(re.compile(r"/services$"))  # the script answered in place; no page load
        expect(log.locator(".assistant-msg.user")).to_have_text(QUESTION)
        answer = log.locator(".assistant-msg.bot")
        expect(answer).to_contain_text(SERVICE_NAME_TH)
        expect(answer).not_to_contain_text("กำลังค้นหาคำตอบ")
        expect(page.get_by_label("คำถามของคุณ")).to_be_focused()
        source = answer.locator(f'a[href="/services/{SERVICE_ID}"]')
        expect(source).to_have_count(1)
        expect(answer.locator('a[href^="/assistant/faq#"]')).to_have_count(1)  # the FAQ entry it used
        page.screenshot(path=str(shots / "01-widget-answer.png"), full_page=True)
        found = blocking_violations(page, "widget-open")
        assert not found, f"axe found serious/critical violations with the widget open: {found}"

        source.click()
        expect(page).to_have_url(re.compile(rf"/services/{SERVICE_ID}$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(SERVICE_NAME_TH)
        page.screenshot(path=str(shots / "02-service-page.png"), full_page=True)
    except Exception:
        if not page.is_closed():
            page.screenshot(path=str(shots / "failed-widget.png"), full_page=True)
        raise
    finally:
        ctx.close()


def test_answer_page_is_accessible(browser: Browser, live_server: LiveServer, shots: Path) -> None:
    """axe needs JavaScript, so the server-rendered answer page is checked in a normal browser (the
    form page's own form is not enhanced by the script: it posts like it does without JavaScript)."""
    ctx = context(browser, live_server.url)
    page = ctx.new_page()
    try:
        page.goto("/assistant")
        page.locator("main textarea#question").fill(QUESTION)
        page.locator("main form").get_by_role("button", name="ถาม").click()
        expect(page.locator("section.assistant-answer")).to_contain_text(SERVICE_NAME_TH)
        page.screenshot(path=str(shots / "05-answer-page.png"), full_page=True)
        found = blocking_violations(page, "answer-page")
        assert not found, f"axe found serious/critical violations on the answer page: {found}"
    finally:
        ctx.close()


def test_without_javascript_the_widget_and_the_form_page_answer(browser: Browser, live_server: LiveServer,
                                                                shots: Path) -> None:
    ctx = context(browser, live_server.url, javascript=False)
    page = ctx.new_page()
    try:
        # The widget is a plain form: it posts to /assistant, which shows the answer with its sources.
        page.goto("/")
        page.locator("aside.assistant-widget summary").click()
        page.get_by_label("คำถามของคุณ").first.fill(QUESTION)
        page.locator("#assistant-form").get_by_role("button", name="ส่ง").click()
        expect(page).to_have_url(re.compile(r"/assistant$"))
        section = page.locator("section.assistant-answer")
        expect(section.get_by_role("heading", name="คำตอบ")).to_be_visible()
        expect(section).to_contain_text(SERVICE_NAME_TH)
        expect(section.locator(f'a[href="/services/{SERVICE_ID}"]')).to_have_count(1)
        page.screenshot(path=str(shots / "03-no-js-answer.png"), full_page=True)

        # The form page itself: a question outside what Pracha knows gets the polite refusal.
        page.locator("main textarea#question").fill("ขอวีซ่าท่องเที่ยวญี่ปุ่น")
        page.locator("main form").get_by_role("button", name="ถาม").click()
        expect(page.locator("section.assistant-answer")).to_contain_text("1111")
        expect(page.locator("section.assistant-answer a[href^='/services/']")).to_have_count(0)

        # And an in-scope one asked on the form page follows through to the service page.
        page.locator("main textarea#question").fill("ย้ายทะเบียนบ้านต้องใช้อะไร")
        page.locator("main form").get_by_role("button", name="ถาม").click()
        link = page.locator("section.assistant-answer a[href='/services/change-of-address']")
        expect(link).to_have_count(1)
        link.click()
        expect(page).to_have_url(re.compile(r"/services/change-of-address$"))
        page.screenshot(path=str(shots / "04-no-js-service-page.png"), full_page=True)
    except Exception:
        if not page.is_closed():
            page.screenshot(path=str(shots / "failed-no-js.png"), full_page=True)
        raise
    finally:
        ctx.close()
