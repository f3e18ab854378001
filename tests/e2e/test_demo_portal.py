"""The demo portal serves on both engines: สมชาย signs in and sees his elderly-allowance application."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.portal import DEMO_PORTAL_GROUP, SOMCHAI, DemoPortal, sign_in_citizen

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]


def test_somchai_signs_in_to_the_demo_portal(browser: Browser, demo_portal: DemoPortal) -> None:
    context = demo_portal.context(browser)
    try:
        page = context.new_page()
        sign_in_citizen(page, SOMCHAI)
        page.goto("/me")
        expect(page.locator("main")).to_contain_text("เบี้ยยังชีพผู้สูงอายุ")
    finally:
        context.close()
