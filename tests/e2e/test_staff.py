"""Staff tools in Chromium on the demo portal (SQLite and PostgreSQL): the officer of the elderly welfare
office opens /admin, finds every page of it in the menu, takes two fresh applications, writes an internal
note, views a document inline, and takes both into review at once from the queue."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from pracha.db import begin_write, make_engine, make_sessionmaker
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.services import service
from pracha.services.catalog import load_catalog
from pracha.vault import attach_keyring
from tests.e2e.portal import DEMO_PORTAL_GROUP, REPO_ROOT, DemoPortal, new_citizen, sign_in_staff
from tests.services.helpers import ELDERLY_FORM, PDF

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
OFFICER = "officer.cm-elderly-welfare"
NOTE = "โทรยืนยันเลขบัญชีกับผู้ยื่นแล้ว ตรงกับสมุดบัญชี"


def photo() -> bytes:
    """A real (decodable) PNG, as a phone would send a photo of a card."""
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def submitted_application(portal: DemoPortal, national_id: str) -> str:
    """An elderly-allowance application of a fresh citizen, submitted straight in the portal's database
    (no bot queued for it, so it waits for an officer); its reference."""
    settings = portal.settings()
    catalog = load_catalog(REPO_ROOT / "catalog")
    engine = make_engine(portal.database_url)
    attach_keyring(engine, settings=settings)
    try:
        with make_sessionmaker(engine)() as db:
            begin_write(db)  # the running server writes too: take SQLite's write lock before reading
            citizen = db.scalar(select(User).where(User.national_id_index == national_id))
            assert citizen is not None
            me = Principal(user=citizen)
            application = service.create_application(db, catalog, me, "elderly-allowance", ELDERLY_FORM)
            storage = service.Storage(settings.upload_dir, settings.max_upload_bytes)
            for requirement, name, content, kind in (("id-card", "บัตรประชาชน.png", photo(), "image/png"),
                                                     ("house-registration", "ทะเบียนบ้าน.pdf", PDF, "application/pdf")):
                service.add_document(db, storage, catalog, me, application, requirement=requirement, filename=name,
                                     content_type=kind, stream=io.BytesIO(content))
            service.act(db, catalog, me, application, "submit", declaration=True)
            db.commit()
            return application.reference
    finally:
        engine.dispose()


def test_officer_assigns_notes_views_inline_and_reviews_two_at_once(browser: Browser, demo_portal: DemoPortal
                                                                     ) -> None:
    references = [submitted_application(demo_portal, new_citizen(demo_portal, first_name=name, last_name="ทดสอบงาน",
                                                                 birth_year=1950))
                  for name in ("บุญมี", "บุญมา")]
    context = demo_portal.context(browser)
    try:
        page = context.new_page()
        sign_in_staff(page, OFFICER)

        page.goto("/admin")
        expect(page.locator("h1")).to_have_text("หน้าหลักเจ้าหน้าที่")
        listed = page.locator("#staff-pages a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert "/officer/queue" in listed and "/admin/tokens" not in listed  # an officer holds no tokens
        in_menu = page.locator("header nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert {p for p in listed if p not in ("/ledger", "/docs")} <= set(in_menu)
        assert "/admin" in in_menu
        expect(page.locator("footer a[href='/docs']")).to_be_visible()

        for reference in references:  # take both
            page.goto(f"/applications/{reference}")
            expect(page.locator("#assignee")).to_have_text("ยังไม่มีผู้รับผิดชอบ")
            page.locator("#assign-me").click()
            page.wait_for_url(re.compile(rf"/applications/{reference}"))
            expect(page.locator("#assignee")).not_to_have_text("ยังไม่มีผู้รับผิดชอบ")
            expect(page.locator("#assign-me")).to_have_count(0)

        page.locator("#field-note").fill(NOTE)
        page.locator("form[action$='/notes'] button[type=submit]").click()
        expect(page.locator(".case-log")).to_contain_text(NOTE)

        expect(page.locator(".document-views a").nth(0)).to_contain_text("ดูบัตรประจำตัวประชาชน")
        page.locator(".document-views a").nth(0).click()
        image = page.locator("#viewer img")
        expect(image).to_be_visible()
        page.wait_for_function("() => document.querySelector('#viewer img').naturalWidth === 120")
        with page.expect_response(re.compile(r"/documents/\d+/inline$")) as shown:
            page.locator(".document-views a").nth(1).click()
        expect(page.locator("#viewer iframe")).to_have_attribute("title", re.compile("ทะเบียนบ้าน.pdf"))
        assert shown.value.status == 200
        assert shown.value.headers["content-disposition"].startswith("inline")

        page.goto("/officer/queue?assignee=mine")
        for reference in references:
            page.locator(f"#select-{reference}").check()
        page.locator("#bulk-action").select_option("review")
        page.locator("#bulk-submit").click()
        results = page.locator("#bulk-results")
        expect(page.locator("main")).to_contain_text("ดำเนินการแล้ว 2 จาก 2 รายการ")
        for reference in references:
            expect(results.locator("tr", has_text=reference)).to_contain_text("สำเร็จ")
        page.goto(f"/applications/{references[1]}")
        expect(page.locator("#status")).to_contain_text("เจ้าหน้าที่กำลังพิจารณา")
    finally:
        context.close()
