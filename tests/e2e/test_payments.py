"""In Chromium, on both engines, with the demo portal and its demo bank (a separate process): สมหญิง pays
her commercial registration's 50-baht fee by "scanning" in the demo bank; the bank's signed callback
marks it paid, the application moves on by itself (the certificate is issued), and her e-receipt prints
correct Thai. The finance officer then refunds it through the bank, and repairs a payment whose callback
was lost by reconciling the day with the bank's statement."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.portal import DEMO_PORTAL_GROUP, SOMYING, DemoPortal, sign_in_citizen, sign_in_staff

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
FINANCE = "finance.cm-commercial-registry"
# Another finance officer for the second journey: a staff member's one-time code is refused if used twice
# within its 30 s, and both journeys may sign in within one such window.
BUILDING_FINANCE = "finance.cm-building-control"


def until(page: Page, ready: Callable[[], bool], seconds: float = 90.0) -> None:
    """Reload until `ready()` (the task runner works in the background); fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, f"not ready after {seconds} s: {page.url}"
        page.wait_for_timeout(500)
        page.reload()


def test_somying_pays_by_thai_qr_gets_receipt_and_document_then_finance_refunds(
        browser: Browser, demo_portal: DemoPortal, tmp_path: Path) -> None:
    context = demo_portal.context(browser)
    try:
        page = context.new_page()
        sign_in_citizen(page, SOMYING)
        due = [x for x in page.request.get("/api/v1/me/payments").json()["items"]
               if x["service_id"] == "commercial-registration" and x["status"] == "due"]
        assert len(due) == 1 and due[0]["amount"] == "50.00"
        reference = due[0]["application"]
        page.goto(f"/applications/{reference}/pay")
        expect(page.locator("#pay-amount")).to_have_text("50.00")
        expect(page.locator("#fee-total")).to_contain_text("50.00")
        page.locator("#demo-bank").click()  # the bank's page, as a banking app after scanning
        expect(page.locator("h1")).to_contain_text("ชำระ")
        page.get_by_role("button", name="ชำระเงิน").click()
        expect(page.locator("#transaction-id")).not_to_be_empty()
        page.get_by_role("link", name="กลับไปยังบริการของรัฐ").click()
        expect(page.locator("#verdict")).to_have_text("ชำระแล้ว")
        until(page, lambda: page.get_by_role("link", name="ดาวน์โหลดใบเสร็จรับเงินอิเล็กทรอนิกส์", exact=False)
              .count() > 0)
        with page.expect_download() as download:
            page.get_by_role("link", name="ดาวน์โหลดใบเสร็จรับเงินอิเล็กทรอนิกส์", exact=False).click()
        saved = tmp_path / "receipt.pdf"
        download.value.save_as(saved)
        text = subprocess.run(["pdftotext", "-layout", str(saved), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "ห้าสิบบาทถ้วน" in text and "สมหญิง รักไทย" in text and reference in text
        # the application went on by itself: the certificate waited for the fee and is issued now
        until(page, lambda: any(d["service_id"] == "commercial-registration" and d["kind"] == "document"
                                for d in page.request.get("/api/v1/me/documents").json()["items"]))
        receipt = next(d for d in page.request.get("/api/v1/me/documents").json()["items"] if d["kind"] == "receipt"
                       and d["service_id"] == "commercial-registration")

        staff = context.browser.new_context(base_url=demo_portal.url, locale="th-TH") if context.browser else None
        assert staff is not None
        office = staff.new_page()
        sign_in_staff(office, FINANCE)
        office.goto("/finance?status=paid")
        row = office.locator("#payments tr", has_text=reference)
        row.locator("input[name=reason]").fill("ผู้ขอยื่นซ้ำกับคำขอเดิม")
        row.get_by_role("button", name="คืนเงิน").click()
        expect(office.locator("#payments")).to_contain_text(reference)
        page.goto(receipt["verify_url"])
        expect(page.locator("#verdict")).to_have_text("คืนเงินแล้ว")
        staff.close()
    finally:
        context.close()


def test_a_lost_callback_is_repaired_by_reconciliation(browser: Browser, demo_portal: DemoPortal) -> None:
    context = demo_portal.context(browser)
    try:
        office = context.new_page()
        sign_in_staff(office, BUILDING_FINANCE)
        office.goto("/finance")
        expect(office.locator("h1")).to_have_text("ค่าธรรมเนียมและการชำระเงิน")
        listed = office.request.get("/api/v1/payments?status=due")
        assert listed.status == 200, listed.text()
        due = listed.json()["items"]
        payment = next(x for x in due if x["application"] and x["promptpay_payload"])
        paid = httpx.post(f"{demo_portal.bank_url}/pay",
                          json={"payload": payment["promptpay_payload"], "notify": False}, timeout=30)
        assert paid.status_code == 201 and paid.json()["callback"] == "skipped"
        office.goto("/finance")
        office.get_by_role("button", name="กระทบยอดวันนี้กับรายการเดินบัญชีของธนาคารทันที").click()
        until(office, lambda: office.locator("#discrepancies tr.discrepancy-missed_callback",
                                             has_text=paid.json()["transaction_id"]).count() > 0)
        states = {x["id"]: x for x in office.request.get("/api/v1/payments?status=paid").json()["items"]}
        assert states[payment["id"]]["status"] == "paid"
    finally:
        context.close()
