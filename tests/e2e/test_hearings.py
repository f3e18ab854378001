"""Public hearings in Chromium on the demo portal (both engines): a fresh citizen answers the demo's open
waste-ordinance hearing with a comment; then the agency writes its summary of a closed hearing on the
staff page and the public page shows it. The closed hearing is the test's own (written straight into the
database: a hearing cannot be published with a period already over)."""

from __future__ import annotations

import datetime as dt
import itertools
import os

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from pracha.db import make_engine, make_sessionmaker
from pracha.participation.models import H_OPEN, Hearing
from tests.e2e.portal import DEMO_PORTAL_GROUP, DemoPortal, new_citizen, portal_db, sign_in_citizen, sign_in_staff
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
AGENCY = "cm-city-environment"
_runs = itertools.count(1)


def closed_hearing(portal: DemoPortal, title: str) -> int:
    """A hearing of the agency that closed a minute ago, with nobody's answers."""
    with portal_db(portal, write=True) as db:
        now = dt.datetime.now(dt.UTC)
        hearing = Hearing(agency=AGENCY, kind="project", title_th=title,
                          summary_th="ติดตั้งถังคัดแยกขยะสี่ประเภทในสวนสาธารณะทุกแห่งของเทศบาล",
                          sections=[{"id": "s1", "title_th": "จุดติดตั้ง", "title_en": None}],
                          questions=[], opens_at=now - dt.timedelta(days=20),
                          closes_at=now - dt.timedelta(minutes=1), status=H_OPEN)
        db.add(hearing)
        db.commit()
        return hearing.id


def waste_hearing(portal: DemoPortal) -> int:
    engine = make_engine(portal.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            found = db.scalar(select(Hearing.id).where(Hearing.title_th.like("%การจัดการสิ่งปฏิกูลและมูลฝอย%")))
            assert found is not None
            return found
    finally:
        engine.dispose()


def test_a_citizen_answers_and_the_agency_publishes_its_summary(browser: Browser, demo_portal: DemoPortal) -> None:
    citizen_context, staff_context = demo_portal.context(browser), demo_portal.context(browser)
    try:
        citizen = citizen_context.new_page()
        sign_in_citizen(citizen, new_citizen(demo_portal, first_name="ประชา", last_name="ร่วมคิด"), PASSWORD)
        citizen.goto("/hearings")
        citizen.get_by_role("link", name="ร่างเทศบัญญัติเทศบาลนครเชียงใหม่ เรื่อง การจัดการสิ่งปฏิกูลและมูลฝอย พ.ศ. 2570").click()
        hid = waste_hearing(demo_portal)
        before = int(citizen.locator("#response-count").inner_text())
        comment = f"ขอถังแยกขยะอินทรีย์ให้ทุกซอย ({demo_portal.engine} {os.getpid()}-{next(_runs)})"
        citizen.get_by_label("พร้อม หากเทศบาลแจกถังแยกประเภท").check()
        citizen.get_by_label("หมวด 2 การคัดแยกมูลฝอยที่ต้นทาง").fill(comment)
        citizen.get_by_label("ยินยอมให้เผยแพร่ความคิดเห็นของข้าพเจ้าโดยไม่ระบุชื่อ").check()
        citizen.get_by_role("button", name="ส่งความคิดเห็น").click()
        expect(citizen.locator("[role=status]")).to_contain_text("บันทึกความคิดเห็นของท่านแล้ว")
        assert citizen.url.split("?")[0].endswith(f"/hearings/{hid}")
        expect(citizen.locator(".comments")).to_contain_text(comment)
        assert int(citizen.locator("#response-count").inner_text()) >= before + 1
        expect(citizen.locator("main")).not_to_contain_text("ร่วมคิด")  # no names on the public page
        expect(citizen.get_by_label("หมวด 2 การคัดแยกมูลฝอยที่ต้นทาง")).to_have_value(comment)  # prefilled

        title = f"โครงการถังคัดแยกขยะในสวนสาธารณะ {demo_portal.engine}-{os.getpid()}-{next(_runs)}"
        closed = closed_hearing(demo_portal, title)
        staff = staff_context.new_page()
        sign_in_staff(staff, f"admin.{AGENCY}")
        staff.goto("/officer/hearings")
        staff.get_by_role("link", name=title).click()
        staff.get_by_label("สรุปเป็นภาษาไทย").fill("ประชาชนเห็นด้วยกับการติดตั้งถังคัดแยกขยะ")
        staff.locator("#field-issue_th_1").fill("ขอถังขยะอันตรายด้วย")
        staff.locator("#field-response_th_1").fill("จะติดตั้งจุดรับขยะอันตรายในสวนสาธารณะขนาดใหญ่ 4 แห่ง")
        staff.get_by_role("button", name="เผยแพร่สรุปผล").click()
        staff.wait_for_url(f"**/hearings/{closed}?reported=1*")
        report = staff.locator("#report")
        expect(report).to_contain_text("ประชาชนเห็นด้วยกับการติดตั้งถังคัดแยกขยะ")
        expect(report).to_contain_text("จะติดตั้งจุดรับขยะอันตรายในสวนสาธารณะขนาดใหญ่ 4 แห่ง")
        expect(report.get_by_role("link", name="ผลการรับฟังในรูปแบบข้อมูลเปิด (จำนวนคำตอบและความคิดเห็นที่เผยแพร่)")
               ).to_have_attribute("href", f"/data/dataset/hearing-{closed}-results")
        public = citizen_context.new_page()
        public.goto(f"/hearings/{closed}")
        expect(public.locator("#report")).to_contain_text("ขอถังขยะอันตรายด้วย")
    finally:
        citizen_context.close()
        staff_context.close()
