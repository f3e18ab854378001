"""End to end with real registry calls: the civil and welfare registries run as their own processes
(`pracha registry serve`), the bot asks them through the exchange's mediator (signed requests, legal
duty, message log, ledger), and decides. SOMCHAI's elderly allowance goes from submit to certificate
with no human touch; someone already paid reaches an officer with the failing rule shown; a child ID
the civil registry does not know sends the application back to the citizen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation.models import BotDecision, Certificate
from pracha.calendar import format_date
from pracha.config import Settings
from pracha.demo import SOMCHAI
from pracha.exchange.models import MessageLog
from pracha.identity import thai_id
from pracha.notices.models import InboxMessage
from pracha.services import workflow
from pracha.services.models import Application
from tests.automation import registry_world
from tests.automation.helpers import run_tasks, submit
from tests.automation.registry_world import world_people
from tests.factories import create_citizen, create_staff, sign_in

# the real civil and welfare registries, and settings and an exchange that know them
registries, settings, seeded = registry_world.registries, registry_world.settings, registry_world.seeded

pytestmark = pytest.mark.xdist_group("exchange-processes")


@pytest.mark.usefixtures("seeded")
def test_somchai_goes_from_submit_to_certificate_with_no_human(
        db: Session, app: FastAPI, make_client: Callable[..., TestClient]) -> None:
    somchai = create_citizen(db, national_id=SOMCHAI[2], first_name=SOMCHAI[0], last_name=SOMCHAI[1],
                             birth_date=SOMCHAI[3])
    application = submit(db, app, somchai)
    assert run_tasks(app) == 2  # the bot, then the certificate
    db.expire_all()
    application = db.get(Application, application.id)
    assert application is not None and application.status == workflow.APPROVED
    assert {e.actor_role for e in application.events if e.action != "create"} == {"citizen", "system"}
    decision = db.scalar(select(BotDecision).where(BotDecision.application_id == application.id))
    assert decision is not None and decision.outcome == "approved"
    assert all(f["outcome"] == "pass" for f in decision.findings), decision.findings
    age = next(f for f in decision.findings if f["id"] == "age-60")
    birth = next(v for v in age["values"] if v["path"] == "civil.birth_date")
    assert birth["value"] == SOMCHAI[3].isoformat()
    assert birth["source"].startswith(f"TH/GOV/DOPA/civil-registry/persons/{SOMCHAI[2]} (message pracha-")
    logs = list(db.scalars(select(MessageLog).where(MessageLog.subject_user_id == somchai.id)))
    assert {(r.decision, r.status, r.legal_basis, r.purpose) for r in logs} == {
        ("allowed", 200, "legal-duty", "eligibility-check")}
    assert len(logs) == 2 and all(r.ledger_entry_id for r in logs)
    certificate = db.scalar(select(Certificate).where(Certificate.application_id == application.id))
    assert certificate is not None
    # The document certifies what the civil registry answered, and says the system issued it.
    facts = {f["id"]: f for f in (certificate.facts or {})["facts"]}
    assert facts["birth_date"]["value"] == SOMCHAI[3].isoformat() and facts["monthly_amount"]["value"] in (700, 800)
    assert (certificate.facts or {})["issuer"] == {"automatic": True, "name": None}
    notices = list(db.scalars(select(InboxMessage).where(InboxMessage.user_id == somchai.id)))
    assert [m.subject for m in notices] == [f"{application.reference}: ยื่นคำขอแล้ว", f"{application.reference}: อนุมัติแล้ว"]
    assert "หนังสือรับรองการลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ" in notices[1].body  # with its certificate
    client = make_client()
    sign_in(db, client, somchai)
    page = client.get(f"/applications/{application.reference}")
    assert "อนุมัติโดยระบบอัตโนมัติ" in page.text and f"/certificates/{certificate.id}.pdf" in page.text
    # the citizen reads each finding as a sentence with its source in words, never a path or message id
    assert f"วันเกิดของท่าน {format_date(SOMCHAI[3], 'th')} (จากทะเบียนราษฎร)" in page.text
    assert "TH/GOV/DOPA/civil-registry/persons/" not in page.text and "civil.birth_date" not in page.text
    assert make_client().get(f"/api/v1/certificates/{certificate.id}").json()["status"] == "valid"


@pytest.mark.usefixtures("seeded")
def test_already_paid_reaches_an_officer_with_the_failing_rule(
        db: Session, app: FastAPI, settings: Settings, make_client: Callable[..., TestClient]) -> None:
    world = world_people(settings)
    paid = {a.national_id for a in world.allowances if a.kind == "elderly" and a.status == "paying"}
    person = next(p for p in world.people if p.national_id in paid and p.alive
                  and p.national_id not in world.state_pension and p.national_id not in world.in_state_care)
    citizen = create_citizen(db, national_id=person.national_id, birth_date=person.birth_date)
    application = submit(db, app, citizen)
    run_tasks(app)
    db.expire_all()
    application = db.get(Application, application.id)
    assert application is not None and application.status == workflow.IN_REVIEW  # never rejected by a bot
    decision = db.scalar(select(BotDecision).where(BotDecision.application_id == application.id))
    assert decision is not None and decision.outcome == "officer"
    failed = [f["id"] for f in decision.findings if f["outcome"] == "fail"]
    assert "not-already-paid" in failed
    officer = create_staff(db, "officer", application.agency)
    client = make_client()
    sign_in(db, client, officer)
    page = client.get(f"/applications/{application.reference}")
    assert "ยังไม่ได้รับเบี้ยยังชีพผู้สูงอายุอยู่" in page.text and "ไม่ผ่าน" in page.text
    assert "welfare.allowances" in page.text and "TH/GOV/DLA/welfare-registry/persons/" in page.text
    assert db.scalar(select(Certificate).where(Certificate.application_id == application.id)) is None


@pytest.mark.usefixtures("seeded")
def test_unknown_child_id_goes_back_to_the_citizen(db: Session, app: FastAPI, settings: Settings) -> None:
    carer = create_citizen(db, national_id=SOMCHAI[2], birth_date=SOMCHAI[3])
    unknown = thai_id.make("199999999999")
    form = {"child_id": unknown, "child_name": "เด็กชายทดสอบ", "child_birth_date": "2024-05-01",
            "relationship": "father", "child_lives_with_you": True, "household_members": 3,
            "household_income": 120000, "promptpay_linked": True, "phone": "0812345678"}
    application = submit(db, app, carer, "child-support-grant", form)
    run_tasks(app)
    db.expire_all()
    application = db.get(Application, application.id)
    assert application is not None and application.status == workflow.NEEDS_INFO
    ask = [e for e in application.events if e.to_status == workflow.NEEDS_INFO][-1]
    assert ask.actor_role == "system" and "เลขประจำตัวประชาชนของเด็ก" in (ask.message or "")
