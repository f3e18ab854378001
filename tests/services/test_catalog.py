"""The shipped service catalogue (catalog/*.yaml) and its loader and search (services/catalog.py)."""

from __future__ import annotations

import copy
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker

from pracha.services.catalog import (
    Catalog,
    CatalogError,
    Service,
    Text,
    default_catalog_dir,
    load_catalog,
)

SERVICE_IDS = {
    "birth-registration", "change-of-address", "elderly-allowance", "disability-allowance",
    "commercial-registration", "building-permit", "residence-certificate", "child-support-grant",
    "food-shop-permit", "vat-registration", "signboard-tax", "social-security-employer",  # issue 16
}
THAI = re.compile(r"[\u0e01-\u0e5b]")


def thai_id(first12: str) -> str:
    """A valid 13-digit Thai ID: weights 13..2 over the first 12 digits, check = (11 - sum % 11) % 10."""
    total = sum(int(d) * w for d, w in zip(first12, range(13, 1, -1), strict=True))
    return first12 + str((11 - total % 11) % 10)


MOTHER, FATHER, OWNER, DISABLED, CHILD = (thai_id(x) for x in (
    "110170020345", "350990012345", "150990076543", "250990031122", "150990098765"))

# One realistic, complete application per service, as a citizen would fill it in.
EXAMPLES: dict[str, dict[str, Any]] = {
    "food-shop-permit": {
        "application_kind": "renewal", "previous_permit_number": "สอ. ชม. 12/2568", "shop_name": "ข้าวซอยล้านนา",
        "shop_address": "88/1 ถนนช้างคลาน ตำบลช้างคลาน อำเภอเมืองเชียงใหม่", "floor_area": 240, "seats": 80,
        "food_handlers": 6, "opening_hours": "08.00–20.00 น.", "phone": "0812345678"},
    "vat-registration": {
        "registration_reason": "income_over_limit", "income_exceeded_on": "2026-11-20", "start_date": "2024-03-01",
        "expected_annual_income": 2400000, "business_activity": "ร้านอาหาร", "branches": 0,
        "place_of_business": "88/1 ถนนช้างคลาน ตำบลช้างคลาน อำเภอเมืองเชียงใหม่", "phone": "0812345678"},
    "signboard-tax": {
        "signs_address": "88/1 ถนนช้างคลาน เชียงใหม่", "sign_1_kind": "thai_mixed", "sign_1_width_cm": 300,
        "sign_1_height_cm": 80, "sign_2_kind": "thai_only", "sign_2_width_cm": 60, "sign_2_height_cm": 40},
    "social-security-employer": {
        "business_activity": "ร้านอาหาร", "workplace_address": "88/1 ถนนช้างคลาน เชียงใหม่", "employees": 6,
        "first_employee_on": "2026-11-01", "monthly_payroll": 72000, "phone": "0812345678"},
    "birth-registration": {
        "child_first_name": "ปัณณวัฒน์", "child_last_name": "ใจดี", "child_sex": "male",
        "birth_date": "2025-11-02", "birth_place_type": "hospital", "hospital_notification_no": "0123/2568",
        "mother_id": MOTHER, "father_id": FATHER, "house_code": "50990123456",
        "notifier_relationship": "mother",
    },
    "change-of-address": {
        "new_house_code": "50990076543",
        "new_address": "99/9 ถนนนิมมานเหมินท์ ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200",
        "move_in_date": "2025-11-10", "house_owner_id": OWNER, "house_owner_consents": True,
        "people_moving": 2, "reason": "ย้ายมาทำงานที่เชียงใหม่", "phone": "0812345678",
    },
    "elderly-allowance": {
        "payment_method": "bank_transfer", "bank_name": "ktb", "bank_account": "1234567890",
        "phone": "0891234567", "receives_state_pension": False, "lives_in_state_care": False,
        "receives_state_salary": False, "monthly_income": 3000, "moved_from_other_authority": False,
    },
    "disability-allowance": {
        "applicant_role": "carer", "disabled_person_id": DISABLED, "disability_type": "physical",
        "disability_card_expiry": "2031-05-31", "payment_method": "promptpay", "phone": "053123456",
        "in_state_care": False,
    },
    "commercial-registration": {
        "business_form": "individual", "trade_name": "ร้านกาแฟดอยช้าง",
        "business_category": "ขายปลีกเครื่องดื่มกาแฟ",
        "business_address": "12 ถนนราชดำเนิน ตำบลศรีภูมิ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200",
        "start_date": "2025-11-01", "capital": 150000, "premises": "rented", "sells_online": True,
        "website": "https://www.facebook.com/doichangcafe", "phone": "0861234567",
    },
    "building-permit": {
        "building_use": "detached_house", "storeys": 2, "floor_area": 180.5, "height": 8.5,
        "site_address": "ซอย 5 ถนนเจ็ดยอด ตำบลช้างเผือก อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่",
        "land_title_number": "12345", "owns_land": True, "engineer_licence": "ภย. 12345",
        "phone": "0812345678",
    },
    "residence-certificate": {
        "purpose": "job", "purpose_detail": "สมัครงานตำแหน่งครูผู้ช่วย โรงเรียนเทศบาลวัดเกต",
        "current_address": "45 หอพักสวนดอก ถนนสุเทพ ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่",
        "matches_house_registration": False, "living_since": "2020-06-01", "evidence_type": "lease",
        "copies": 1, "delivery": "pickup",
    },
    "child-support-grant": {
        "child_id": CHILD, "child_name": "เด็กหญิงกานต์ธิดา ใจดี", "child_birth_date": "2025-08-15",
        "relationship": "mother", "child_lives_with_you": True, "household_members": 4,
        "household_income": 240000, "promptpay_linked": True, "phone": "0812345678",
    },
}

