"""In Chromium, on both engines, with the demo portal: สมหญิง opens her wallet, finds her building
permit (its fee paid at the counter), downloads the PDF, and checks it on /verify, which shows her
name partly masked and says in words what was checked; uploading the downloaded file confirms it byte
for byte. Read-only: the document was issued when the demo was seeded."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.portal import DEMO_PORTAL_GROUP, SOMYING, DemoPortal, sign_in_citizen

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]


def test_wallet_lists_downloads_and_verify_shows_the_masked_holder(
        browser: Browser, demo_portal: DemoPortal, tmp_path: Path) -> None:
    context = demo_portal.context(browser, width=375)
    try:
        page = context.new_page()
        sign_in_citizen(page, SOMYING)
        page.goto("/me/documents")
        expect(page.locator("h1")).to_have_text("เอกสารของฉัน")
        card = page.locator("li.document", has_text="ใบอนุญาตก่อสร้างอาคาร")
        expect(card).to_contain_text("ใช้ได้")
        expect(card).to_contain_text("งานควบคุมอาคาร")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        with page.expect_download() as download:
            card.get_by_role("link", name="ดาวน์โหลด PDF").click()
        saved = tmp_path / "registration.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF")
        card.get_by_role("link", name="ตรวจสอบเอกสารนี้").click()
        expect(page.locator("#verdict")).to_have_text("ใช้ได้")
        expect(page.locator("#holder")).to_have_text("สมหญิง ร***")
        expect(page.locator("main")).to_contain_text("ลายมือชื่ออิเล็กทรอนิกส์ของหน่วยงานผู้ออกถูกต้อง")
        expect(page.locator("main")).not_to_contain_text("รักไทย")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.locator("#field-file").set_input_files(str(saved))
        page.get_by_role("button", name="ตรวจไฟล์").click()
        expect(page.locator("#file-check")).to_contain_text("ตรงกับไฟล์ที่ออกให้ทุกประการ")
    finally:
        context.close()
