"""Every service's approval issues its real document: the holder, the facts the catalogue certifies, the
issuing agency and officer (or the system), a number and a validity, rendered in Thai (checked with
pdftotext) and signed; /verify shows the holder partly masked and explains the check; the wallet lists
a citizen's documents (page and JSON) and only the holder and the agency's staff may download them."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation import certificates
from pracha.automation.models import Certificate
from pracha.calendar import BANGKOK, THAI_MONTHS
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.ledger.deps import LEDGER
from pracha.services import service
from pracha.services.hooks import CATALOG
from pracha.services.models import Application
from pracha.services.views import StaffView
from tests.automation.helpers import run_tasks, submit
from tests.factories import create_citizen, create_staff, csrf_token, new_national_id, sign_in
from tests.payments.helpers import pay_any_fee_in_cash
from tests.services.helpers import ELDERLY_FORM

MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\\s]")
TODAY = dt.datetime.now(BANGKOK).date()
CHILD_BORN = TODAY - dt.timedelta(days=400)
ADDRESS = "99/1 ถนนห้วยแก้ว ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200"

# Per service: a complete form, and Thai text the document must print (besides holder and agency).
FORMS: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "residence-certificate": ({
        "purpose": "job", "purpose_detail": "ยื่นต่อบริษัท ล้านนาซอฟต์ จำกัด", "current_address": ADDRESS,
        "matches_house_registration": True, "living_since": "2020-06-01", "copies": 1, "delivery": "pickup"},
        ("ถนนห้วยแก้ว", "สมัครงาน", "1 มิถุนายน 2563", "ล้านนาซอฟต์")),
    "commercial-registration": ({
        "business_form": "individual", "trade_name": "ร้านกาแฟดอยช้าง", "business_category": "ขายกาแฟและเบเกอรี่",
        "business_address": ADDRESS, "start_date": "2026-01-05", "capital": 50000, "premises": "rented",
        "sells_online": False, "phone": "0812345678"},
        ("ร้านกาแฟดอยช้าง", "ขายกาแฟและเบเกอรี่", "50,000 บาท", "ทะเบียนเลขที่")),
    "building-permit": ({
        "building_use": "detached_house", "storeys": 2, "floor_area": 180, "height": 7.5, "site_address": ADDRESS,
        "land_title_number": "12345", "owns_land": True, "engineer_licence": "สย.12345", "phone": "0812345678"},
        ("บ้านเดี่ยว", "180 ตารางเมตร", "โฉนดเลขที่", "12345", "ใบอนุญาตเลขที่")),
    "birth-registration": ({
        "child_first_name": "ปัณณวัฒน์", "child_last_name": "ใจดี", "child_sex": "male",
        "birth_date": (TODAY - dt.timedelta(days=3)).isoformat(), "birth_place_type": "hospital",
        "hospital_notification_no": "1234/2569", "mother_id": "1101700203450", "house_code": "50010123456",
        "notifier_relationship": "father"},
        ("ปัณณวัฒน์ ใจดี", "สถานพยาบาล", "1234/2569", "50010123456", "ท.ร.1")),
    "elderly-allowance": (ELDERLY_FORM, ("เริ่มรับเงินตั้งแต่เดือน", "อัตราเบี้ยยังชีพต่อเดือน", "บาท")),
    "disability-allowance": ({
        "applicant_role": "self", "disability_type": "physical",
        "disability_card_expiry": (TODAY + dt.timedelta(days=700)).isoformat(), "payment_method": "bank_transfer",
        "bank_account": "1234567890", "phone": "0812345678", "in_state_care": False},
        ("ทางการเคลื่อนไหวหรือทางร่างกาย", "1,000 บาท", "เริ่มรับเงินตั้งแต่เดือน")),
    "child-support-grant": ({
        "child_id": "1103700456121", "child_name": "ด.ญ. ขวัญข้าว ใจดี", "child_birth_date": CHILD_BORN.isoformat(),
        "relationship": "mother", "child_lives_with_you": True, "household_members": 4, "household_income": 90000,
        "promptpay_linked": True, "phone": "0812345678"},
        ("ขวัญข้าว ใจดี", "600 บาท", "เริ่มรับเงินตั้งแต่เดือน")),
    "change-of-address": ({
        "new_house_code": "50010123456", "new_address": ADDRESS, "move_in_date": TODAY.isoformat(),
        "house_owner_id": "1101700203450", "house_owner_consents": True, "people_moving": 2, "reason": "ย้ายมาทำงาน",
        "phone": "0812345678"},
        ("ถนนห้วยแก้ว", "50010123456", "2 คน", "วันที่ย้ายเข้า")),
}


def skeleton(text: str) -> str:
    """Thai text without its above/below marks and spaces (WeasyPrint's text layer may move the marks)."""
    return MARKS.sub("", text.replace("\u0e33", "\u0e32"))


def approve(db: Session, app: FastAPI, citizen: User, service_id: str, *, by_bot: bool = False) -> Application:
    form = dict(FORMS[service_id][0])
    application = submit(db, app, citizen, service_id, form)
    catalog = app.state.pracha.registry.get(CATALOG)
    officer = Principal(user=create_staff(db, "officer", application.agency, first_name="วิไล", last_name="ศรีสุข"))
    actor = Principal(system_agency=application.agency) if by_bot else officer
    service.act(db, catalog, officer, application, "review")
    service.act(db, catalog, actor, application, "approve")
    db.commit()
    pay_any_fee_in_cash(db, app, application)  # a permit or a registration is issued once its fee is paid
    run_tasks(app)  # the document (a bot queued on submit finds the application decided, and does nothing)
    db.expire_all()
    return application


def issued_for(db: Session, application: Application) -> Certificate:
    certificate = db.scalar(select(Certificate).where(Certificate.application_id == application.id))
    assert certificate is not None
    return certificate


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("service_id", sorted(FORMS))
def test_finding_3_each_service_approval_issues_its_real_document(
        service_id: str, db: Session, app: FastAPI, tmp_path: Path) -> None:
    """Why bullet 3: approvals ended with no document, or one saying only "application … was approved"."""
    citizen = create_citizen(db, first_name="สมศรี", last_name="มีสุข")
    application = approve(db, app, citizen, service_id)
    certificate = issued_for(db, application)
    catalog = app.state.pracha.registry.get(CATALOG)
    spec = certificates.specs(catalog)[service_id]
    assert certificate.citizen_id == citizen.id and certificate.service_id == service_id
    assert certificate.title_th == spec.title_th and certificate.number
    assert re.fullmatch(rf"{re.escape(spec.number_prefix)} \d+/{TODAY.year + 543}", certificate.number)
    facts = certificate.facts or {}
    assert facts["holder"] == {"name": "สมศรี มีสุข", "national_id": certificates.masked(citizen.national_id or "")}
    assert facts["issuer"] == {"automatic": False, "name": "วิไล ศรีสุข"}
    assert [f["id"] for f in facts["facts"]] == [f.id for f in spec.facts if f.id in {x["id"] for x in facts["facts"]}]
    assert not [f for f in facts["facts"] if f["th"] == "ไม่ระบุ"], facts["facts"]
    text = pdf_text(certificate.pdf, tmp_path)
    agency = catalog.agencies[application.agency].name.th
    for expected in ("สมศรี มีสุข", spec.title_th, agency, spec.signatory_th, "วิไล ศรีสุข", certificate.number,
                     *FORMS[service_id][1]):
        assert skeleton(expected) in skeleton(text), expected
    assert "\ufffd" not in text and "□" not in text  # no missing glyphs
    assert certificates.verify(db, certificate.id, _verifier(app)).status == "valid"


def _verifier(app: FastAPI) -> Any:
    return app.state.pracha.registry.get(LEDGER).verifier


def test_bot_approval_is_signed_by_the_system_and_amounts_follow_the_age_band(
        db: Session, app: FastAPI, tmp_path: Path) -> None:
    born = dt.date(TODAY.year - 75, 1, 10)
    citizen = create_citizen(db, birth_date=born)
    certificate = issued_for(db, approve(db, app, citizen, "elderly-allowance", by_bot=True))
    facts = {f["id"]: f for f in (certificate.facts or {})["facts"]}
    assert (certificate.facts or {})["issuer"] == {"automatic": True, "name": None}
    assert facts["birth_date"]["value"] == born.isoformat()
    assert facts["monthly_amount"]["value"] == 700 and facts["monthly_amount"]["to_confirm"]
    first = dt.date.fromisoformat(facts["first_payment"]["value"])
    assert first.day == 1 and first > TODAY and (first - TODAY).days <= 31
    assert facts["first_payment"]["th"] == f"{THAI_MONTHS[first.month - 1]} {first.year + 543}"
    text = pdf_text(certificate.pdf, tmp_path)
    for expected in ("ออกโดยระบบอัตโนมัติ", "700 บาท", facts["first_payment"]["th"]):
        assert skeleton(expected) in skeleton(text), expected


def test_validity_is_printed_and_an_expired_document_says_so(db: Session, app: FastAPI,
                                                           make_client: type[TestClient]) -> None:
    certificate = issued_for(db, approve(db, app, create_citizen(db), "child-support-grant"))
    born = CHILD_BORN
    assert certificate.valid_until == dt.date(born.year + 6, born.month, born.day) - dt.timedelta(days=1)
    page = make_client().get(f"/verify/{certificate.id}")
    assert page.status_code == 200 and "ใช้ได้ถึง" in page.text and str(born.year + 6 + 543) in page.text
    certificate.valid_until = TODAY - dt.timedelta(days=1)
    db.commit()
    body = make_client().get(f"/api/v1/certificates/{certificate.id}").json()
    assert body["status"] == "expired"
    assert "หมดอายุ" in make_client().get(f"/verify/{certificate.id}").text


def test_finding_3_verify_shows_the_masked_holder_and_explains_the_check_in_words(
        db: Session, app: FastAPI, make_client: type[TestClient]) -> None:
    """Why bullet 3: /verify showed no holder and told the public to run a command-line tool."""
    citizen = create_citizen(db, first_name="สมชาย", last_name="ใจดี", national_id=new_national_id())
    certificate = issued_for(db, approve(db, app, citizen, "residence-certificate"))
    client = make_client()
    page = client.get(f"/verify/{certificate.id}")
    assert page.status_code == 200
    assert 'id="holder">สมชาย ใ***<' in page.text and "ใจดี" not in page.text
    assert "ถูกต้อง" in page.text and "หนังสือรับรองการมีถิ่นที่อยู่" in page.text
    assert "ฝ่ายปกครอง ที่ว่าการอำเภอเมืองเชียงใหม่" in page.text and "วิไล ศรีสุข" in page.text
    assert "ลายมือชื่ออิเล็กทรอนิกส์" in page.text and "บัญชีสาธารณะ" in page.text
    assert certificate.number is not None and certificate.number in page.text
    main, _, expert = page.text.partition("<details>")
    assert "pracha cert verify" not in main and "pracha cert verify" in expert
    assert re.search(r"\d{4}-\d{2}-\d{2}", main.split("<main", 1)[-1]) is None  # no ISO dates for people
    english = client.get(f"/verify/{certificate.id}?lang=en").text
    assert "Valid" in english and "Certificate of residence" in english and "สมชาย ใ***" in english
    api = client.get(f"/api/v1/certificates/{certificate.id}").json()
    assert api["holder"] == "สมชาย ใ***" and api["number"] == certificate.number
    assert api["checks"] == {"signature": True, "ledger": True, "content": True}


def test_uploading_the_file_on_verify_checks_it_byte_for_byte(db: Session, app: FastAPI,
                                                                make_client: type[TestClient]) -> None:
    certificate = issued_for(db, approve(db, app, create_citizen(db), "building-permit"))
    client = make_client()
    csrf = csrf_token(client)
    good = client.post(f"/verify/{certificate.id}", data={"csrf_token": csrf},
                       files={"file": ("permit.pdf", certificate.pdf, "application/pdf")})
    assert good.status_code == 200 and 'id="file-check">✓' in good.text
    changed = client.post(f"/verify/{certificate.id}", data={"csrf_token": csrf},
                          files={"file": ("permit.pdf", certificate.pdf + b"\n% edited", "application/pdf")})
    assert changed.status_code == 200 and 'id="file-check">✗' in changed.text and "ไม่ถูกต้อง" in changed.text
    empty = client.post(f"/verify/{certificate.id}", data={"csrf_token": csrf})
    assert empty.status_code == 422 and "error-file" in empty.text


def test_tampered_facts_make_the_document_altered(db: Session, app: FastAPI) -> None:
    certificate = issued_for(db, approve(db, app, create_citizen(db), "commercial-registration"))
    facts = dict(certificate.facts or {})
    facts["facts"] = [{**f, "th": "ร้านอื่น"} if f["id"] == "trade_name" else f for f in facts["facts"]]
    certificate.facts = facts
    db.commit()
    result = certificates.verify(db, certificate.id, _verifier(app))
    assert result.status == "altered" and result.checks["content"] is False


def test_wallet_lists_the_holders_documents_and_only_they_and_the_agency_download(
        db: Session, app: FastAPI, make_client: type[TestClient]) -> None:
    citizen = create_citizen(db)
    first = issued_for(db, approve(db, app, citizen, "residence-certificate"))
    second = issued_for(db, approve(db, app, citizen, "building-permit"))
    holder = make_client()
    sign_in(db, holder, citizen)
    body = holder.get("/api/v1/me/documents").json()
    documents = [d for d in body["items"] if d["kind"] == "document"]
    assert [d["id"] for d in documents] == [second.id, first.id]
    receipts = [d for d in body["items"] if d["kind"] == "receipt"]  # the permit's fee, paid at the counter
    assert [d["service_id"] for d in receipts] == ["building-permit"] and receipts[0]["status"] == "valid"
    item = documents[1]
    assert item["number"] == first.number and item["status"] == "valid"
    assert item["service_id"] == "residence-certificate"
    assert item["title"]["th"] == "หนังสือรับรองการมีถิ่นที่อยู่"
    assert item["issuer"]["th"] == "ฝ่ายปกครอง ที่ว่าการอำเภอเมืองเชียงใหม่" and item["valid_until"]
    assert item["download_url"] == f"/certificates/{first.id}.pdf" and item["verify_url"] == f"/verify/{first.id}"
    page = holder.get("/me/documents")
    assert page.status_code == 200 and "เอกสารของฉัน" in page.text and first.number in page.text
    assert f'href="/certificates/{second.id}.pdf"' in page.text and "ใช้ได้" in page.text
    assert holder.get(item["download_url"]).content == first.pdf
    stranger = make_client()
    sign_in(db, stranger, create_citizen(db))
    assert stranger.get("/api/v1/me/documents").json() == {"items": []}
    assert stranger.get(item["download_url"]).status_code == 404
    officer = create_staff(db, "officer", "cm-district-admin")
    staff = make_client()
    sign_in(db, staff, officer)
    assert staff.get(item["download_url"]).content == first.pdf
    views = list(db.scalars(select(StaffView).where(StaffView.citizen_id == citizen.id, StaffView.what == "document")))
    assert [v.staff_id for v in views] == [officer.id]
    other = make_client()
    sign_in(db, other, create_staff(db, "officer", "cm-building-control"))
    assert other.get(item["download_url"]).status_code == 404
    assert make_client().get("/api/v1/me/documents").status_code == 401


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": {"th": "x"}}, "Thai and English"),
    ({"number": ""}, "number"),
    ({"facts": []}, "non-empty list"),
    ({"facts": [{"id": "a", "label": {"th": "ก", "en": "a"}, "value": "form.x +"}]}, "expected a value"),
    ({"facts": [{"id": "a", "label": {"th": "ก", "en": "a"}, "value": "form.x", "format": "colour"}]}, "format"),
    ({"facts": [{"id": "a", "label": {"th": "ก", "en": "a"}, "value": "form.x", "format": "choice",
                 "field": "nope"}]}, "labelled values"),
    ({"validity": "6 months"}, "validity"),
    ({"extra": 1}, "unknown keys"),
])
def test_broken_document_blocks_are_refused_with_the_place_and_the_problem(changes: dict[str, Any],
                                                                            message: str) -> None:
    from pracha.automation.documents import DocumentSpecError, compile_document

    block: dict[str, Any] = {"title": {"th": "ก", "en": "a"}, "number": "ท.1", "signatory": {"th": "ก", "en": "a"},
                             "statement": {"th": "ก {holder}", "en": "a {holder}"},
                             "facts": [{"id": "a", "label": {"th": "ก", "en": "a"}, "value": "form.x"}]}
    block.update(changes)
    with pytest.raises(DocumentSpecError, match=message):
        compile_document("svc", block, {"properties": {"x": {"type": "string"}}})
