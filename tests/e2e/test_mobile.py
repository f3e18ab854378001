"""At 375 px no page scrolls sideways, for every role, on both engines; the menu is a `<details>` button
there (working without JavaScript) and a plain list of links at desktop widths.

The pages are the GET routes of the access matrix (tests/web/test_access_matrix.py) each role may open,
with real ids from the demo, so a new page is swept as soon as it has its row there. Downloads (JSON,
PDF, SVG, receipts) are skipped: they are not pages.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation.models import Certificate
from pracha.db import make_engine, make_sessionmaker
from pracha.exchange.models import Consent
from pracha.identity.models import User
from pracha.privacy.models import PrivacyRequest
from pracha.privacy.records import Breach
from pracha.services.models import Application
from pracha.vault import attach_keyring
from tests.e2e.portal import DEMO_PORTAL_GROUP, DemoPortal, sign_in_citizen, sign_in_staff
from tests.web.test_access_matrix import MATRIX

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEMO_PORTAL_GROUP)]

WIDTH = 375
NOT_PAGES = re.compile(r"^/(api|oidc|\.well-known|exchange|ledger/(tile|checkpoint|key)|healthz|readyz|metrics)\b"
                       r"|\.(pdf|svg|json)$|/(receipts?|documents/\{document_id\}|export|letter\.pdf)(/|$)")
ROLES = ("anonymous", "citizen", "officer", "agency_admin", "auditor", "platform_admin", "dpo")
# Every page in Thai; in English too as a citizen and an officer (English words are shorter: Thai, with
# no spaces to break at, is the wider case), so the sweep stays within the suite's time.
LANGS = {role: ("th", "en") if role in ("citizen", "officer") else ("th",) for role in ROLES}


@dataclass
class DemoIds:
    """Real ids from the demo for the path parameters, and who signs in as each role."""

    citizen_nid: str
    agency: str
    references: dict[str, list[str]] = field(default_factory=dict)  # role → applications to open
    params: dict[str, str] = field(default_factory=dict)


def demo_ids(portal: DemoPortal) -> DemoIds:
    """A citizen with an application that needs more information (the page that scrolled sideways),
    their other applications, and one of each other record a page shows."""
    engine = make_engine(portal.database_url)
    attach_keyring(engine, settings=portal.settings())
    try:
        with make_sessionmaker(engine)() as db:
            asked = db.scalars(select(Application).where(Application.status == "needs_info")
                               .order_by(Application.id)).first()
            assert asked is not None, "the demo has an application that needs more information"
            citizen = db.get(User, asked.citizen_id)
            assert citizen is not None
            ids = DemoIds(citizen_nid=str(citizen.national_id), agency=asked.agency)
            mine = db.scalars(select(Application.reference).where(Application.citizen_id == citizen.id))
            ids.references["citizen"] = list(mine)
            by_status = {}
            for application in db.scalars(select(Application).where(Application.agency == asked.agency,
                                                                    Application.status != "draft")):
                by_status.setdefault(application.status, application.reference)
            ids.references.update(dict.fromkeys(("officer", "agency_admin", "auditor"), list(by_status.values())))
            found = {
                "service_id": asked.service_id,
                "cert_id": first_certificate(db),
                "consent_id": db.scalar(select(Consent.id).where(Consent.user_id == citizen.id).limit(1)),
                "request_id": db.scalar(select(PrivacyRequest.id).limit(1)),
                "breach_id": db.scalar(select(Breach.id).limit(1)),
            }
            ids.params = {k: str(v) for k, v in found.items() if v is not None}
            return ids
    finally:
        engine.dispose()


def first_certificate(db: Session, seconds: float = 60) -> int:
    """A certificate: the bot in the portal issues the demo's queued ones soon after it starts."""
    deadline = time.monotonic() + seconds
    while (found := db.scalar(select(Certificate.id).order_by(Certificate.id).limit(1))) is None:
        assert time.monotonic() < deadline, "the demo portal issued no certificate"
        time.sleep(0.2)
        db.rollback()  # a fresh snapshot on the next look
    return found


