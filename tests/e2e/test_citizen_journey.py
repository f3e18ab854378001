"""A citizen's whole journey in a real browser, in Thai: sign up, apply for the elderly allowance with
documents, answer the officer's question, and see the approval. Every step leaves a full-page
screenshot in test-artifacts/e2e/, and every distinct page is checked with axe (no serious or
critical violations)."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from pracha.identity import thai_id
from tests.e2e.conftest import TIMEOUT_MS, give_second_factor
from tests.e2e.portal import no_problem_shown
from tests.factories import PASSWORD

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

SERVICE_ID = "elderly-allowance"
SERVICE_NAME_TH = "ลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ"
STATUS = {"draft": "ฉบับร่าง", "submitted": "ยื่นคำขอแล้ว", "in_review": "เจ้าหน้าที่กำลังพิจารณา",
          "needs_info": "ขอข้อมูลเพิ่มเติม", "resubmitted": "ส่งข้อมูลเพิ่มเติมแล้ว", "approved": "อนุมัติแล้ว"}
OFFICER_QUESTION = "กรุณาแนบสำเนาสมุดบัญชีเงินฝากธนาคารหน้าที่มีชื่อและเลขที่บัญชี"
CITIZEN_ANSWER = "แนบสำเนาสมุดบัญชีธนาคารกรุงไทยให้แล้วค่ะ"
BLOCKING_IMPACTS = {"serious", "critical"}


# --- helpers --------------------------------------------------------------------------------------


def tiny_png(rgb: tuple[int, int, int] = (11, 79, 138)) -> bytes:
    """A valid 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + bytes(rgb))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def tiny_pdf() -> bytes:
    """A valid one-page empty PDF."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class Journey:
    """Screenshots numbered in order, and axe run once per distinct page."""

    def __init__(self, artifacts: Path) -> None:
        self.artifacts = artifacts
        self.step = 0
        self.axe = Axe()
        self.findings: dict[str, list[dict[str, Any]]] = {}
        for old in artifacts.glob("*.png"):
            old.unlink()

    def shot(self, page: Page, name: str) -> None:
        self.step += 1
        page.screenshot(path=str(self.artifacts / f"{self.step:02d}-{name}.png"), full_page=True)

    def check_a11y(self, page: Page, name: str) -> None:
        results = self.axe.run(page)
        blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        for v in results.response["violations"]:
            print(f"axe [{name}] {v['id']} ({v['impact']}): {v['help']}")
            for node in v["nodes"]:
                print(f"    {node['target']} {node.get('failureSummary', '')!r}")
        if blocking:
            self.findings[name] = blocking

    def assert_accessible(self) -> None:
        summary = {page: [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in found]
                   for page, found in self.findings.items()}
        assert not self.findings, f"axe found serious/critical violations: {summary}"


def status_of(page: Page) -> str:
    return page.locator("#status .status").inner_text().strip()




def attach(page: Page, requirement: str, file: Path) -> None:
    form = page.locator("form[enctype='multipart/form-data']")
    form.locator('select[name="requirement"]').select_option(requirement)
    form.locator('input[name="file"]').set_input_files(str(file))
    form.locator("button[type=submit]").click()
    no_problem_shown(page, f"attaching {file.name} as {requirement}")
    expect(page.locator("#documents + ul")).to_contain_text(file.name)


def act(page: Page, reference: str, action: str, message: str | None = None) -> None:
    if action == "submit":  # through check your answers and its declaration
        page.locator(f'a[href="/applications/{reference}/check"]').click()
        page.locator("#field-declaration").check()
        page.locator(f'form[action="/applications/{reference}/check"] button[type=submit]').click()
        no_problem_shown(page, f"submitting {reference}")
        return
    form = page.locator(f'form[action="/applications/{reference}/actions/{action}"]')
    if message is not None:
        form.locator('textarea[name="message"]').fill(message)
    form.locator("button[type=submit]").click()
    no_problem_shown(page, f"action {action} on {reference}")


def new_context(browser: Browser, base_url: str) -> BrowserContext:
    context = browser.new_context(locale="th-TH", base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context


# --- the journey ----------------------------------------------------------------------------------


def test_citizen_applies_and_is_approved_in_thai(browser: Browser, live_server: LiveServer, artifacts: Path,
                                                 tmp_path: Path) -> None:
    journey = Journey(artifacts)
    id_card, house = tmp_path / "id-card.png", tmp_path / "house-registration.pdf"
    bank_book = tmp_path / "bank-book.png"
    id_card.write_bytes(tiny_png())
    house.write_bytes(tiny_pdf())
    bank_book.write_bytes(tiny_png((19, 107, 52)))
    national_id = thai_id.make("310050012345")
    wrong_id = national_id[:12] + str((int(national_id[12]) + 1) % 10)

    citizen_context = new_context(browser, live_server.url)
    officer_context = new_context(browser, live_server.url)
    citizen, officer = citizen_context.new_page(), officer_context.new_page()
    try:
        # 1. Home page in Thai; the first Tab reaches the skip link, which leads to <main>.
        citizen.goto("/")
        expect(citizen.locator("html")).to_have_attribute("lang", "th")
        citizen.keyboard.press("Tab")
        skip = citizen.locator(":focus")
        expect(skip).to_have_attribute("href", "#main")
        expect(skip).to_have_class(re.compile(r"\bskip-link\b"))
        journey.shot(citizen, "home-skip-link")
        citizen.keyboard.press("Enter")
        expect(citizen.locator("main#main")).to_be_focused()
        journey.check_a11y(citizen, "home")

        # Sign-up: a national ID with a wrong check digit is refused beside the field, in Thai.
        citizen.goto("/signup")
        citizen.locator("#field-national_id").fill(wrong_id)
        citizen.locator("#field-first_name").fill("สมศรี")
        citizen.locator("#field-last_name").fill("มีสุขใจ")
        citizen.locator("#field-birth_date").fill("1955-03-14")
        citizen.locator("#field-password").fill(PASSWORD)
        citizen.locator('form[action="/signup"] button[type="submit"]').click()
        check_digit_th = thai_id.MESSAGES[thai_id.Problem.CHECK_DIGIT][0]
        expect(citizen.locator("#error-national_id")).to_contain_text(check_digit_th)
        expect(citizen.locator("#field-national_id")).to_have_attribute("aria-invalid", "true")
        expect(citizen.locator("#field-national_id")).to_have_attribute("aria-describedby",
                                                                        re.compile(r"\berror-national_id\b"))
        expect(citizen.locator("#error-summary")).to_contain_text(check_digit_th)
        expect(citizen.locator("#field-first_name")).to_have_value("สมศรี")  # what was typed is kept
        journey.shot(citizen, "signup-wrong-id")
        journey.check_a11y(citizen, "signup-with-errors")

        citizen.locator("#field-national_id").fill(thai_id.format_dashed(national_id))
        citizen.locator("#field-password").fill(PASSWORD)
        citizen.locator('form[action="/signup"] button[type="submit"]').click()
        expect(citizen).to_have_url(re.compile(r"/me\b"))
        expect(citizen.locator("nav")).to_contain_text("สมศรี")
        journey.shot(citizen, "me-welcome")

        # 2. Find the service with everyday words, open it, fill the form, save a draft.
        citizen.goto("/services")
        citizen.locator("#q").fill("เบี้ยคนแก่")
        citizen.locator("#q").press("Enter")
        expect(citizen).to_have_url(re.compile(r"/services\?q="))
        result = citizen.get_by_role("link", name=SERVICE_NAME_TH)
        expect(result).to_be_visible()
        journey.shot(citizen, "catalogue-search")
        journey.check_a11y(citizen, "catalogue")

        result.click()
        expect(citizen).to_have_url(re.compile(rf"/services/{SERVICE_ID}$"))
        expect(citizen.get_by_role("heading", level=1)).to_have_text(SERVICE_NAME_TH)
        journey.shot(citizen, "service-page")
        journey.check_a11y(citizen, "service")

        citizen.locator(f'a[href="/services/{SERVICE_ID}/apply"]').click()
        expect(citizen).to_have_url(re.compile(rf"/services/{SERVICE_ID}/apply$"))
        citizen.get_by_label("ช่องทางการรับเงินเบี้ยยังชีพ").select_option("bank_transfer")
        citizen.locator("#field-bank_name").select_option("ktb")
        citizen.get_by_label("เลขที่บัญชีเงินฝากธนาคาร").fill("1234567890")
        citizen.get_by_label("หมายเลขโทรศัพท์").fill("0812345678")
        citizen.get_by_label("รายได้เฉลี่ยต่อเดือนของท่าน (บาท)").fill("0")
        for checkbox in ("receives_state_pension", "lives_in_state_care", "receives_state_salary",
                         "moved_from_other_authority"):
            expect(citizen.locator(f"#field-{checkbox}")).not_to_be_checked()
        journey.shot(citizen, "apply-form")
        journey.check_a11y(citizen, "apply-form")
        citizen.locator(f'form[action="/services/{SERVICE_ID}/apply"] button[type="submit"]').click()

        expect(citizen).to_have_url(re.compile(r"/applications/[^/?#]+$"))
        reference = citizen.locator("#reference").inner_text().strip()
        assert reference and reference in citizen.url
        expect(citizen.locator("#status")).to_contain_text(STATUS["draft"])
        journey.shot(citizen, "application-draft")
        journey.check_a11y(citizen, "application-draft")

        # 3. Attach the two required documents and submit.
        attach(citizen, "id-card", id_card)
        attach(citizen, "house-registration", house)
        journey.shot(citizen, "documents-attached")
        act(citizen, reference, "submit")
        expect(citizen.locator("#status")).to_contain_text(STATUS["submitted"])
        journey.shot(citizen, "application-submitted")

        # 4. The officer finds it in the queue, starts the review and asks for more information.
        officer.goto("/staff/signin")
        officer.locator('input[name="username"]').fill(live_server.officer_username)
        officer.locator('input[name="password"]').fill(PASSWORD)
        officer.locator('form[action="/staff/signin"] button[type="submit"]').click()
        journey.check_a11y(officer, "staff-second-factor")
        give_second_factor(officer, live_server.officer_username)
        expect(officer).to_have_url(re.compile(r"/officer/queue$"))
        row = officer.get_by_role("row").filter(has=officer.get_by_role("link", name=reference))
        expect(row).to_contain_text("สมศรี มีสุขใจ")
        expect(row).to_contain_text(STATUS["submitted"])
        journey.shot(officer, "officer-queue")
        journey.check_a11y(officer, "officer-queue")

        officer.get_by_role("link", name=reference).click()
        expect(officer.locator("#reference")).to_have_text(reference)
        act(officer, reference, "review")
        expect(officer.locator("#status")).to_contain_text(STATUS["in_review"])
        journey.shot(officer, "officer-application")
        journey.check_a11y(officer, "officer-application")
        act(officer, reference, "request_info", OFFICER_QUESTION)
        expect(officer.locator("#status")).to_contain_text(STATUS["needs_info"])

        # 5. The citizen sees the question, attaches the bank book and answers.
        citizen.reload()
        expect(citizen.locator("#status")).to_contain_text(STATUS["needs_info"])
        expect(citizen.get_by_role("note")).to_contain_text(OFFICER_QUESTION)
        journey.shot(citizen, "citizen-sees-question")
        journey.check_a11y(citizen, "application-needs-info")
        attach(citizen, "bank-book", bank_book)
        act(citizen, reference, "resubmit", CITIZEN_ANSWER)
        expect(citizen.locator("#status")).to_contain_text(STATUS["resubmitted"])
        expect(citizen.locator(".timeline")).to_contain_text(CITIZEN_ANSWER)
        journey.shot(citizen, "citizen-answered")

        # 6. The officer sees the answer and approves; the citizen sees it, and so does the inbox.
        officer.reload()
        expect(officer.locator("#status")).to_contain_text(STATUS["resubmitted"])
        expect(officer.locator(".timeline")).to_contain_text(CITIZEN_ANSWER)
        act(officer, reference, "approve")
        expect(officer.locator("#status")).to_contain_text(STATUS["approved"])
        journey.shot(officer, "officer-approved")

        citizen.reload()
        assert status_of(citizen) == STATUS["approved"]
        journey.shot(citizen, "citizen-approved")
        journey.check_a11y(citizen, "application-approved")

        citizen.goto("/inbox")
        approval = citizen.get_by_role("listitem").filter(has_text=f"{reference}: {STATUS['approved']}")
        expect(approval).to_have_count(1)
        expect(approval).to_contain_text(SERVICE_NAME_TH)
        expect(approval.get_by_role("link")).to_have_attribute("href", f"/applications/{reference}")
        journey.shot(citizen, "inbox")
        journey.check_a11y(citizen, "inbox")
    except Exception:
        for name, page in (("citizen", citizen), ("officer", officer)):
            if not page.is_closed():
                page.screenshot(path=str(artifacts / f"failed-{name}.png"), full_page=True)
        raise
    finally:
        citizen_context.close()
        officer_context.close()

    journey.assert_accessible()
