"""The eligibility pre-check with real registries (the civil and welfare registries as their own
processes, asked through the mediator like the bot asks them), and the bot's findings in plain words.

SOMCHAI is eligible for the elderly allowance before filling anything; a citizen born in 1990 whom the
civil registry does not know is not (by the birth date of their own account); someone already paid is
told so; each registry read shows in the citizen's data tracker. A house code the civil registry does
not know sends the change of address back with a sentence naming the code, not "please add it"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation import explain
from pracha.automation.models import BotDecision
from pracha.calendar import BANGKOK, format_date
from pracha.config import Settings
from pracha.demo import SOMCHAI
from pracha.exchange.models import MessageLog
from pracha.services import workflow
from pracha.services.catalog import Catalog
from pracha.services.hooks import CATALOG
from pracha.services.models import Application
from tests.automation import registry_world
from tests.automation.helpers import run_tasks, submit
from tests.automation.registry_world import world_people
from tests.factories import create_citizen, create_staff, sign_in

# the real civil and welfare registries, and settings and an exchange that know them
registries, settings, seeded = registry_world.registries, registry_world.settings, registry_world.seeded

pytestmark = pytest.mark.xdist_group("exchange-processes")
URL = "/api/v1/services/elderly-allowance/eligibility"
CODE_PATTERNS = ("civil.", "form.", "welfare.", "= False", "pracha-", "TH/GOV/")


def plain(text: str) -> None:
    """What a citizen reads: no fact paths, variable values, message ids, registry paths or ISO dates."""
    assert not any(code in text for code in CODE_PATTERNS), text
    assert not any(ch.isdigit() and text[i:i + 10].count("-") == 2 for i, ch in enumerate(text)), text


@pytest.mark.usefixtures("seeded")
def test_somchai_is_eligible_and_each_read_is_in_his_data_tracker(
        db: Session, make_client: Callable[..., TestClient]) -> None:
    somchai = create_citizen(db, national_id=SOMCHAI[2], first_name=SOMCHAI[0], last_name=SOMCHAI[1],
                             birth_date=SOMCHAI[3])
    client = make_client()
    sign_in(db, client, somchai)
    body = client.get(URL).json()
    assert body["outcome"] == "eligible" and body["open_application"] is None, body
    rules = {r["id"]: r for r in body["rules"]}
    assert set(body) == {"outcome", "rules", "open_application"}
    assert all(set(r) == {"id", "text", "result", "because"} for r in body["rules"])
    assert rules["age-60"]["result"] == "pass"
    assert f"วันเกิดของท่าน {format_date(SOMCHAI[3], 'th')} (จากทะเบียนราษฎร)" in rules["age-60"]["because"]
    assert rules["no-state-salary"]["result"] == "unknown" and "แบบฟอร์ม" in rules["no-state-salary"]["because"]
    for rule in body["rules"]:
        plain(rule["because"])
    logs = list(db.scalars(select(MessageLog).where(MessageLog.subject_user_id == somchai.id)))
    assert {(r.decision, r.purpose, r.legal_basis, r.user_ref) for r in logs} == {
        ("allowed", "eligibility-check", "legal-duty", "precheck:cm-elderly-welfare")}
    assert len(logs) == 2 and all(r.ledger_entry_id for r in logs)
    tracker = client.get("/api/v1/me/data-tracker").json()["items"]
    assert {row["reference"] for row in tracker} >= {r.reference for r in logs}
    english = client.get(URL + "?lang=en").json()
    assert {r["id"]: r for r in english["rules"]}["age-60"]["text"].startswith("Aged 60 or over")


@pytest.mark.usefixtures("seeded")
def test_finding_2_born_1990_is_not_eligible_by_age(db: Session, make_client: Callable[..., TestClient]) -> None:
    """Why-list item 2: a 40-year-old could apply for the elderly allowance; the pre-check says why not,
    from the birth date of their own account when the civil registry does not know them."""
    young = create_citizen(db, birth_date=dt.date(1990, 6, 15))
    client = make_client()
    sign_in(db, client, young)
    body = client.get(URL).json()
    assert body["outcome"] == "not_eligible", body
    rules = {r["id"]: r for r in body["rules"]}
    assert rules["age-60"]["result"] == "fail"
    assert rules["age-60"]["because"] == "ตามข้อมูล: วันเกิดของท่าน 15 มิถุนายน 2533 (จากข้อมูลบัญชีผู้ใช้ของท่าน)"
    assert rules["alive"]["result"] == "unknown"
    assert rules["alive"]["because"].startswith("ไม่พบข้อมูลในทะเบียนราษฎรว่าท่านยังมีชีวิตอยู่")
    english = {r["id"]: r for r in client.get(URL + "?lang=en").json()["rules"]}
    assert english["age-60"]["because"] == "Based on your date of birth 15 June 1990 (from your account)."
    page = client.get("/services/elderly-allowance")
    assert page.status_code == 200 and "1111" in page.text and 'id="precheck"' in page.text
    assert "/services/elderly-allowance/apply" in page.text  # still allowed: an officer decides
    for text in (*[r["because"] for r in body["rules"]], page.text.split('id="precheck"')[1].split("</section>")[0]):
        plain(text)


@pytest.mark.usefixtures("seeded")
def test_already_paid_is_told_before_filling_anything(
        db: Session, settings: Settings, make_client: Callable[..., TestClient]) -> None:
    world = world_people(settings)
    paid = {a.national_id for a in world.allowances if a.kind == "elderly" and a.status == "paying"}
    person = next(p for p in world.people if p.national_id in paid and p.alive)
    citizen = create_citizen(db, national_id=person.national_id, birth_date=person.birth_date)
    client = make_client()
    sign_in(db, client, citizen)
    body = client.get(URL).json()
    failed = {r["id"]: r for r in body["rules"] if r["result"] == "fail"}
    assert body["outcome"] == "not_eligible" and "not-already-paid" in failed, body
    assert "เบี้ยยังชีพผู้สูงอายุ" in failed["not-already-paid"]["because"]
    page = client.get("/services/elderly-allowance/apply")
    before_the_form = page.text.split('action="/services/elderly-allowance/apply"')[0]
    assert page.status_code == 200 and "ยังไม่ได้รับเบี้ยยังชีพผู้สูงอายุอยู่" in before_the_form


@pytest.mark.usefixtures("seeded")
def test_finding_6_unknown_house_code_names_the_code_not_please_add(db: Session, app: FastAPI) -> None:
    """Why-list: "please add the house code" although it was filled; the registry did not know it."""
    mover = create_citizen(db, national_id=SOMCHAI[2], birth_date=SOMCHAI[3])
    today = dt.datetime.now(BANGKOK).date()
    form = {"new_house_code": "50019999999", "new_address": "99 ถนนห้วยแก้ว ตำบลสุเทพ",
            "move_in_date": today.isoformat(), "house_owner_id": SOMCHAI[2], "house_owner_consents": True,
            "people_moving": 1, "phone": "0812345678"}
    application = submit(db, app, mover, "change-of-address", form)
    run_tasks(app)
    db.expire_all()
    application = db.get(Application, application.id)
    assert application is not None and application.status == workflow.NEEDS_INFO
    ask = [e for e in application.events if e.to_status == workflow.NEEDS_INFO][-1].message or ""
    assert "ทะเบียนราษฎรไม่พบเลขรหัสประจำบ้านของบ้านหลังใหม่ 50019999999 ที่ท่านกรอก กรุณาตรวจสอบ" in ask
    assert "กรุณาเพิ่มข้อมูล" not in ask
    decision = db.scalar(select(BotDecision).where(BotDecision.application_id == application.id))
    assert decision is not None
    catalog = app.state.pracha.registry.get(CATALOG)
    english = explain.explain(catalog.services["change-of-address"], decision.outcome, decision.findings,
                              decision.documents)["en"]
    assert english.startswith("The civil registry has no record of the") and "50019999999 you gave." in english


def test_access_and_services_without_rules(db: Session, make_client: Callable[..., TestClient]) -> None:
    assert make_client().get(URL).status_code == 401
    officer = make_client()
    sign_in(db, officer, create_staff(db, "officer", "cm-elderly-welfare"))
    assert officer.get(URL).status_code == 403
    citizen = make_client()
    sign_in(db, citizen, create_citizen(db))
    assert citizen.get("/api/v1/services/no-such-service/eligibility").status_code == 404
    body = citizen.get("/api/v1/services/disability-allowance/eligibility?lang=en").json()
    assert body["outcome"] == "cannot_tell" and body["open_application"] is None
    assert {r["result"] for r in body["rules"]} == {"unknown"} and len(body["rules"]) >= 3


def test_open_application_is_named(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = make_client()
    csrf = sign_in(db, citizen, create_citizen(db))
    made = citizen.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                        json={"service_id": "elderly-allowance", "data": {"phone": "0812345678"}})
    assert made.status_code == 201
    reference = made.json()["reference"]
    assert citizen.get(URL).json()["open_application"] == reference
    page = citizen.get("/services/elderly-allowance")
    assert f'href="/applications/{reference}"' in page.text


def test_plain_sentences_for_the_issue_examples(catalog: Catalog) -> None:
    """Why-list item 4: `civil.alive — ไม่มีข้อมูล` and `form.receives_state_salary = False` as sentences."""
    service = catalog.services["elderly-allowance"]
    alive = {"id": "alive", "outcome": "missing", "values": [],
             "missing": {"path": "civil.alive", "source": "TH/GOV/DOPA/civil-registry/persons/1101700203450",
                         "problem": "not_found", "registry": "TH/GOV/DOPA/civil-registry/persons/1101700203450"}}
    said = explain.because(service, alive)
    assert said["th"].startswith("ไม่พบข้อมูลในทะเบียนราษฎรว่าท่านยังมีชีวิตอยู่")
    assert said["en"].startswith("The civil registry has no record showing that you are alive")
    salary = {"id": "no-state-salary", "outcome": "pass", "missing": None,
              "values": [{"path": "form.receives_state_salary", "value": False, "source": "form"}]}
    said = explain.because(service, salary)
    assert said["th"] == ("ตามข้อมูล: ท่านตอบ “ท่านได้รับเงินเดือน ค่าตอบแทน หรือรายได้ประจำจากรัฐหรือ"
                          "องค์กรปกครองส่วนท้องถิ่นหรือไม่”: ไม่ใช่")
    for text in (*said.values(), *explain.because(service, alive).values()):
        plain(text)