def pages_for(role: str, ids: DemoIds) -> list[str]:
    """The matrix's GET pages `role` may open (200), with the demo's ids filled in."""
    paths: list[str] = []
    for call in MATRIX:
        if call.method != "GET" or call.expected.get(role) != 200 or NOT_PAGES.search(call.path):
            continue
        if "{reference}" in call.path:
            paths += [call.path.replace("{reference}", r) for r in ids.references.get(role, [])]
            continue
        path = call.path
        for name, value in ids.params.items():
            path = path.replace("{" + name + "}", value)
        if "{" not in path:  # a record the demo does not have: nothing to open
            paths.append(path + (f"?{call.query}" if call.query else ""))
    return paths


def sign_in(page: Page, role: str, ids: DemoIds) -> None:
    usernames = {"officer": f"officer.{ids.agency}", "agency_admin": f"admin.{ids.agency}", "auditor": "auditor",
                 "platform_admin": "admin", "dpo": "dpo"}
    if role == "citizen":
        sign_in_citizen(page, ids.citizen_nid)
    elif role in usernames:
        sign_in_staff(page, usernames[role])


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when it does not scroll sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


_IDS: dict[str, DemoIds] = {}  # per engine: read once from each portal's database


@pytest.fixture
def ids(demo_portal: DemoPortal) -> DemoIds:
    if demo_portal.engine not in _IDS:
        _IDS[demo_portal.engine] = demo_ids(demo_portal)
    return _IDS[demo_portal.engine]


@pytest.fixture
def narrow(browser: Browser, demo_portal: DemoPortal) -> Iterator[BrowserContext]:
    context = demo_portal.context(browser, width=WIDTH)
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_375px(role: str, narrow: BrowserContext, ids: DemoIds) -> None:
    page = narrow.new_page()
    page.set_viewport_size({"width": WIDTH, "height": 800})
    sign_in(page, role, ids)
    paths = pages_for(role, ids)
    assert len(paths) >= 4, paths
    wide: dict[str, int] = {}
    for path in paths:
        for lang in LANGS[role]:
            response = page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert response is not None and response.status == 200, (path, response and response.status)
            if (extra := overflow(page)) > 0:
                wide[f"{path} ({lang})"] = extra
    assert wide == {}, f"pages wider than {WIDTH} px as {role}: {wide}"


def test_the_menu_is_a_button_at_375px_and_a_list_at_desktop(browser: Browser, demo_portal: DemoPortal) -> None:
    """Without JavaScript: the `<details>` opens by its summary; at desktop width the plain list shows."""
    context = browser.new_context(locale="th-TH", base_url=demo_portal.url, java_script_enabled=False,
                                  viewport={"width": WIDTH, "height": 800})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto("/")
        menu = page.locator("details.menu")
        expect(menu.locator("summary")).to_be_visible()
        services = menu.get_by_role("link", name="บริการ", exact=True)
        expect(services).to_be_hidden()
        header_height = page.locator(".site-header").bounding_box()
        assert header_height is not None and header_height["height"] < 120  # one row, not four
        menu.locator("summary").click()
        expect(services).to_be_visible()
        services.click()
        page.wait_for_url(re.compile(r"/services$"))
        page.set_viewport_size({"width": 1280, "height": 800})
        expect(page.locator("details.menu > summary")).to_be_hidden()
        page.reload()  # a fresh page: the <details> closed, yet its links are a plain list at this width
        expect(page.locator("details.menu")).not_to_have_attribute("open", "")
        expect(page.get_by_role("navigation").get_by_role("link", name="บริการ", exact=True)).to_be_visible()
        assert page.locator(".site-header nav").count() == 1  # one menu, not two copies (the page may have its own)
    finally:
        context.close()
