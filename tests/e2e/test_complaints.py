"""In Chromium, on both engines, with the demo portal: a fresh citizen reports a pothole with a phone
photo (its EXIF position places the report), the city's engineering officer accepts it and resolves it
with a photo of the result, and the citizen sees the answer and rates it (the complaint closes)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.e2e.portal import DEMO_PORTAL_GROUP, DemoPortal, new_citizen, sign_in_citizen, sign_in_staff
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
OFFICER = "officer.cm-city-engineering"  # roads in ศรีภูมิ are the city's engineering division's


def phone_photo(path: Path, color: tuple[int, int, int], gps: bool) -> Path:
    image = Image.new("RGB", (120, 90), color)
    exif = Image.Exif()
    if gps:  # 18°47'24"N 98°59'06"E: the old city of Chiang Mai
        exif.get_ifd(0x8825).update({1: "N", 2: (18.0, 47.0, 24.0), 3: "E", 4: (98.0, 59.0, 6.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def test_citizen_reports_officer_resolves_citizen_rates(browser: Browser, demo_portal: DemoPortal,
                                                        tmp_path: Path) -> None:
    national_id = new_citizen(demo_portal, birth_year=1990)
    citizen = demo_portal.context(browser)
    officer = demo_portal.context(browser)
    try:
        page = citizen.new_page()
        sign_in_citizen(page, national_id, PASSWORD)
        page.goto("/complaints/new")
        expect(page.locator("h1")).to_have_text("แจ้งปัญหา")
        page.get_by_label("ประเภทเรื่อง").select_option("road")
        page.locator("#title").fill("หลุมบนถนนหน้าโรงเรียน")
        page.get_by_label("ปัญหาคืออะไร", exact=False).fill("หลุมลึกประมาณ 20 ซม. รถจักรยานยนต์ล้มบ่อย")
        page.get_by_label("ตำบล").select_option("ศรีภูมิ")
        page.locator("#photos").set_input_files(phone_photo(tmp_path / "before.jpg", (90, 80, 70), gps=True))
        page.get_by_role("button", name="ส่งเรื่อง").click()
        page.wait_for_url(re.compile(r"/complaints/CP\d\d-[A-Z0-9]{6}\?sent=1"))
        reference = page.url.split("/complaints/")[1].split("?")[0]
        expect(page.get_by_role("status")).to_contain_text(reference)
        expect(page.locator("main")).to_contain_text("18.79, 98.985")  # placed by the photo's EXIF

        staff = officer.new_page()
        sign_in_staff(staff, OFFICER)
        staff.goto("/officer/complaints")
        staff.get_by_role("link", name=reference).click()
        staff.locator("#action-accept").check()
        staff.get_by_role("button", name="บันทึก").click()
        expect(staff.get_by_role("status")).to_contain_text("แจ้งผู้แจ้งเรื่องแล้ว")
        staff.locator("#action-resolve").check()
        staff.locator("#note").fill("ปะผิวถนนเรียบร้อยแล้ว")
        staff.locator("#photos").set_input_files(phone_photo(tmp_path / "after.jpg", (40, 40, 40), gps=False))
        staff.get_by_role("button", name="บันทึก").click()
        expect(staff.locator("main")).to_contain_text("ไม่มีสิ่งที่ต้องทำ")

        page.goto(f"/complaints/{reference}")
        expect(page.locator("main")).to_contain_text("ปะผิวถนนเรียบร้อยแล้ว")
        expect(page.get_by_role("img", name=re.compile("รูปหลังการแก้ไข"))).to_be_visible()
        page.locator("label[for=rating-5]").click()
        page.get_by_label("ความเห็น", exact=False).fill("เร็วมาก ขอบคุณ")
        page.get_by_role("button", name="ส่งผลการประเมิน").click()
        expect(page.locator("main")).to_contain_text("ปิดเรื่องแล้ว")
        expect(page.locator("main")).to_contain_text("5 / 5")
        expect(page.get_by_role("button", name="ส่งผลการประเมิน")).to_have_count(0)
    finally:
        citizen.close()
        officer.close()
