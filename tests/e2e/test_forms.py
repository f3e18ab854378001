"""Forms that forgive, in Chromium on the demo portal (both engines): an empty Save gets a focused
summary that names and links each field; a phone number with dashes and a Buddhist-Era date are
accepted; a birth in the future is refused beside its field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.portal import DEMO_PORTAL_GROUP, DemoPortal, new_citizen, sign_in_citizen
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]


def test_a_form_that_forgives(browser: Browser, demo_portal: DemoPortal) -> None:
    context = demo_portal.context(browser)
    try:
        page = context.new_page()
        sign_in_citizen(page, new_citizen(demo_portal, birth_year=1990), PASSWORD)
        page.goto("/services/change-of-address/apply")
        page.locator("main form[action='/services/change-of-address/apply'] button[type=submit]").click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()  # without a line of script: autofocus, first in <main>
        expect(summary).to_contain_text("ยังไม่ได้กรอกข้อมูลในแบบฟอร์ม")

        last_year_be = dt.date.today().year + 543 - 1
        page.locator("#field-phone").fill("081-111-2222")
        page.locator("#field-move_in_date").fill("3")
        page.locator("#field-move_in_date__month").select_option(label="ธันวาคม")
        page.locator("#field-move_in_date__year").fill(str(last_year_be + 2))  # not moved in yet
        page.locator("#field-new_house_code").fill("12")
        page.locator("main form[action='/services/change-of-address/apply'] button[type=submit]").click()
        expect(summary).to_be_focused()
        link = summary.get_by_role("link", name=re.compile("^เลขรหัสประจำบ้านของบ้านหลังใหม่: ต้องเป็นตัวเลข 11 หลัก"))
        expect(link).to_have_attribute("href", "#field-new_house_code")
        expect(page.locator("#error-move_in_date")).to_contain_text("วันที่ย้ายเข้าอยู่: แจ้งย้ายเข้าได้หลังจากย้ายเข้าอยู่แล้ว")
        described = re.compile("error-move_in_date")
        expect(page.locator("fieldset.date-input")).to_have_attribute("aria-describedby", described)
        link.click()
        expect(page.locator("#field-new_house_code")).to_be_focused()

        page.locator("#field-move_in_date__year").fill(str(last_year_be))
        page.locator("#field-new_house_code").fill("5001-012345-6")
        page.locator("main form[action='/services/change-of-address/apply'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/applications/[A-Z0-9-]+$"))
        expect(page.locator("#field-phone")).to_have_value("0811112222")
        expect(page.locator("#field-new_house_code")).to_have_value("50010123456")
        expect(page.locator("#field-move_in_date__year")).to_have_value(str(last_year_be))

        page.goto("/services/birth-registration/apply")
        page.locator("#field-birth_date").fill("1")
        page.locator("#field-birth_date__month").select_option("1")
        page.locator("#field-birth_date__year").fill(str(last_year_be + 3))
        page.locator("main form[action='/services/birth-registration/apply'] button[type=submit]").click()
        expect(page.locator("#error-birth_date")).to_contain_text("วันเกิดต้องไม่เป็นวันในอนาคต")
        expect(page.locator("#field-birth_date__year")).to_have_value(str(last_year_be + 3))
    finally:
        context.close()
