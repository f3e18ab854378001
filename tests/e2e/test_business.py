"""In Chromium, on both engines, with the demo portal: issue 16's journey. สมหญิง, a director of บริษัท
ข้าวซอยล้านนา จำกัด, acts for it and starts the "start a business" bundle (the registry fills in what it
knows); the company's signing rule needs two directors, so the bundle waits until วิชัย, the other
director, co-approves it in his own session; the four parts then go to four agencies, the bots move what
they can (VAT and social security check the registry by themselves), the fees are one Thai QR, and the
business dashboard shows the bundle, the permit due for renewal and who did what."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from pracha.demo import DEMO_PDF, KHAOSOI_LANNA, SOMYING, WICHAI
from tests.e2e.portal import DEMO_PORTAL_GROUP, DemoPortal, accessible, sign_in_citizen

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
COMPANY = "บริษัท ข้าวซอยล้านนา จำกัด"
AWAITING = "รอกรรมการอีกท่านอนุมัติร่วม"
# The bots decide these two services from the business registry alone (catalog/services/*.yaml `auto`).
BOT_DECIDED = {"vat-registration", "social-security-employer"}




def until(page: Page, ready: Callable[[], bool], seconds: float = 60.0) -> None:
    """Reload until `ready()` (the task runner works in the background); fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, f"not ready after {seconds} s: {page.url}"
        page.wait_for_timeout(500)
        page.reload()


def act_for_company(page: Page) -> None:
    page.goto("/me/organisations")
    page.locator(f"#act-{KHAOSOI_LANNA}").check()
    page.get_by_role("button", name="ดำเนินการต่อ").click()
    expect(page.locator(".acting-banner")).to_contain_text(COMPANY)


def fill_date(page: Page, name: str, day: dt.date) -> None:
    page.locator(f"#field-{name}").fill(str(day.day))
    page.locator(f"#field-{name}__month").select_option(str(day.month))
    page.locator(f"#field-{name}__year").fill(str(day.year + 543))


def start_bundle(page: Page, today: dt.date) -> str:
    """Answer only what the registry cannot know; the bundle's reference."""
    page.goto("/bundles/start-a-business/start")
    expect(page.locator("#acting")).to_contain_text(COMPANY)
    expect(page.locator("#parts li")).to_have_count(4)
    for name, value in {"floor_area": "240", "seats": "60", "food_handlers": "6", "opening_hours": "10:00-21:00",
                        "expected_annual_income": "4800000", "employees": "8", "monthly_payroll": "120000",
                        "sign_width_cm": "300", "sign_height_cm": "80", "phone": "0531234567"}.items():
        page.locator(f"#field-{name}").fill(value)
    page.locator("#field-sign_kind").select_option("thai_mixed")
    fill_date(page, "opening_date", today + dt.timedelta(days=30))
    fill_date(page, "first_employee_on", today)
    for registry_field in ("shop_name", "shop_address", "business_activity"):  # left empty on purpose
        expect(page.locator(f"#source-{registry_field}")).to_be_visible()
    page.get_by_role("button", name="เริ่มและบันทึกเป็นฉบับร่าง").click()
    page.wait_for_url("**/bundles/*")
    reference = page.locator("#reference").inner_text().strip()
    expect(page.locator("#status")).to_have_text("ฉบับร่าง")
    expect(page.locator("#field-shop_name")).to_have_value(COMPANY)  # from the registry, with its source
    expect(page.locator("#source-shop_name")).to_contain_text("ทะเบียนนิติบุคคล")
    return reference


