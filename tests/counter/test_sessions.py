"""Help at the counter (issue 19, part 2): an officer who checked the visitor's ID card opens a counter
session with the visitor's consent (a signed form scanned, or a code sent to their phone), applies for
them, and closes it; the visitor is told and gets a printable summary; every step names the session."""

from __future__ import annotations

import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.counter.service import FORMS_DIR, NO_PASSWORD, scan_path
from pracha.identity.models import CounterSession, User, WebSession
from pracha.ledger.models import LedgerEntry
from pracha.notices.models import InboxMessage
from pracha.services.models import Application, ApplicationEvent
from tests.counter.helpers import OFFICE, OTHER_OFFICE, desk, sent_code, signed_in, wrong
from tests.factories import PASSWORD, create_citizen, new_national_id

Client = Callable[..., TestClient]


def counter_of(db: Session, officer: User) -> CounterSession:
    db.rollback()
    db.expire_all()  # the app changed rows in its own sessions
    found = db.scalars(select(CounterSession).where(CounterSession.officer_id == officer.id)
                       .order_by(CounterSession.id.desc())).first()
    assert found is not None
    return found


def kinds(db: Session) -> list[str]:
    return list(db.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.id)))


def test_signed_form_opens_at_once_applies_and_closes_with_a_summary(
        db: Session, make_client: Client, settings: Settings) -> None:
    visitor = create_citizen(db, first_name="บุญมี", last_name="ศรีสุข", phone="0812345678")
    officer = desk(db, make_client)
    assert "ช่วยเหลือที่เคาน์เตอร์" in officer.get("/counter").text

    started = officer.start(visitor.national_id or "")
    assert started.status_code == 303 and started.headers["location"] == "/me"
    counter = counter_of(db, officer.officer)
    assert counter.is_open and counter.id_card_checked and counter.office == OFFICE
    assert counter.agency == "cm-city-registry" and counter.consent_method == "form"
    assert counter.consent_file is not None and scan_path(settings.var_dir / FORMS_DIR, counter.consent_file).exists()
    assert "counter.opened" in kinds(db)
    home = officer.get("/counter")
    assert home.status_code == 200 and "บุญมี ศรีสุข" in home.text and "/counter/recovery" in home.text
    assert 'href="/counter/delegations/new"' in home.text
    assert officer.get("/me").status_code == 200
    assert "บุญมี ศรีสุข" in officer.get("/me").text  # the banner names the visitor

    reference = officer.apply()
    db.rollback()
    application = db.scalars(select(Application).where(Application.reference == reference)).one()
    assert application.citizen_id == visitor.id and application.status == "submitted"
    events = db.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)).all()
    assert [(e.action, e.actor_role, e.actor_id, e.on_behalf_of, e.counter_session_id) for e in events] == [
        ("create", "counter", officer.officer.id, visitor.id, counter.id),
        ("submit", "counter", officer.officer.id, visitor.id, counter.id)]

    closed = officer.post(f"/counter/sessions/{counter.id}/close")
    assert closed.status_code == 303 and closed.headers["location"] == f"/counter/sessions/{counter.id}/summary"
    counter = counter_of(db, officer.officer)
    assert counter.closed_at is not None and not counter.is_open
    assert kinds(db)[-1] == "counter.closed"
    assert db.scalar(select(WebSession.counter_session_id).where(WebSession.user_id == officer.officer.id)) is None
    notice = db.scalars(select(InboxMessage).where(InboxMessage.user_id == visitor.id)
                        .where(InboxMessage.key == "counter.closed")).one()
    assert reference in notice.body and "งานทะเบียนราษฎร" in notice.subject
    assert notice.link == f"/counter/sessions/{counter.id}/summary"
    assert "ช่วยเหลือที่เคาน์เตอร์" in officer.get("/counter").text  # the officer is themself again
    assert officer.call("POST", "/api/v1/applications", json={"service_id": "residence-certificate",
                                                              "data": {"copies": 1}}).status_code == 403

    printed = officer.get(closed.headers["location"])
    assert printed.status_code == 200
    for text in (reference, "บุญมี ศรีสุข", "วิภา ช่วยเหลือ", "งานทะเบียนราษฎร", "ยื่นคำขอแล้ว", "counter-print.css"):
        assert text in printed.text, text
    digits = visitor.national_id or ""
    assert digits not in printed.text and f"{digits[0]}-xxxx-xxxxx-{digits[10:12]}-{digits[12]}" in printed.text

    citizen = signed_in(db, make_client, visitor)
    assert citizen.get(f"/counter/sessions/{counter.id}/summary").status_code == 200
    page = citizen.get(f"/applications/{reference}")
    assert "เจ้าหน้าที่ วิภา ช่วยเหลือ, งานทะเบียนราษฎร สำนักงานเทศบาลนครเชียงใหม่" in page.text
    english = citizen.get(f"/applications/{reference}?lang=en")
    assert "Officer วิภา ช่วยเหลือ, " in english.text
    exported = citizen.get("/api/v1/me/export").json()["counter_sessions"]  # PDPA s. 30: in the export
    assert [(x["id"], x["officer"], x["consent_method"], x["applications"]) for x in exported] == [
        (counter.id, "วิภา ช่วยเหลือ", "form", [reference])]