SEARCHES = [
    ("ย้ายบ้าน", "change-of-address"),
    ("แจ้งเกิด", "birth-registration"),
    ("เบี้ยคนแก่", "elderly-allowance"),
    ("จดทะเบียนร้านค้า", "commercial-registration"),
    ("สร้างบ้าน", "building-permit"),
    ("คนพิการ", "disability-allowance"),
    ("เงินเด็กแรกเกิด", "child-support-grant"),
    ("moving house", "change-of-address"),
    ("building permit", "building-permit"),
    # more ways people ask
    ("ย้ายทะเบียนบ้าน", "change-of-address"),
    ("ทำใบเกิดลูกครับ", "birth-registration"),
    ("ขายของออนไลน์ต้องจดทะเบียนไหม", "commercial-registration"),
    ("หนังสือรับรองที่อยู่", "residence-certificate"),
    ("เงินอุดหนุนเด็ก ๖๐๐ บาท", "child-support-grant"),
    ("เบี้ย ผู้สูงอายุ", "elderly-allowance"),
    ("Old age pension", "elderly-allowance"),
    ("disability allowance", "disability-allowance"),
    ("proof of address", "residence-certificate"),
    ("open a shop", "commercial-registration"),
]


def form_checker() -> FormatChecker:
    checker = FormatChecker(formats=("date", "email"))

    @checker.checks("thai-id")
    def _valid(value: object) -> bool:
        return not isinstance(value, str) or (len(value) == 13 and value.isdigit() and thai_id(value[:12]) == value)

    return checker


def validator(service: Service) -> Draft202012Validator:
    return Draft202012Validator(service.form_schema, format_checker=form_checker())


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load_catalog(default_catalog_dir())


# --- the shipped content ---------------------------------------------------------------------

def test_all_eight_services_are_present(real: Catalog) -> None:
    assert set(real.services) == SERVICE_IDS
    assert all(real.get(sid) is real.services[sid] for sid in SERVICE_IDS)
    assert real.get("no-such-service") is None


COMPLAINT_ONLY = {"cm-city-engineering", "cm-city-environment", "maehia-municipality", "cm-damrongdhama"}


def test_every_service_has_its_own_agency(real: Catalog) -> None:
    assert len(real.agencies) == 16
    # the four without a service take complaints (participation): the city's divisions, Mae Hia, the inspectors
    assert set(real.agencies) - {s.agency for s in real.services.values()} == COMPLAINT_ONLY
    for code, agency in real.agencies.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code)
        assert THAI.search(agency.name.th) and THAI.search(agency.contact.th)
        assert "เชียงใหม่" in agency.contact.th and "Chiang Mai" in agency.contact.en
        assert len(real.by_agency(code)) == (0 if code in COMPLAINT_ONLY else 1)


