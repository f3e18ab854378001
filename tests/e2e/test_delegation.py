"""In Chromium, on both engines, with the demo portal: issue 19's acting for someone. An elderly father
authorises his daughter for the elderly allowance on /me/delegations; she chooses to act for him, sees
the banner, applies for the allowance in his name (the form, two documents, the declaration) and submits;
he sees her step under "actions taken for you" and on the timeline, and revokes; her next page shows her
as herself again. axe on each new page (no serious or critical violation)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from pracha.demo import DEMO_PDF
from tests.e2e.portal import (
    DEMO_PORTAL_GROUP,
    SOMCHAI,
    DemoPortal,
    accessible,
    new_citizen,
    no_problem_shown,
    sign_in_citizen,
)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
FATHER, DAUGHTER = ("บุญส่ง", "ยืนยง"), ("ศรีสุดา", "ยืนยง")
ALLOWANCE = "elderly-allowance"






def apply_for_the_allowance(page: Page, document: Path) -> str:
    """The elderly-allowance form, its two required documents and the declaration; the reference."""
    page.goto(f"/services/{ALLOWANCE}/apply")
    page.get_by_label("ช่องทางการรับเงินเบี้ยยังชีพ").select_option("bank_transfer")
    page.locator("#field-bank_name").select_option("ktb")
    page.get_by_label("เลขที่บัญชีเงินฝากธนาคาร").fill("9876543210")
    page.get_by_label("หมายเลขโทรศัพท์").fill("0898765432")
    page.get_by_label("รายได้เฉลี่ยต่อเดือนของท่าน (บาท)").fill("0")
    page.locator(f'form[action="/services/{ALLOWANCE}/apply"] button[type="submit"]').click()
    no_problem_shown(page, "saving the draft")
    expect(page).to_have_url(re.compile(r"/applications/[^/?#]+$"))
    reference = page.locator("#reference").inner_text().strip()
    for requirement in ("id-card", "house-registration"):
        form = page.locator("form[enctype='multipart/form-data']")
        form.locator('select[name="requirement"]').select_option(requirement)
        form.locator('input[name="file"]').set_input_files(str(document))
        form.locator("button[type=submit]").click()
        no_problem_shown(page, f"attaching {requirement}")
    page.locator(f'a[href="/applications/{reference}/check"]').click()
    page.locator("#field-declaration").check()
    page.locator(f'form[action="/applications/{reference}/check"] button[type=submit]').click()
    no_problem_shown(page, f"submitting {reference}")
    return reference


def test_daughter_applies_for_her_father_who_sees_it_and_revokes(browser: Browser, demo_portal: DemoPortal,
                                                                 tmp_path: Path) -> None:
    father_id = new_citizen(demo_portal, first_name=FATHER[0], last_name=FATHER[1], birth_year=1950)
    daughter_id = new_citizen(demo_portal, first_name=DAUGHTER[0], last_name=DAUGHTER[1], birth_year=1982)
    document = tmp_path / "document.pdf"
    document.write_bytes(DEMO_PDF)
    father_context, daughter_context = demo_portal.context(browser), demo_portal.context(browser)
    try:
        father = father_context.new_page()
        sign_in_citizen(father, father_id, PASSWORD)
        father.locator("header nav").get_by_role("link", name="การมอบอำนาจ").click()
        expect(father.get_by_role("heading", level=1)).to_have_text("การมอบอำนาจ")
        accessible(father)
        father.locator("#field-national_id").fill(daughter_id)
        father.locator("#field-relationship").select_option("child")
        father.locator(f"#svc-{ALLOWANCE}").check()
        father.get_by_role("button", name="มอบอำนาจ", exact=True).click()
        no_problem_shown(father, "authorising the daughter")
        expect(father.locator("main [role=status]")).to_contain_text("มอบอำนาจเรียบร้อยแล้ว")
        expect(father.locator("#given")).to_contain_text(" ".join(DAUGHTER))
        expect(father.locator("#given")).to_contain_text("เบี้ยยังชีพผู้สูงอายุ")
        accessible(father)

        daughter = daughter_context.new_page()
        sign_in_citizen(daughter, daughter_id, PASSWORD)
        daughter.goto("/me/delegations")
        expect(daughter.locator("#received")).to_contain_text(" ".join(FATHER))
        accessible(daughter)
        daughter.get_by_role("button", name=f"ดำเนินการแทน {' '.join(FATHER)}").click()
        expect(daughter).to_have_url(re.compile(r"/me$"))
        banner = daughter.locator(".acting-banner")
        expect(banner).to_contain_text(" ".join(FATHER))
        expect(banner).to_contain_text("ผู้รับมอบอำนาจ")
        banner.get_by_role("link").click()  # "Switch": whom to act for
        expect(daughter).to_have_url(re.compile(r"/me/acting-for$"))
        expect(daughter.locator("main input[name=grantor]:checked")).not_to_have_value("self")
        accessible(daughter)

        reference = apply_for_the_allowance(daughter, document)
        expect(daughter.locator("#status")).not_to_contain_text("ฉบับร่าง")  # submitted (a bot may move it on)
        expect(daughter.locator(".timeline")).to_contain_text(f"{' '.join(DAUGHTER)} (ผู้รับมอบอำนาจ)")
        expect(daughter.locator(".acting-banner")).to_contain_text(" ".join(FATHER))

        father.goto("/me/delegations")
        actions = father.locator("#actions")
        expect(actions).to_contain_text(reference)
        expect(actions).to_contain_text(" ".join(DAUGHTER))
        actions.get_by_role("link", name=reference).first.click()  # started, then submitted: two steps
        expect(father.locator(".timeline")).to_contain_text(" ".join(DAUGHTER))
        father.goto("/me/delegations")
        father.get_by_role("button", name=f"เพิกถอนการมอบอำนาจให้ {' '.join(DAUGHTER)}").click()
        expect(father.locator("main [role=status]")).to_contain_text("สิ้นสุดแล้ว")
        expect(father.locator("#given")).to_contain_text("เพิกถอนแล้ว")

        daughter.goto("/me")  # her next page: herself again, his application is not on her list
        expect(daughter.locator(".acting-banner")).to_have_count(0)
        expect(daughter.locator("main")).not_to_contain_text(reference)
        daughter.goto(f"/applications/{reference}")
        expect(daughter.get_by_role("heading", level=1)).not_to_have_text("เบี้ยยังชีพผู้สูงอายุ")
    finally:
        father_context.close()
        daughter_context.close()


def test_the_demo_family(browser: Browser, demo_portal: DemoPortal) -> None:
    """สมชาย authorised his daughter สมหญิง in the demo; the disability allowance she started for him
    is on his list of actions taken for him."""
    context = demo_portal.context(browser)
    try:
        page = context.new_page()
        sign_in_citizen(page, SOMCHAI)
        page.goto("/me/delegations")
        expect(page.locator("#given")).to_contain_text("สมหญิง รักไทย")
        expect(page.locator("#actions")).to_contain_text("สมหญิง รักไทย")
        expect(page.locator("#actions")).to_contain_text("เบี้ยความพิการ")
    finally:
        context.close()
