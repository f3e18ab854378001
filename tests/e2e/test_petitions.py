"""The petition journey in Chromium on the demo portal (both engines): three fresh citizens support the
demo's hazardous-waste petition until it reaches its threshold, the hourly clock reminds the agency (run
at a time a week before the answer is due), the agency admin answers on the officer's page, the public
page shows the answer, and `pracha ledger recount-petition` recounts it from the public log: matches.

The test owns the demo petition (no other test touches it) and its three new citizens."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import httpx
import pytest
from playwright.sync_api import Browser, expect

from pracha.db import begin_write, make_engine, make_sessionmaker
from pracha.participation.demo_petitions import HAZARDOUS_WASTE
from pracha.participation.models import Petition
from pracha.participation.petitions_schedule import run_petition_clock
from pracha.vault import attach_keyring
from tests.e2e.portal import DEMO_PORTAL_GROUP, REPO_ROOT, DemoPortal, new_citizen, sign_in_citizen, sign_in_staff
from tests.factories import PASSWORD
from tests.servers import pracha_command

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]
AGENCY = "cm-city-environment"


def demo_petition(portal: DemoPortal) -> dict[str, object]:
    found = httpx.get(f"{portal.url}/api/v1/petitions", params={"agency": AGENCY, "limit": 200}).json()["items"]
    return next(p for p in found if p["title"] == HAZARDOUS_WASTE)


def run_clock_a_week_before_due(portal: DemoPortal, petition_id: int) -> dict[str, int]:
    """The hourly job as the worker runs it, at a time six days before the answer is due."""
    engine = make_engine(portal.database_url)
    attach_keyring(engine, settings=portal.settings())
    try:
        with make_sessionmaker(engine)() as db:
            begin_write(db)  # the running server writes too
            petition = db.get(Petition, petition_id)
            assert petition is not None and petition.response_due_at is not None
            result = run_petition_clock(db, petition.response_due_at - dt.timedelta(days=6), 7)
            db.commit()
            return result
    finally:
        engine.dispose()


def pracha(portal: DemoPortal, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRACHA_DATABASE_URL": portal.database_url, "PRACHA_VAR_DIR": str(portal.var_dir),
           "PRACHA_CATALOG_DIR": str(REPO_ROOT / "catalog"), "PYTHAINLP_OFFLINE": "1"}
    return subprocess.run([*pracha_command(), *args], env=env, cwd=portal.var_dir.parent, capture_output=True,  # noqa: S603
                          text=True, timeout=300, check=False)


def test_citizens_reach_the_threshold_the_agency_answers_and_the_count_recounts(
        browser: Browser, demo_portal: DemoPortal) -> None:
    petition = demo_petition(demo_portal)
    petition_id, before = int(str(petition["id"])), int(str(petition["support_count"]))
    assert before == petition["threshold"] - 3 and petition["threshold_reached_at"] is None
    for n in range(3):
        context = demo_portal.context(browser)
        try:
            page = context.new_page()
            sign_in_citizen(page, new_citizen(demo_portal, first_name=f"ผู้สนับสนุน{n}"), PASSWORD)
            page.goto(f"/petitions/{petition_id}")
            page.get_by_role("button", name="สนับสนุนข้อเสนอนี้").click()
            expect(page.get_by_role("status").filter(has_text="ระบบนับการสนับสนุนของท่านแล้ว")).to_be_visible()
            expect(page.locator("#support-count")).to_have_text(f"{before + n + 1:,}")
            expect(page.get_by_role("link", name="หลักฐานการสนับสนุนของท่าน")).to_be_visible()
        finally:
            context.close()
    reached = demo_petition(demo_portal)
    assert reached["support_count"] == reached["threshold"] and reached["response_due_at"] is not None

    assert run_clock_a_week_before_due(demo_portal, petition_id)["reminders"] >= 1
    context = demo_portal.context(browser)
    try:
        admin = context.new_page()
        sign_in_staff(admin, f"admin.{AGENCY}")
        admin.goto("/officer/petitions")
        card = admin.locator(f"#officer-petition-{petition_id}")
        expect(card).to_contain_text("แจ้งเตือนแล้ว")
        card.get_by_label("คำตอบภาษาไทย").fill("เทศบาลจะตั้งจุดรับขยะอันตรายในทุกชุมชนภายในเดือนมีนาคม")
        card.get_by_role("button", name="เผยแพร่คำตอบ").click()
        expect(admin.locator("#petition-answer")).to_contain_text("เทศบาลจะตั้งจุดรับขยะอันตรายในทุกชุมชน")
        expect(admin.locator("#petition-status")).to_have_text("หน่วยงานตอบแล้ว")
    finally:
        context.close()
    visitor = httpx.get(f"{demo_portal.url}/petitions/{petition_id}")
    assert "เทศบาลจะตั้งจุดรับขยะอันตรายในทุกชุมชน" in visitor.text

    key = pracha(demo_portal, "ledger", "key").stdout.strip()
    recount = pracha(demo_portal, "ledger", "recount-petition", "--url", demo_portal.url, "--petition",
                     str(petition_id), "--key", key)
    assert recount.returncode == 0, recount.stdout + recount.stderr
    assert "matches" in recount.stdout and f"{reached['support_count']:,}".replace(",", "") in recount.stdout