def test_every_service_is_complete(real: Catalog) -> None:
    for service in real.services.values():
        assert THAI.search(service.name.th) and not THAI.search(service.name.en), service.id
        assert service.life_events and all(e in real.life_events for e in service.life_events)
        assert service.keywords_th and service.keywords_en and service.eligibility
        assert any(doc.required for doc in service.documents), service.id
        assert service.fee_amount >= 0 and 1 <= service.sla_days <= 60
        assert service.steps[0].actor == "citizen"
        assert {step.actor for step in service.steps} >= {"citizen", "officer"}, service.id
        assert 3 <= len(service.form_schema["properties"]) <= 10


def test_facts_a_citizen_relies_on(real: Catalog) -> None:
    fees = {sid: s.fee_amount for sid, s in real.services.items()}
    assert fees["commercial-registration"] == 50  # new registration under the Commercial Registration Act
    assert fees["building-permit"] == 20  # permit fee, Ministerial Regulation No. 7 (B.E. 2528)
    for sid in ("elderly-allowance", "disability-allowance", "child-support-grant", "birth-registration"):
        assert fees[sid] == 0
    assert "15 วัน" in real.services["birth-registration"].summary.th
    assert "30 วัน" in real.services["commercial-registration"].summary.th
    assert "600" in real.services["child-support-grant"].summary.th
    assert "100,000" in real.services["child-support-grant"].description.th
    assert "45 วัน" in real.services["building-permit"].description.th
    note = real.services["commercial-registration"].fee_note
    assert note is not None and "50 บาท" in note.th


def test_elderly_form_asks_for_payment_phone_and_pension(real: Catalog) -> None:
    props = real.services["elderly-allowance"].form_schema["properties"]
    assert set(props["payment_method"]["enum"]) == {"cash", "bank_transfer", "promptpay"}
    assert props["bank_account"]["pattern"] and props["phone"]["pattern"]
    assert props["receives_state_pension"]["type"] == "boolean"


def test_life_events_group_services(real: Catalog) -> None:
    assert 6 <= len(real.life_events) <= 8
    baby = {s.id for s in real.by_life_event("having-a-baby")}
    assert baby == {"birth-registration", "child-support-grant"}
    assert [s.id for s in real.by_life_event("growing-older")] == ["elderly-allowance"]
    assert real.by_life_event("no-such-event") == [] and real.by_agency("nobody") == []


def test_text_picks_the_language() -> None:
    text = Text(th="แจ้งเกิด", en="Register a birth")
    assert text.get("en") == "Register a birth"
    assert text.get("th") == "แจ้งเกิด"
    assert text.get("fr") == "แจ้งเกิด"


# --- forms -----------------------------------------------------------------------------------

@pytest.mark.parametrize("service_id", sorted(SERVICE_IDS))
def test_form_accepts_a_realistic_application(real: Catalog, service_id: str) -> None:
    errors = [e.message for e in validator(real.services[service_id]).iter_errors(EXAMPLES[service_id])]
    assert errors == []


@pytest.mark.parametrize("service_id", sorted(SERVICE_IDS))
def test_form_rejects_a_missing_required_field(real: Catalog, service_id: str) -> None:
    service = real.services[service_id]
    required = service.form_schema["required"]
    assert required
    for field in required:
        data = {k: v for k, v in EXAMPLES[service_id].items() if k != field}
        errors = list(validator(service).iter_errors(data))
        assert any(e.validator == "required" and field in e.message for e in errors), field


def test_form_fields_have_both_labels(real: Catalog) -> None:
    for service in real.services.values():
        for name, prop in service.form_schema["properties"].items():
            assert prop["title"] and THAI.search(prop["x-title-th"]), f"{service.id}.{name}"
            for value in prop.get("enum", []):
                assert THAI.search(prop["x-enum-labels"][value]["th"]), f"{service.id}.{name}.{value}"


@pytest.mark.parametrize(("service_id", "change", "expected"), [
    ("elderly-allowance", {"bank_account": None}, "required"),  # bank transfer needs an account
    ("elderly-allowance", {"bank_account": "12-34"}, "pattern"),
    ("elderly-allowance", {"receives_state_pension": "no"}, "type"),
    ("birth-registration", {"mother_id": MOTHER[:12] + str((int(MOTHER[12]) + 1) % 10)}, "format"),
    ("birth-registration", {"birth_date": "2025-02-30"}, "format"),
    ("change-of-address", {"people_moving": 4}, "maximum"),
    ("disability-allowance", {"disabled_person_id": None}, "required"),  # a carer names the person
    ("commercial-registration", {"website": None}, "required"),  # online sellers give their shop
    ("commercial-registration", {"trade_name": "x" * 201}, "maxLength"),
    ("residence-certificate", {"evidence_type": None}, "required"),
    ("child-support-grant", {"relationship": "uncle"}, "enum"),
    ("building-permit", {"colour": "red"}, "additionalProperties"),
])
def test_form_rejects_bad_values(real: Catalog, service_id: str, change: dict[str, Any], expected: str) -> None:
    data = {**EXAMPLES[service_id], **change}
    data = {k: v for k, v in data.items() if v is not None}
    assert expected in {e.validator for e in validator(real.services[service_id]).iter_errors(data)}


