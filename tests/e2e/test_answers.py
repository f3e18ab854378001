"""A new citizen applies for the elderly allowance in Chromium on the demo portal (SQLite and PostgreSQL):
attaches a phone photo over 6 MB, removes a document, checks the answers and changes one, declares and
submits, reads what happens next, withdraws after confirming, and deletes a draft."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.portal import DEMO_PORTAL_GROUP, DemoPortal, new_citizen, sign_in_citizen
from tests.factories import PASSWORD
from tests.services.helpers import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
SERVICE = "elderly-allowance"


def attach(page: Page, requirement: str, path: Path) -> None:
    form = page.locator("form#upload")
    form.locator("select[name=requirement]").select_option(requirement)
    form.locator("input[name=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.locator("ul.documents")).to_contain_text(path.name)


def start_draft(page: Page, phone: str) -> str:
    page.goto(f"/services/{SERVICE}/apply")
    page.locator("#field-payment_method").select_option("cash")
    page.locator("#field-phone").fill(phone)
    page.locator("#field-monthly_income").fill("0")
    page.locator(f'form[action="/services/{SERVICE}/apply"] button[type=submit]').click()
    expect(page).to_have_url(re.compile(r"/applications/[^/?#]+$"))
    return page.locator("#reference").inner_text().strip()


def test_check_answers_declare_submit_withdraw_delete(browser: Browser, demo_portal: DemoPortal,
                                                      tmp_path: Path) -> None:
    photo = tmp_path / "IMG_0412.jpg"
    Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3)).save(photo, "JPEG", quality=80)
    assert photo.stat().st_size > 6 * 1024 * 1024
    house, bank = tmp_path / "house.pdf", tmp_path / "bank.pdf"
    house.write_bytes(PDF)
    bank.write_bytes(PDF.replace(b"%%EOF", b"% bank\n%%EOF"))
    national_id = new_citizen(demo_portal, first_name="บุญมี", last_name="ตรวจดี", birth_year=1950)
    context = demo_portal.context(browser)
    try:
        page = context.new_page()
        sign_in_citizen(page, national_id, PASSWORD)
        reference = start_draft(page, "0812345678")

        attach(page, "id-card", photo)  # 6 MB+ from a phone: accepted, stored small
        size = page.locator("ul.documents li", has_text=photo.name).locator(".muted").inner_text()
        assert float(re.sub(r"[^\d.]", "", size)) < 2048  # KB
        attach(page, "house-registration", house)
        attach(page, "bank-book", bank)
        page.locator("ul.documents li", has_text=bank.name).get_by_role("button").click()
        expect(page.locator("ul.documents")).not_to_contain_text(bank.name)

        page.locator(f'a[href="/applications/{reference}/check"]').click()
        expect(page.locator("h1")).to_have_text("ตรวจสอบคำตอบของท่านก่อนยื่น")
        expect(page.locator("#answer-payment_method")).to_have_text("รับเงินสดด้วยตนเอง")
        expect(page.locator("#answer-receives_state_pension")).to_have_text("ไม่ใช่")
        expect(page.locator("main")).to_contain_text("หนังสือรับรองการลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ")
        page.locator(f'a[href="/applications/{reference}#field-phone"]').click()  # change one answer
        page.locator("#field-phone").fill("0898765432")
        page.locator(f'form[action="/applications/{reference}/form"] button[type=submit]').click()
        page.goto(f"/applications/{reference}/check")
        expect(page.locator("#answer-phone")).to_have_text("0898765432")

        page.locator(f'form[action="/applications/{reference}/check"] button[type=submit]').click()
        expect(page.locator("#error-declaration")).to_be_visible()  # not ticked: refused, said beside it
        page.locator("#field-declaration").check()
        page.locator(f'form[action="/applications/{reference}/check"] button[type=submit]').click()
        expect(page.locator("#next-heading")).to_have_text("ยื่นคำขอเรียบร้อยแล้ว")
        expect(page.locator("#due")).to_contain_text(re.compile(r"\d{1,2} \S+ 25\d\d"))  # a Thai date
        expect(page.locator("#receives")).to_contain_text("หนังสือรับรองการลงทะเบียน")
        expect(page.locator("#declared")).to_be_visible()

        page.locator(f'a[href="/applications/{reference}/withdraw"]').click()  # asks first
        expect(page.locator("h1")).to_have_text("ถอนคำขอนี้หรือไม่")
        page.get_by_role("button", name="ยืนยัน ถอนคำขอ").click()
        expect(page.locator("#status")).to_contain_text("ยกเลิกคำขอแล้ว")

        draft = start_draft(page, "0811111111")
        page.locator(f'a[href="/applications/{draft}/delete"]').click()
        page.get_by_role("button", name="ยืนยัน ลบฉบับร่าง").click()
        expect(page.locator("main")).to_contain_text("ลบฉบับร่างและเอกสารที่แนบแล้ว")
        assert page.goto(f"/applications/{draft}").status == 404  # type: ignore[union-attr]
    finally:
        context.close()