def test_a_code_to_the_visitors_phone_wrong_then_right(db: Session, make_client: Client) -> None:
    visitor = create_citizen(db, phone="0899999999")
    officer = desk(db, make_client)
    started = officer.start(visitor.national_id or "", "otp")
    counter = counter_of(db, officer.officer)
    assert started.status_code == 303 and started.headers["location"] == f"/counter/sessions/{counter.id}/consent"
    assert not counter.is_open and counter.consent_file is None
    page = officer.get(started.headers["location"])
    assert page.status_code == 200 and 'id="field-code"' in page.text
    assert officer.get("/officer/queue").status_code == 200  # not serving yet: still the officer
    code = sent_code(db, visitor)
    assert counter.consent_code_hash is not None and code not in counter.consent_code_hash

    bad = officer.post(f"/counter/sessions/{counter.id}/consent", {"code": wrong(code)})
    assert bad.status_code == 422 and "ลองได้อีก 4 ครั้ง" in bad.text
    good = officer.post(f"/counter/sessions/{counter.id}/consent", {"code": code})
    assert good.status_code == 303 and good.headers["location"] == "/me"
    counter = counter_of(db, officer.officer)
    assert counter.is_open and counter.consent_tries == 1
    assert officer.get("/officer/queue").status_code == 403  # serving: the COUNTER role


def test_five_wrong_codes_refuse_the_session(db: Session, make_client: Client) -> None:
    visitor = create_citizen(db, phone="0899999998")
    officer = desk(db, make_client)
    officer.start(visitor.national_id or "", "otp")
    counter = counter_of(db, officer.officer)
    code = sent_code(db, visitor)
    answers = [officer.post(f"/counter/sessions/{counter.id}/consent", {"code": wrong(code)}) for _ in range(5)]
    assert [a.status_code for a in answers] == [422, 422, 422, 422, 409]
    assert "เริ่มใหม่" in answers[-1].text
    late = officer.post(f"/counter/sessions/{counter.id}/consent", {"code": code})
    assert late.status_code == 409
    counter = counter_of(db, officer.officer)
    assert counter.closed_at is not None and counter.consented_at is None and counter.consent_tries == 5
    assert "counter.opened" not in kinds(db)


def test_refusals_at_the_start(db: Session, make_client: Client) -> None:
    mute = create_citizen(db, phone=None)
    officer = desk(db, make_client)
    unticked = officer.start(mute.national_id or "", checked=False)
    assert unticked.status_code == 422 and 'id="error-id_card_checked"' in unticked.text
    no_phone = officer.start(mute.national_id or "", "otp")
    assert no_phone.status_code == 422 and "แบบฟอร์มความยินยอม" in no_phone.text
    other = officer.start(mute.national_id or "", office=OTHER_OFFICE)
    assert other.status_code == 422 and 'id="error-office_id"' in other.text
    no_scan = officer.start(mute.national_id or "", scan=None)
    assert no_scan.status_code == 422 and 'id="error-consent_form"' in no_scan.text
    not_pdf = officer.start(mute.national_id or "", scan=("consent.pdf", b"hello", "application/pdf"))
    assert not_pdf.status_code == 415 and 'id="error-consent_form"' in not_pdf.text
    bad_id = officer.start("1234567890123")
    assert bad_id.status_code == 422 and 'id="error-national_id"' in bad_id.text
    db.rollback()
    assert db.scalar(select(CounterSession.id)) is None


