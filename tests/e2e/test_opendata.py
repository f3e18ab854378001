"""Open data in Chromium on the demo portal (both engines): a visitor searches /data in Thai, narrows by a
facet, opens a dataset and sees its preview table; an agency admin creates a dataset and uploads a CSV;
axe finds no serious violation on the search and the dataset page. The visitor's dataset is the demo's;
the admin's is new (a name of its own per run), so the shared portal keeps what other tests see."""

from __future__ import annotations

import itertools
import os
import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.portal import DEMO_PORTAL_GROUP, DemoPortal, accessible, sign_in_staff

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
AGENCY = "cm-elderly-welfare"
DATASET = "cm-elderly-allowance-recipients-by-subdistrict"  # the demo's (pracha.opendata.demo_datasets)
_names = itertools.count(1)




def test_visitor_searches_filters_and_previews_then_an_agency_admin_publishes(
        browser: Browser, demo_portal: DemoPortal) -> None:
    visitor_context, admin_context = demo_portal.context(browser), demo_portal.context(browser)
    try:
        visitor = visitor_context.new_page()
        visitor.goto("/data")
        visitor.locator("#data-q").fill("เบี้ยยังชีพผู้สูงอายุ")
        visitor.locator("form[role=search] button[type=submit]").click()
        expect(visitor.locator(f".results a[href='/data/dataset/{DATASET}']")).to_be_visible()
        accessible(visitor)
        visitor.locator(f".facets a[href*='organization={AGENCY}']").click()
        expect(visitor.locator("#facet-organization + ul a[aria-current='true']")).to_have_count(1)
        expect(visitor.locator(".chips")).to_contain_text("หน่วยงาน")  # the active filter, removable
        visitor.locator(f".results a[href='/data/dataset/{DATASET}']").click()
        expect(visitor.locator("h1")).to_contain_text("เบี้ยยังชีพผู้สูงอายุ อำเภอเมืองเชียงใหม่")
        expect(visitor.locator("table.preview")).to_contain_text("ศรีภูมิ")
        expect(visitor.locator("#metadata + dl")).to_contain_text("ประเภทชุดข้อมูล")
        accessible(visitor)

        admin = admin_context.new_page()
        sign_in_staff(admin, f"admin.{AGENCY}")
        admin.goto("/data/publish")
        admin.get_by_role("link", name="สร้างชุดข้อมูลใหม่").click()
        name = f"e2e-{demo_portal.engine}-{os.getpid()}-{next(_names)}"
        admin.locator("#field-title").fill("จำนวนผู้ยื่นขอเบี้ยยังชีพรายเดือน")
        admin.locator("#field-name").fill(name)
        admin.locator("#field-notes").fill("จำนวนคำขอเบี้ยยังชีพผู้สูงอายุที่ยื่นในแต่ละเดือน")
        admin.locator("#field-data_type").select_option("ข้อมูลสถิติ")
        admin.get_by_label("เพื่อการให้บริการประชาชน").check()
        admin.locator("#field-update_frequency_unit").select_option("เดือน")
        admin.locator("#field-geo_coverage").select_option("อำเภอ")
        admin.locator("#field-data_source").fill("ระบบประชา")
        admin.get_by_label("CSV", exact=True).check()
        admin.locator("#field-maintainer").fill("ฝ่ายสถิติ")
        admin.locator("#field-maintainer_email").fill("stat@example.go.th")
        admin.locator("main form button[type=submit]").last.click()
        admin.wait_for_url(f"**/data/dataset/{name}?saved=1")
        admin.get_by_role("link", name="เพิ่มไฟล์หรือลิงก์").click()
        admin.locator("#field-file").set_input_files(
            {"name": "requests.csv", "mimeType": "text/csv", "buffer": "เดือน,คำขอ\nมกราคม,120\nกุมภาพันธ์,98\n".encode()})
        admin.locator("main form button[type=submit]").last.click()
        expect(admin.locator("table.preview")).to_contain_text("กุมภาพันธ์")
        expect(admin.locator(".resource code.hash").first).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    finally:
        visitor_context.close()
        admin_context.close()