# --- search ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "expected"), SEARCHES)
def test_search_finds_the_right_service_first(real: Catalog, query: str, expected: str) -> None:
    results = real.search(query)
    assert results and results[0].id == expected, [s.id for s in results]


@pytest.mark.parametrize("query", ["xyzzy", "", "   ", "ครับ", "?!"])
def test_search_without_a_match_is_empty(real: Catalog, query: str) -> None:
    assert real.search(query) == []


def test_search_respects_the_limit(real: Catalog) -> None:
    assert len(real.search("ลงทะเบียน", limit=2)) == 2
    assert real.search("ลงทะเบียน", limit=0) == []
    # "ลูก" (child) is also part of "ลูกจ้าง" (employee): the employer registration matches too
    found = [s.id for s in real.search("ลูก")]
    assert found[0] == "birth-registration"
    assert set(found) == {"birth-registration", "child-support-grant", "social-security-employer"}


def test_search_is_fast(real: Catalog) -> None:
    queries = [q for q, _ in SEARCHES]
    real.search("อุ่นเครื่อง")  # first call pays for the tokenizer's lazy set-up
    start = time.perf_counter()
    for _ in range(20):
        for query in queries:
            real.search(query)
    per_query = (time.perf_counter() - start) / (20 * len(queries))
    assert per_query < 0.002


# --- a broken catalogue is refused with a clear message ---------------------------------------

def broken(tmp_path: Path, edit: Callable[[Any], None], file: str = "services/elderly-allowance.yaml") -> str:
    """Copy the real catalogue, apply `edit` to one file, and return the error loading it raises."""
    root = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), root)
    path = root / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edited = copy.deepcopy(data)
    edit(edited)
    path.write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    return str(info.value)


def test_the_copy_itself_loads(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), root)
    assert set(load_catalog(root).services) == SERVICE_IDS


def test_missing_thai_text_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d["name"].pop("th"))
    assert "elderly-allowance.yaml" in message and "Thai" in message


def test_empty_english_text_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d["eligibility"][0].update(en="  "))
    assert "elderly-allowance.yaml" in message and "English" in message


def test_unknown_agency_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d.update(agency="ministry-of-magic"))
    assert "elderly-allowance.yaml" in message and "unknown agency 'ministry-of-magic'" in message


def test_unknown_life_event_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d.update(life_events=["winning-the-lottery"]))
    assert "unknown life event 'winning-the-lottery'" in message


def test_invalid_json_schema_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d["form"]["properties"]["phone"].update(type="telephone"))
    assert "elderly-allowance.yaml" in message and "not a valid JSON Schema" in message


def test_field_without_thai_label_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d["form"]["properties"]["phone"].pop("x-title-th"))
    assert "properties.phone.x-title-th" in message


def test_enum_value_without_label_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d["form"]["properties"]["payment_method"]["enum"].append("cheque"))
    assert "x-enum-labels.cheque" in message


def test_free_text_without_max_length_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d["form"]["properties"]["phone"].pop("pattern"))
    assert "properties.phone" in message and "maxLength" in message


def test_id_must_match_the_file_name(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d.update(id="old-age-allowance"))
    assert "must equal the file name 'elderly-allowance'" in message


def test_missing_key_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d.pop("sla_days"))
    assert "missing keys ['sla_days']" in message


def test_bad_agency_entry_is_refused(tmp_path: Path) -> None:
    def drop_contact(entries: Any) -> None:
        entries[0]["contact"].pop("en")

    message = broken(tmp_path, drop_contact, file="agencies.yaml")
    assert "agencies.yaml" in message and "contact" in message and "English" in message


def test_invalid_yaml_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), root)
    (root / "services" / "elderly-allowance.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="elderly-allowance.yaml: cannot read YAML"):
        load_catalog(root)