def attach_documents(page: Page, reference: str) -> None:
    """Every part's required documents through the API, in the same signed-in session (with its CSRF)."""
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    bundle = page.request.get(f"/api/v1/bundles/{reference}")
    assert bundle.status == 200, bundle.text()
    parts = bundle.json()["parts"]
    assert len(parts) == 4 and all(part["missing_documents"] for part in parts)
    for part in parts:
        for document in part["missing_documents"]:
            sent = page.request.post(
                f"/api/v1/applications/{part['reference']}/documents", headers={"X-CSRF-Token": csrf},
                multipart={"requirement": document["id"],
                           "file": {"name": f"{document['id']}.pdf", "mimeType": "application/pdf",
                                    "buffer": DEMO_PDF}})
            assert sent.status == 201, sent.text()
    page.reload()
    expect(page.locator("#parts")).not_to_contain_text("เอกสารที่ยังต้องแนบ")


def declare_and(page: Page, button: str) -> None:
    page.locator("#field-declaration").check()
    page.locator(button).click()
    page.wait_for_load_state()


def test_two_directors_start_a_business_four_agencies_bots_and_dashboard(
        browser: Browser, demo_portal: DemoPortal) -> None:
    today = dt.datetime.now(ZoneInfo("Asia/Bangkok")).date()
    somying_context, wichai_context = demo_portal.context(browser), demo_portal.context(browser)
    try:
        somying = somying_context.new_page()
        sign_in_citizen(somying, SOMYING[2])
        act_for_company(somying)
        reference = start_bundle(somying, today)
        accessible(somying)  # the draft bundle: answers with their sources, parts, declaration
        attach_documents(somying, reference)
        declare_and(somying, "#submit-bundle")
        expect(somying.locator("#status")).to_have_text(AWAITING)
        expect(somying.locator("#co-approval")).to_contain_text("สมหญิง รักไทย")
        expect(somying.locator("#co-approve")).to_have_count(0)  # the one who asked cannot approve too
        expect(somying.locator("td.part-status[data-status=draft]")).to_have_count(4)

        wichai = wichai_context.new_page()
        sign_in_citizen(wichai, WICHAI[2])
        act_for_company(wichai)
        wichai.goto(f"/bundles/{reference}")
        expect(wichai.locator("#status")).to_have_text(AWAITING)
        declare_and(wichai, "#co-approve")
        expect(wichai.locator("#status")).not_to_have_text(AWAITING)
        expect(wichai.locator("td.part-status[data-status=draft]")).to_have_count(0)
        agencies = wichai.locator("#parts tbody tr td:nth-child(2)").all_inner_texts()
        assert len(agencies) == 4 and len(set(agencies)) == 4, agencies

        def bots_moved() -> bool:
            parts = wichai.request.get(f"/api/v1/bundles/{reference}").json()["parts"]
            return any(p["service_id"] in BOT_DECIDED and p["status"] != "submitted" for p in parts)

        until(wichai, bots_moved)
        wichai.reload()  # the last reload may have come just before the bot's decision
        moved = wichai.locator("td.part-status:not([data-status=submitted]):not([data-status=draft])")
        expect(moved.first).to_be_visible()  # the page shows it in words too
        expect(wichai.locator("#bundle-payment")).to_be_visible()
        amount = wichai.locator("#bundle-payment").inner_text()
        wichai.locator("#pay-bundle").click()
        expect(wichai.locator("#bundle-fees")).to_contain_text(reference)
        expect(wichai.locator("#bundle-fees tbody tr").first).to_be_visible()
        assert wichai.locator("#pay-amount").inner_text() in amount  # one QR for every part's fee
        expect(wichai.locator("#bundle-fees tbody tr")).to_have_count(2)  # the food-shop permit and the sign tax
        accessible(wichai)

        wichai.goto("/business")
        expect(wichai.locator("#organisation")).to_contain_text(COMPANY)
        expect(wichai.locator("#bundles")).to_contain_text(reference)
        expect(wichai.locator("#renewals")).to_contain_text("ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร")
        expect(wichai.locator("#licences")).to_contain_text("ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร")
        expect(wichai.locator("#activity")).to_contain_text("วิชัย ศรีสุข")
        accessible(wichai)
        for path in ("/me/organisations", "/business/people", "/bundles/start-a-business/start"):
            wichai.goto(path)
            accessible(wichai)
    finally:
        somying_context.close()
        wichai_context.close()
