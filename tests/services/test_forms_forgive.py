"""Forms that forgive (issue 14, "Why" 5 and 7 and the empty Save of 9): errors that name their field
and the expected format, inputs as people type them (spaces, dashes, Thai digits, Buddhist-Era
years), dates the law rules out refused with a reason, an empty form never saved, and a prefilled
actual residence that the citizen may correct, marked as changed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.exchange.prefill import thai_address
from pracha.services import forms, inputs, provenance
from pracha.services.catalog import Catalog
from pracha.services.errors import FormInvalid
from pracha.services.models import Application
from tests.factories import create_citizen, create_staff, sign_in
from tests.services.helpers import ELDERLY_FORM

TODAY = dt.date(2026, 6, 15)
SOMCHAI_ID = "1101700203450"
PHONE_HINT = "หมายเลขโทรศัพท์: ต้องเป็นตัวเลข 9–10 หลัก ขึ้นต้นด้วย 0 เช่น 081 234 5678"


def schema(catalog: Catalog, service_id: str) -> dict[str, Any]:
    found = catalog.get(service_id)
    assert found is not None
    return found.form_schema


# --- unit: messages, normalisers, dates --------------------------------------------------------------


def test_finding_7_errors_name_their_field_and_the_format(catalog: Catalog) -> None:
    elderly = schema(catalog, "elderly-allowance")
    problems = forms.validate(elderly, forms.coerce(elderly, {"phone": "12", "bank_account": "12-34"}), complete=True)
    assert problems["phone"]["th"] == PHONE_HINT
    assert problems["phone"]["en"] == "Phone number: 9 or 10 digits starting with 0, for example 081 234 5678."
    assert problems["bank_account"]["th"].startswith("เลขที่บัญชีเงินฝากธนาคาร: ต้องเป็นตัวเลข 10–12 หลัก")
    assert problems["payment_method"]["th"] == "ช่องทางการรับเงินเบี้ยยังชีพ: กรุณาเลือก"
    assert problems["monthly_income"]["th"] == "รายได้เฉลี่ยต่อเดือนของท่าน (บาท): กรุณากรอก"
    assert len({p["th"] for p in problems.values()}) == len(problems)  # never the same sentence five times
    birth = schema(catalog, "birth-registration")
    house = forms.validate(birth, {"house_code": "5001"}, complete=False)["house_code"]["th"]
    assert house.startswith("เลขรหัสประจำบ้านที่จะเพิ่มชื่อเด็ก: ต้องเป็นตัวเลข 11 หลัก")


def test_finding_7_a_catalogue_field_may_say_its_own_format() -> None:
    custom = {"type": "object", "properties": {"code": {
        "type": "string", "title": "Code", "x-title-th": "รหัส", "pattern": "^[A-Z]{2}[0-9]{4}$",
        "x-format-th": "อักษรอังกฤษ 2 ตัวตามด้วยตัวเลข 4 หลัก เช่น CM1234",
        "x-format-en": "two capital letters and four digits, for example CM1234"}}}
    problem = forms.validate(custom, {"code": "cm12"}, complete=False)["code"]
    assert problem == {"th": "รหัส: อักษรอังกฤษ 2 ตัวตามด้วยตัวเลข 4 หลัก เช่น CM1234",
                       "en": "Code: two capital letters and four digits, for example CM1234."}


@pytest.mark.parametrize("typed", ["1 1017 00203 45 0", "1-1017-00203-45-0", "๑ ๑๐๑๗ ๐๐๒๐๓ ๔๕ ๐", " 1101700203450 "])
def test_finding_7_national_ids_as_printed_on_the_card(catalog: Catalog, typed: str) -> None:
    birth = schema(catalog, "birth-registration")
    data = forms.coerce(birth, {"mother_id": typed})
    assert data["mother_id"] == SOMCHAI_ID
    assert "mother_id" not in forms.validate(birth, data, complete=False)


def test_finding_7_phone_numbers_and_numbers_as_people_type_them(catalog: Catalog) -> None:
    elderly = schema(catalog, "elderly-allowance")
    for typed in ("081-111-2222", "081 111 2222", "๐๘๑-๑๑๑-๒๒๒๒", "+66 81 111 2222", "(081) 111-2222"):
        assert forms.coerce(elderly, {"phone": typed})["phone"] == "0811112222", typed
    assert forms.coerce(elderly, {"monthly_income": "๑,๕๐๐"})["monthly_income"] == 1500
    assert forms.coerce(elderly, {"bank_account": "123-4-56789-0"})["bank_account"] == "1234567890"
    assert forms.coerce(elderly, {"phone": "call me"})["phone"] == "call me"  # kept, so validation names it


def test_finding_7_dates_as_day_month_and_buddhist_era_year(catalog: Catalog) -> None:
    birth = schema(catalog, "birth-registration")
    parts = {"birth_date__day": "5", "birth_date__month": "3", "birth_date__year": "2569"}
    assert forms.coerce(birth, parts)["birth_date"] == "2026-03-05"
    assert forms.coerce(birth, {**parts, "birth_date__year": "2026"})["birth_date"] == "2026-03-05"  # Gregorian
    assert forms.coerce(birth, {**parts, "birth_date__day": "๕"})["birth_date"] == "2026-03-05"
    # one string from the API: ISO or dd/mm/yyyy, either era; 2573 is never stored as 2573 CE
    assert forms.coerce(birth, {"birth_date": "2573-01-05"})["birth_date"] == "2030-01-05"
    assert forms.coerce(birth, {"birth_date": "05/03/2569"})["birth_date"] == "2026-03-05"
    assert forms.coerce(birth, {"birth_date": "2026-03-05"})["birth_date"] == "2026-03-05"
    # impossible and incomplete dates: refused with the reason
    no_day = forms.coerce(birth, {**parts, "birth_date__day": "30", "birth_date__month": "2"})
    assert forms.validate(birth, no_day, complete=False, today=TODAY)["birth_date"]["th"] == (
        "วันเกิดของเด็ก: ไม่มีวันที่ 30 กุมภาพันธ์ 2569 ในปฏิทิน กรุณาตรวจสอบวันและเดือน")
    partial = forms.coerce(birth, {"birth_date__day": "5", "birth_date__year": "2569"})
    assert "ให้ครบ" in forms.validate(birth, partial, complete=False, today=TODAY)["birth_date"]["th"]
    assert "birth_date" not in forms.coerce(birth, {"birth_date__day": " ", "birth_date__month": ""})


def test_finding_7_a_birth_in_the_future_and_an_expired_card_are_refused(catalog: Catalog) -> None:
    birth = schema(catalog, "birth-registration")
    future = forms.validate(birth, {"birth_date": "2026-06-16"}, complete=False, today=TODAY)["birth_date"]
    assert future["th"] == "วันเกิดของเด็ก: แจ้งเกิดได้เมื่อเด็กเกิดแล้ว วันเกิดต้องไม่เป็นวันในอนาคต"
    assert "birth_date" not in forms.validate(birth, {"birth_date": "2026-06-15"}, complete=False, today=TODAY)
    disability = schema(catalog, "disability-allowance")
    expired = forms.validate(disability, {"disability_card_expiry": "2026-06-14"}, complete=False, today=TODAY)
    assert expired["disability_card_expiry"]["th"].startswith("วันที่บัตรประจำตัวคนพิการหมดอายุ: บัตรประจำตัวคนพิการหมดอายุแล้ว")
    assert not forms.validate(disability, {"disability_card_expiry": "2026-06-15"}, complete=False, today=TODAY)
    for service_id, name in (("child-support-grant", "child_birth_date"), ("change-of-address", "move_in_date"),
                             ("residence-certificate", "living_since")):
        assert name in forms.validate(schema(catalog, service_id), {name: "2026-07-01"}, complete=False, today=TODAY)


def test_finding_5_the_road_word_is_not_doubled() -> None:
    address = {"house_no": "12", "road": "ถนนราชวิถี", "tambon": "ศรีภูมิ", "amphoe": "เมืองเชียงใหม่",
               "province": "เชียงใหม่", "postcode": "50200"}
    assert thai_address(address) == "บ้านเลขที่ 12 ถนนราชวิถี ตำบลศรีภูมิ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200"
    assert "ถนนห้วยแก้ว" in thai_address({**address, "road": "ห้วยแก้ว"})
    bangkok = thai_address({"house_no": "9", "tambon": "ดุสิต", "amphoe": "ดุสิต", "province": "กรุงเทพมหานคร"})
    assert bangkok == "บ้านเลขที่ 9 แขวงดุสิต เขตดุสิต กรุงเทพมหานคร"


def test_finding_5_a_sealed_prefill_cannot_be_forged() -> None:
    token = provenance.seal("secret", 7, "current_address", "12 ถนนราชวิถี", {"th": "จากทะเบียนราษฎร", "en": "x"})
    opened = provenance.unseal("secret", 7, "current_address", token)
    assert opened == ("12 ถนนราชวิถี", {"th": "จากทะเบียนราษฎร", "en": "x"})
    assert provenance.unseal("other", 7, "current_address", token) is None  # another app's secret
    assert provenance.unseal("secret", 8, "current_address", token) is None  # another citizen
    assert provenance.unseal("secret", 7, "purpose", token) is None  # another field
    body, mac = token.split(".")
    assert provenance.unseal("secret", 7, "current_address", body[:-2] + "AA." + mac) is None
    assert provenance.unseal("secret", 7, "current_address", "not a token") is None
    locked = {"properties": {"name": {"x-prefill": {"service": "s"}}}}
    with pytest.raises(FormInvalid):  # a registry fact that is not editable stays as the registry says
        provenance.marks(locked, {"name": "other"}, {"name": {"value": "registry", "source": {}}})


# --- HTTP on both engines -------------------------------------------------------------------------


def _page_tokens(client: TestClient, path: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    once = re.search(r'name="client_token" value="([^"]+)"', page.text)
    assert csrf and once
    return {"csrf_token": csrf.group(1), "client_token": once.group(1)}


def test_finding_9_an_empty_form_is_not_saved(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    refused = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                          json={"service_id": "elderly-allowance",
                                "data": {"phone": " ", "lives_in_state_care": False}})
    assert refused.status_code == 422 and refused.json()["error"] == "empty_form"
    form = _page_tokens(client, "/services/elderly-allowance/apply")
    # what the browser sends for an untouched form: empty texts, and each checkbox's hidden ""
    untouched = {"phone": "", "monthly_income": "", "receives_state_pension": "", "lives_in_state_care": ""}
    page = client.post("/services/elderly-allowance/apply", data={**form, **untouched})
    assert page.status_code == 422
    assert "ยังไม่ได้กรอกข้อมูลในแบบฟอร์ม" in page.text
    assert db.scalar(select(func.count(Application.id))) == 0


def test_finding_7_the_summary_comes_first_links_each_field_and_takes_focus(db: Session, client: TestClient) -> None:
    sign_in(db, client, create_citizen(db))
    form = _page_tokens(client, "/services/elderly-allowance/apply")
    page = client.post("/services/elderly-allowance/apply", data={**form, "phone": "12", "monthly_income": "1500",
                                                                  "payment_method": "cash"})
    assert page.status_code == 422
    main = page.text[page.text.index('<main id="main"'):]
    summary = re.search(r'<div class="error-summary"[^>]*>', main)
    assert summary is not None and main.index(summary.group(0)) < main.index("<h1")  # first in <main>
    assert all(a in summary.group(0) for a in ('role="alert"', 'tabindex="-1"', "autofocus"))
    assert f'<a href="#field-phone">{PHONE_HINT}</a>' in page.text
    phone = re.search(r'<input id="field-phone"[^>]*>', page.text)
    assert phone is not None and "error-phone" in phone.group(0) and 'aria-invalid="true"' in phone.group(0)
    assert page.text.count("กรุณากรอกข้อมูลช่องนี้") == 0
    assert "<title>ข้อผิดพลาด:" in page.text or "<title>Error:" in page.text


def test_finding_7_typed_as_printed_and_stored_normalised(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    data = {"applicant_role": "representative", "disabled_person_id": "1 1017 00203 45 0", "disability_type": "visual",
            "disability_card_expiry": "2573-01-31", "payment_method": "promptpay", "phone": "081-111-2222",
            "in_state_care": False}
    made = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                       json={"service_id": "disability-allowance", "data": data})
    assert made.status_code == 201, made.text
    stored = made.json()["data"]
    assert (stored["disabled_person_id"], stored["phone"], stored["disability_card_expiry"]) == (
        SOMCHAI_ID, "0811112222", "2030-01-31")
    expired = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                          json={"service_id": "disability-allowance",
                                "data": {**data, "disability_card_expiry": "2020-01-31"}})
    assert expired.status_code == 422 and "หมดอายุแล้ว" in expired.json()["fields"]["disability_card_expiry"]


def test_finding_7_the_date_widget_works_without_javascript(db: Session, client: TestClient) -> None:
    sign_in(db, client, create_citizen(db))
    form = _page_tokens(client, "/services/change-of-address/apply")
    page = client.get("/services/change-of-address/apply").text
    assert 'name="move_in_date__day"' in page and 'name="move_in_date__year"' in page
    assert re.search(r'<select id="field-move_in_date__month"[^>]*>.*?มีนาคม', page, re.S)
    assert 'type="date"' not in page
    year_be = dt.date.today().year + 543 - 1
    saved = client.post("/services/change-of-address/apply", data={
        **form, "move_in_date__day": "๓", "move_in_date__month": "12", "move_in_date__year": str(year_be),
        "phone": "081-111-2222"})
    assert saved.status_code == 303, saved.text
    application = db.scalar(select(Application))
    assert application is not None
    assert application.data == {"move_in_date": f"{year_be - 543}-12-03", "phone": "0811112222"}
    shown = client.get(saved.headers["location"]).text  # the draft shows the date back as day / month / พ.ศ.
    assert re.search(rf'name="move_in_date__year" value="{year_be}"', shown)
    future = client.post("/services/change-of-address/apply", data={
        **_page_tokens(client, "/services/change-of-address/apply"), "move_in_date__day": "1",
        "move_in_date__month": "1", "move_in_date__year": str(year_be + 3)})
    assert future.status_code == 422
    assert 'id="error-move_in_date"' in future.text and "วันที่ต้องไม่เป็นวันในอนาคต" in future.text
    assert f'name="move_in_date__year" value="{year_be + 3}"' in future.text  # what was typed is kept


def test_finding_5_a_corrected_residence_is_marked_for_the_officer(db: Session, client: TestClient, app: FastAPI,
                                                                   make_client: Any) -> None:
    citizen = create_citizen(db)
    sign_in(db, client, citizen)
    secret = app.state.pracha.settings.secret_key.get_secret_value()
    source = {"th": "จากทะเบียนราษฎร", "en": "From the civil registry"}
    registry_address = "บ้านเลขที่ 12 ถนนราชวิถี ตำบลศรีภูมิ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200"
    token = provenance.seal(secret, citizen.id, "current_address", registry_address, source)
    lived = "หอพักสุขใจ ห้อง 204 ถนนห้วยแก้ว ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200"
    base = {"purpose": "job", "copies": "1", "delivery": "pickup", "current_address": lived,
            "current_address__registry": token}
    saved = client.post("/services/residence-certificate/apply",
                        data={**_page_tokens(client, "/services/residence-certificate/apply"), **base})
    assert saved.status_code == 303, saved.text
    reference = saved.headers["location"].rsplit("/", 1)[1]
    application = db.scalar(select(Application).where(Application.reference == reference))
    assert application is not None and application.data["current_address"] == lived
    assert application.prefill == {"current_address": {"source": source, "changed": True}}
    neighbour, forger = make_client(), create_citizen(db)  # one residence certificate open per person
    sign_in(db, neighbour, forger)
    forged = neighbour.post("/services/residence-certificate/apply", data={
        **_page_tokens(neighbour, "/services/residence-certificate/apply"), **base,
        "current_address__registry": provenance.seal("not-the-secret", forger.id, "current_address", lived, source)})
    assert forged.status_code == 303
    db.rollback()  # a new transaction sees the second draft
    other = db.scalar(select(Application).where(Application.reference == forged.headers["location"].rsplit("/", 1)[1]))
    assert other is not None and other.prefill is None  # a forged seal counts for nothing
    application.status = "submitted"  # what the officer sees once it is submitted
    db.commit()
    officer = make_client()
    sign_in(db, officer, create_staff(db, "officer", "cm-district-admin"))
    page = officer.get(f"/applications/{reference}")
    assert page.status_code == 200
    assert "ที่อยู่ที่อาศัยอยู่จริง (แก้ไขจากข้อมูลทะเบียน)" in page.text and lived in page.text


def test_finding_5_editing_a_prefilled_value_in_the_draft_marks_it(db: Session, catalog: Catalog) -> None:
    marks = {"current_address": {"source": {"th": "จากทะเบียนราษฎร", "en": "x"}, "changed": False}}
    same = provenance.after_update(marks, {"current_address": "a"}, {"current_address": "a", "copies": 2})
    assert same == marks
    edited = provenance.after_update(marks, {"current_address": "a"}, {"current_address": "b"})
    assert edited is not None and edited["current_address"]["changed"] is True
    shown = forms.fields(schema(catalog, "residence-certificate"), edited)
    assert next(f for f in shown if f["name"] == "current_address")["label"]["th"] == (
        "ที่อยู่ที่อาศัยอยู่จริง (แก้ไขจากข้อมูลทะเบียน)")
    assert forms.is_empty({"a": None, "b": "", "c": False}) and not forms.is_empty({**ELDERLY_FORM})
    assert inputs.year_ce(2573) == 2030 and inputs.year_ce(2030) == 2030
