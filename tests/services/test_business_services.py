"""Issue 16, business services: the catalogue's `audience` and its filter, the four new services (their
YAML, fees and bots), and the rule language's `month`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.assistant.knowledge import load_faq
from pracha.automation.bot import decisions_for, rulesets
from pracha.automation.evaluate import PASS, Fact, compute, evaluate
from pracha.automation.rules import parse
from pracha.payments.fees import quote_for, specs
from pracha.services.catalog import Catalog, CatalogError, default_catalog_dir, filter_audience, load_catalog
from tests.automation.helpers import run_tasks, submit
from tests.factories import create_citizen

BUSINESS = ("food-shop-permit", "vat-registration", "signboard-tax", "social-security-employer")
BOTH = {"food-shop-permit", "signboard-tax", "commercial-registration", "building-permit"}


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load_catalog(default_catalog_dir())


def test_the_four_business_services_load_with_their_agencies_audience_and_faq(real: Catalog) -> None:
    for sid in BUSINESS:
        service = real.services[sid]
        assert "business" in service.audience and service.life_events == ("starting-a-business",)
        assert service.audience == (("citizen", "business") if sid in BOTH else ("business",))
        assert service.document is not None and service.privacy.basis == "legal-obligation"
    assert {real.services[s].agency for s in BUSINESS} == {"cm-city-health", "rd-chiang-mai", "cm-city-revenue",
                                                            "sso-chiang-mai"}
    assert real.services["elderly-allowance"].audience == ("citizen",)  # the default
    faq = load_faq(default_catalog_dir() / "faq", real)
    assert all(sum(p.service_id == sid for p in faq) >= 15 for sid in BUSINESS)
    assert {"vat-registration", "social-security-employer", "signboard-tax"} <= set(rulesets(real))


def test_filter_audience_keeps_services_for_both_in_each(real: Catalog) -> None:
    business = {s.id for s in filter_audience(real.services.values(), "business")}
    citizen = {s.id for s in filter_audience(real.services.values(), "citizen")}
    assert business == set(BUSINESS) | BOTH
    assert BOTH <= citizen and not {"vat-registration", "social-security-employer"} & citizen
    assert len(filter_audience(real.services.values(), None)) == len(real.services)


@pytest.mark.parametrize("audience", [[], ["company"], ["business", "business"], "business"])
def test_a_bad_audience_in_the_yaml_is_refused_naming_the_file(tmp_path: Path, audience: object) -> None:
    source = default_catalog_dir()
    for name in ("agencies.yaml", "life-events.yaml"):
        (tmp_path / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "services").mkdir()
    data = yaml.safe_load((source / "services" / "vat-registration.yaml").read_text(encoding="utf-8"))
    data["audience"] = audience
    (tmp_path / "services" / "vat-registration.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(CatalogError, match="vat-registration.yaml: audience"):
        load_catalog(tmp_path)


def test_api_lists_business_services_by_audience(client: TestClient) -> None:
    business = client.get("/api/v1/services", params={"audience": "business"})
    assert business.status_code == 200
    ids = {s["id"] for s in business.json()}
    assert len(ids) >= 4 and set(BUSINESS) <= ids and "elderly-allowance" not in ids
    assert all("business" in s["audience"] for s in business.json())
    citizen = {s["id"] for s in client.get("/api/v1/services", params={"audience": "citizen"}).json()}
    assert "elderly-allowance" in citizen and "vat-registration" not in citizen and "food-shop-permit" in citizen
    detail = client.get("/api/v1/services/signboard-tax").json()
    assert detail["audience"] == ["citizen", "business"]


@pytest.mark.parametrize("bad", ["company", "BUSINESS", "", "citizen,business"])
def test_a_bad_audience_is_422_with_a_clear_message_in_both_languages(client: TestClient, bad: str) -> None:
    th = client.get("/api/v1/services", params={"audience": bad})
    assert th.status_code == 422
    assert th.json()["fields"]["audience"] == "ต้องเป็น 'citizen' หรือ 'business'"
    en = client.get("/api/v1/services", params={"audience": bad, "lang": "en"})
    assert en.status_code == 422 and "'citizen' or 'business'" in en.json()["fields"]["audience"]
    assert client.get("/services", params={"audience": bad}).status_code == 422  # the page too, never 500


def test_catalogue_page_filters_by_audience(client: TestClient, real: Catalog) -> None:
    page = client.get("/services", params={"audience": "business"})
    assert page.status_code == 200
    assert "สำหรับธุรกิจ" in page.text and "สำหรับประชาชน" in page.text
    assert real.services["vat-registration"].name.th in page.text
    assert real.services["elderly-allowance"].name.th not in page.text
    assert 'href="/services?audience=business" aria-current="true"' in page.text
    people = client.get("/services", params={"audience": "citizen", "lang": "en"}).text
    assert "For businesses" in people and real.services["vat-registration"].name.en not in people
    searched = client.get("/services", params={"audience": "business", "q": "ร้านอาหาร"}).text
    assert 'name="audience" value="business"' in searched


# --- fees ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("area", "baht"), [(201, "1000.00"), (300, "1000.00"), (300.5, "2000.00"),
                                            (500, "2000.00"), (501, "3000.00")])
def test_food_shop_permit_fee_by_area_due_on_approve(real: Catalog, area: float, baht: str) -> None:
    quote = quote_for(real, "food-shop-permit", {"floor_area": area, "application_kind": "renewal"})
    assert quote is not None and quote.due == "approve" and quote.complete and quote.to_confirm
    assert quote.as_json()["amount"] == baht and len(quote.lines) == 1


def test_food_shop_of_200_m2_or_less_owes_no_permit_fee(real: Catalog) -> None:
    quote = quote_for(real, "food-shop-permit", {"floor_area": 200})
    assert quote is not None and quote.complete and quote.satang == 0 and not quote.lines


def test_signboard_tax_per_500_cm2_by_kind_with_a_10_baht_minimum(real: Catalog) -> None:
    form = {"signs_address": "88/1 ถนนช้างคลาน", "sign_1_kind": "thai_mixed", "sign_1_width_cm": 200,
            "sign_1_height_cm": 100,  # 20,000 cm² = 40 units × 26 = 1,040
            "sign_2_kind": "no_thai", "sign_2_width_cm": 101, "sign_2_height_cm": 10,  # 1,010 cm² = 3 units × 50
            "sign_3_kind": "thai_only", "sign_3_width_cm": 20, "sign_3_height_cm": 20}  # 1 unit × 5 → 10
    quote = quote_for(real, "signboard-tax", form)
    assert quote is not None and quote.due == "submit" and quote.complete
    assert [line.satang for line in quote.lines] == [104000, 15000, 1000]
    assert quote.lines[0].label_th.startswith("ภาษีป้ายที่ 1 (40 หน่วย")
    one = quote_for(real, "signboard-tax", {k: v for k, v in form.items() if not k.startswith(("sign_2", "sign_3"))})
    assert one is not None and one.complete and one.satang == 104000
    half = quote_for(real, "signboard-tax", {**form, "sign_2_width_cm": None})
    assert half is not None and not half.complete  # a sign without its size: the form is not finished
    # the bot's fee is the same sum
    fee = compute(rulesets(real)["signboard-tax"].fee, {"form": Fact(form, "form")})
    assert fee.outcome == PASS and fee.value == 1040 + 150 + 10


@pytest.mark.parametrize(("kind", "baht"), [("thai_only", 5), ("thai_only_moving", 10), ("thai_mixed", 26),
                                            ("thai_mixed_moving", 52), ("no_thai", 50), ("no_thai_moving", 52)])
def test_signboard_tax_rate_of_each_kind(real: Catalog, kind: str, baht: int) -> None:
    quote = quote_for(real, "signboard-tax", {"sign_1_kind": kind, "sign_1_width_cm": 100, "sign_1_height_cm": 50})
    assert quote is not None and quote.satang == 10 * baht * 100  # 5,000 cm² = 10 units
    assert set(specs(real)) >= {"food-shop-permit", "signboard-tax"}


def test_month_function() -> None:
    facts = {"app": Fact({"submitted_on": dt.date(2026, 3, 31)}, "app")}
    assert compute(parse("month(app.submitted_on)"), facts).value == 3
    assert compute(parse("month('2026-04-01') <= 3"), facts).value is False
    end = "add_days(add_months(month_start(app.submitted_on), 13 - month(app.submitted_on)), -1)"
    assert compute(parse(end), facts).value == "2026-12-31"


# --- the bots ----------------------------------------------------------------------------------------

def test_vat_registration_without_a_juristic_person_goes_to_an_officer_not_back_to_the_citizen(
        db: Session, app: FastAPI) -> None:
    citizen = create_citizen(db)
    form = {"registration_reason": "before_start", "start_date": "2099-01-01", "expected_annual_income": 2500000,
            "business_activity": "ร้านข้าวซอย", "place_of_business": "88/1 ถนนช้างคลาน เชียงใหม่", "branches": 0,
            "phone": "0812345678"}
    application = submit(db, app, citizen, "vat-registration", form)
    run_tasks(app)
    db.expire_all()
    [decision] = decisions_for(db, application.id)
    assert decision.outcome == "officer"
    found = {f["id"]: f for f in decision.findings}
    assert found["juristic-active"]["outcome"] == "missing"
    assert found["juristic-active"]["missing"]["problem"] == "not_found"
    assert found["before-start"]["outcome"] == "pass" and found["within-30-days"]["outcome"] == "pass"


@pytest.mark.parametrize(("day", "outcome"), [(dt.date(2027, 3, 31), "pass"), (dt.date(2027, 4, 1), "fail"),
                                               (dt.date(2026, 12, 31), "fail")])
def test_signboard_tax_bot_passes_only_returns_filed_by_march(real: Catalog, day: dt.date, outcome: str) -> None:
    # the bot itself runs once the tax (due on submit) is paid: the payments tests cover that hold
    ruleset = rulesets(real)["signboard-tax"]
    form = {"sign_1_kind": "thai_only", "sign_1_width_cm": 100, "sign_1_height_cm": 100}
    facts = {"form": Fact(form, "form"), "app": Fact({"submitted_on": day}, "app")}
    found = {r.id: evaluate(r.node, facts).outcome for r in ruleset.rules}
    assert found == {"filed-by-march": outcome, "tax-computed": "pass"}
    assert compute(ruleset.fee, facts).value == 100  # 10,000 cm² = 20 units × 5