def test_an_account_from_the_id_card_for_a_visitor_without_one(db: Session, make_client: Client) -> None:
    officer = desk(db, make_client)
    national_id = new_national_id()
    unknown = officer.start(national_id)
    assert unknown.status_code == 422 and "ยังไม่มีบัญชี Pracha" in unknown.text
    assert 'id="error-first_name"' in unknown.text and 'id="error-birth_date"' in unknown.text
    card = {"first_name": "ทองดี", "last_name": "มีสุข", "birth_date": "1948-02-01", "phone": "0811111111"}
    by_code = officer.start(national_id, "otp", **card)
    assert by_code.status_code == 422 and 'id="error-consent_method"' in by_code.text
    made = officer.start(national_id, **card)
    assert made.status_code == 303 and made.headers["location"] == "/me"
    db.rollback()
    visitor = db.scalars(select(User).where(User.national_id_index == national_id)).one()
    assert visitor.role == "citizen" and visitor.display_name == "ทองดี มีสุข" and visitor.phone == "0811111111"
    assert visitor.password_hash == NO_PASSWORD
    signin = make_client().post("/api/v1/session", json={"national_id": national_id, "password": PASSWORD})
    assert signin.status_code in (400, 401)
    assert counter_of(db, officer.officer).visitor_id == visitor.id


def test_one_session_per_officer_a_new_start_closes_the_first(db: Session, make_client: Client) -> None:
    first, second = create_citizen(db), create_citizen(db)
    officer = desk(db, make_client)
    officer.start(first.national_id or "")
    earlier = counter_of(db, officer.officer)
    assert officer.start(second.national_id or "").status_code == 303
    db.rollback()
    db.expire_all()
    assert db.get(CounterSession, earlier.id).closed_at is not None  # type: ignore[union-attr]
    now = counter_of(db, officer.officer)
    assert now.is_open and now.visitor_id == second.id and now.id != earlier.id
    assert db.scalar(select(InboxMessage.id).where(InboxMessage.user_id == first.id,
                                                   InboxMessage.key == "counter.closed")) is not None


def test_serving_is_not_the_officers_queue_nor_the_visitors_own_rights(db: Session, make_client: Client) -> None:
    visitor = create_citizen(db)
    officer = desk(db, make_client)
    officer.start(visitor.national_id or "")
    for path in ("/officer/queue", "/me/privacy", "/me/consents", "/me/data-tracker", "/me/details",
                 "/me/organisations", "/api/v1/me/export"):
        assert officer.get(path).status_code == 403, path
    assert officer.get("/me").status_code == 200
    counter = counter_of(db, officer.officer)
    someone = desk(db, make_client)  # another officer of the agency: not theirs to close
    assert someone.post(f"/counter/sessions/{counter.id}/close").status_code == 404
    assert counter_of(db, officer.officer).closed_at is None


def test_who_reads_the_summary(db: Session, make_client: Client) -> None:
    visitor, stranger = create_citizen(db), create_citizen(db)
    officer = desk(db, make_client)
    officer.start(visitor.national_id or "")
    counter = counter_of(db, officer.officer)
    path = f"/counter/sessions/{counter.id}/summary"
    colleague = desk(db, make_client, "agency_admin")
    elsewhere = desk(db, make_client, agency="cm-district-registry")
    assert colleague.get(path).status_code == 200
    assert elsewhere.get(path).status_code == 404
    for person, expected in ((visitor, 200), (stranger, 404)):
        client = signed_in(db, make_client, person)
        assert client.get(path).status_code == expected
    assert make_client().get(path).status_code == 401


def test_scan_is_a_picture_too(db: Session, make_client: Client) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(picture, "PNG")
    visitor = create_citizen(db)
    officer = desk(db, make_client)
    done = officer.start(visitor.national_id or "", scan=("consent.png", picture.getvalue(), "image/png"))
    assert done.status_code == 303
    assert counter_of(db, officer.officer).consent_file is not None
