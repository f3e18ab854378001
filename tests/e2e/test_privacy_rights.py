"""The PDPA rights in Debian's Chromium, in Thai, checked with axe: a citizen downloads all their
data, asks for a correction and for erasure; the data-protection officer, signed in separately,
sees the deadline and what must be kept, and decides; the citizen sees the outcome and why part of
their data was restricted instead of erased."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from pracha.config import Settings
from pracha.db import make_engine, make_sessionmaker
from pracha.identity.principal import Principal
from pracha.migrate import upgrade
from pracha.services import service
from pracha.services.catalog import default_catalog_dir, load_catalog
from pracha.vault import attach_keyring
from tests import servers
from tests.e2e.conftest import give_second_factor
from tests.e2e.test_citizen_journey import Journey, new_context, no_problem_shown
from tests.factories import PASSWORD, create_citizen, create_staff
from tests.services.helpers import ELDERLY_FORM, PDF

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def privacy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = tmp_path_factory.mktemp("e2e-privacy")
    url, var_dir = f"sqlite:///{base / 'pracha.db'}", base / "var"
    upgrade(url)
    settings = Settings(database_url=url, var_dir=var_dir, secret_key="e2e", catalog_dir=default_catalog_dir())
    catalog = load_catalog(default_catalog_dir())
    engine = make_engine(url)
    attach_keyring(engine, settings=settings)  # the server's keys (var_dir/data.key)
    try:
        with make_sessionmaker(engine)() as db:
            citizen = create_citizen(db, email="somchai@example.org", phone="0812345678")
            create_staff(db, "dpo", username="dpo.e2e", first_name="ปกรณ์", last_name="รักษ์ข้อมูล",
                         app_secret=servers.MEDIATOR_SECRET)
            owner = Principal(user=citizen)
            application = service.create_application(db, catalog, owner, "elderly-allowance", ELDERLY_FORM)
            storage = service.Storage(settings.upload_dir, settings.max_upload_bytes)
            for requirement in ("id-card", "house-registration"):
                service.add_document(db, storage, catalog, owner, application, requirement=requirement,
                                     filename="id.pdf", content_type="application/pdf", stream=io.BytesIO(PDF))
            service.act(db, catalog, owner, application, "submit", declaration=True)
            db.commit()
            nid, reference = str(citizen.national_id), application.reference
    finally:
        engine.dispose()
    with servers.mediator(url, var_dir, base, automation_in_process="false") as live:
        yield {"url": live, "nid": nid, "reference": reference}


def _sign_in(page: Page, path: str, field: str, value: str) -> None:
    page.goto(path)
    page.locator(f"#field-{field}").fill(value)
    page.locator("#field-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _ask(page: Page, kind: str, details: str, *, ticks: tuple[str, ...] = (), values: dict[str, str] | None = None
         ) -> str:
    page.goto("/me/privacy#new-request")
    form = page.locator("form[action='/me/privacy/requests']")
    form.locator(f"#kind-{kind}").check()
    for tick in ticks:
        form.locator(f"#{tick}").check()
    for name, value in (values or {}).items():
        form.locator(f"#value-{name}").fill(value)
    form.locator("#field-details").fill(details)
    form.locator("button[type=submit]").click()
    no_problem_shown(page, f"asking for {kind}")
    notice = page.locator("[role=status]").first
    expect(notice).to_contain_text("ได้รับคำขอ")
    return page.url.split("sent=")[1].split("#")[0]


def test_citizen_exports_corrects_and_erases_and_the_dpo_decides(browser: Browser, privacy_server: dict[str, str],
                                                                 artifacts: Path) -> None:
    (artifacts / "privacy").mkdir(exist_ok=True)
    journey = Journey(artifacts / "privacy")
    citizen_context = new_context(browser, privacy_server["url"])
    dpo_context = new_context(browser, privacy_server["url"])
    citizen, dpo = citizen_context.new_page(), dpo_context.new_page()
    try:
        _sign_in(citizen, "/signin", "national_id", privacy_server["nid"])
        citizen.goto("/me/privacy")
        expect(citizen.locator("h1")).to_have_text("ข้อมูลส่วนบุคคลของฉัน")
        expect(citizen.locator("#sessions + table")).to_contain_text("อุปกรณ์นี้")
        journey.shot(citizen, "privacy")
        journey.check_a11y(citizen, "privacy")
        with citizen.expect_download() as download:
            citizen.locator("a[href='/api/v1/me/export']").first.click()
        exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert exported["schema_version"] == "pracha-export/1"
        assert exported["profile"]["national_id"] == privacy_server["nid"]
        assert [a["reference"] for a in exported["applications"]] == [privacy_server["reference"]]
        citizen.goto("/me/privacy/export")
        expect(citizen.locator("h1")).to_have_text("สำเนาข้อมูลทั้งหมดของฉัน")
        journey.check_a11y(citizen, "export")
        citizen.goto("/me/data-tracker")
        expect(citizen.locator("table")).to_contain_text("สำเนาข้อมูลส่วนบุคคลของท่าน")

        correction = _ask(citizen, "rectification", "อีเมลเดิมเลิกใช้แล้ว", ticks=("fields-email",),
                          values={"email": "somchai.new@example.org"})
        erasure = _ask(citizen, "erasure", "ขอให้ลบข้อมูลของฉันทั้งหมด")
        expect(citizen.locator(f"#request-{erasure}")).to_contain_text("รอเจ้าหน้าที่คุ้มครองข้อมูลพิจารณา")
        journey.shot(citizen, "requests-sent")

        _sign_in(dpo, "/staff/signin", "username", "dpo.e2e")
        give_second_factor(dpo, "dpo.e2e")
        expect(dpo.locator("h1")).to_have_text("คำขอใช้สิทธิด้านข้อมูลส่วนบุคคล")
        expect(dpo.locator("table")).to_contain_text(correction)
        journey.shot(dpo, "dpo-list")
        journey.check_a11y(dpo, "dpo-list")
        dpo.locator("a", has_text=correction).click()
        dpo.locator("button[type=submit]", has_text="บันทึกการตัดสิน").click()
        no_problem_shown(dpo, "approving the correction")
        dpo.goto("/privacy/requests")
        dpo.locator("a", has_text=erasure).click()
        expect(dpo.locator("main")).to_contain_text(privacy_server["reference"])  # what the law keeps
        journey.check_a11y(dpo, "dpo-request")
        dpo.locator("#field-reason").fill("ลบข้อมูลที่ลบได้ คำขอเบี้ยยังชีพที่อยู่ระหว่างพิจารณาต้องเก็บไว้")
        dpo.locator("button[type=submit]", has_text="บันทึกการตัดสิน").click()
        no_problem_shown(dpo, "approving the erasure")
        expect(dpo.locator("[role=status]")).to_contain_text("บันทึกคำวินิจฉัย")
        journey.shot(dpo, "dpo-decided")

        # The erasure ended the citizen's sessions: they sign in again and see the outcome.
        citizen.goto("/me/privacy")
        expect(citizen.locator("main")).to_contain_text("กรุณาเข้าสู่ระบบก่อน")
        _sign_in(citizen, "/signin", "national_id", privacy_server["nid"])
        citizen.goto(f"/me/privacy#request-{erasure}")
        row = citizen.locator(f"#request-{erasure}")
        expect(row).to_contain_text("ดำเนินการแล้ว")
        row.locator("summary").click()
        expect(row).to_contain_text("ต้องเก็บไว้จนกว่าจะมีคำวินิจฉัย")
        expect(citizen.locator(f"#request-{correction}")).to_contain_text("ดำเนินการแล้ว")
        journey.shot(citizen, "outcome")
        journey.check_a11y(citizen, "outcome")
    finally:
        citizen_context.close()
        dpo_context.close()
    journey.assert_accessible()
