"""The bot on submit, through the real task queue: findings with sources, officer routing when the
registries cannot be asked or a rule fails, the ledger entry, the officer's override and the certificate."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation import bot
from pracha.automation.models import BotDecision, Certificate, Task
from pracha.ledger.models import LedgerEntry
from pracha.notices.models import InboxMessage
from pracha.services import workflow
from pracha.services.hooks import CATALOG
from pracha.services.models import Application
from tests.automation.helpers import run_tasks, submit
from tests.factories import create_citizen, create_staff, sign_in


def test_every_catalogue_auto_step_compiles(app: FastAPI) -> None:
    found = bot.rulesets(app.state.pracha.registry.get(CATALOG))
    assert {"elderly-allowance", "child-support-grant", "residence-certificate", "change-of-address"} <= set(found)
    assert [r.id for r in found["elderly-allowance"].rules][:3] == ["alive", "age-60", "resident-in-area"]


def test_submit_queues_one_bot_task(db: Session, app: FastAPI) -> None:
    application = submit(db, app, create_citizen(db))
    queued = list(db.scalars(select(Task).where(Task.kind == "bot")))
    assert [t.key for t in queued] == [f"bot:{application.id}:{application.version}"]


def test_without_registry_answers_the_bot_hands_over_to_an_officer(db: Session, app: FastAPI) -> None:
    """The exchange refuses (no registry is registered in this database): nothing is invented; the bot
    routes the application to an officer, naming each check it could not make and the source it tried."""
    citizen = create_citizen(db)
    application = submit(db, app, citizen)
    assert run_tasks(app) == 1
    db.expire_all()
    application = db.get(Application, application.id)
    assert application is not None and application.status == workflow.IN_REVIEW
    decision = db.scalar(select(BotDecision).where(BotDecision.application_id == application.id))
    assert decision is not None and decision.outcome == bot.OFFICER
    by_id = {f["id"]: f for f in decision.findings}
    assert by_id["age-60"]["outcome"] == "missing"
    assert by_id["age-60"]["missing"]["source"].startswith("TH/GOV/DOPA/civil-registry/persons/")
    assert by_id["no-state-salary"]["outcome"] == "pass"
    assert by_id["no-state-salary"]["values"] == [{"path": "form.receives_state_salary", "value": False,
                                                  "source": "form"}]
    entry = db.get(LedgerEntry, decision.ledger_entry_id)
    assert entry is not None and entry.kind == "automation.decision"
    assert citizen.national_id.encode() not in entry.data  # a commitment, never the data
    review = [e for e in application.events if e.action == "review"][0]
    assert review.actor_role == "system" and "ตรวจไม่ได้" in (review.message or "")
    assert run_tasks(app) == 0  # idempotent: nothing left, and a second run changes nothing


def test_officer_overrides_with_a_reason_and_the_certificate_follows(
        db: Session, app: FastAPI, make_client: type[TestClient]) -> None:
    citizen = create_citizen(db, language="en")
    application = submit(db, app, citizen)
    run_tasks(app)
    officer = create_staff(db, "officer", application.agency)
    client = make_client()
    csrf = sign_in(db, client, officer)
    page = client.get(f"/applications/{application.reference}")
    assert page.status_code == 200 and 'id="automation"' in page.text and "age-60" not in page.text
    assert "TH/GOV/DOPA/civil-registry/persons/" in page.text  # the source of each check is shown
    url = f"/applications/{application.reference}/automation/override"
    refused = client.post(url, data={"csrf_token": csrf, "decision": "approve", "reason": " "})
    assert refused.status_code == 422
    done = client.post(url, data={"csrf_token": csrf, "decision": "approve",
                                  "reason": "Checked the house registration book in person"})
    assert done.status_code == 303, done.text
    assert run_tasks(app) == 1  # the certificate task
    db.expire_all()
    certificate = db.scalar(select(Certificate).where(Certificate.application_id == application.id))
    assert certificate is not None and certificate.pdf.startswith(b"%PDF")
    decision = db.scalar(select(BotDecision).where(BotDecision.application_id == application.id))
    assert decision is not None and decision.override_reason == "Checked the house registration book in person"
    kinds = set(db.scalars(select(LedgerEntry.kind)))
    assert {"automation.decision", "automation.override", "certificate.issue"} <= kinds
    notices = list(db.scalars(select(InboxMessage).where(InboxMessage.user_id == citizen.id)))
    # one message for the decision, with its certificate, in the citizen's language
    assert [m.subject for m in notices] == [f"{application.reference}: Submitted", f"{application.reference}: Approved"]
    assert "Certificate of registration for the elderly living allowance" in notices[1].body
    assert "Checked the house registration book in person" in notices[1].body
    assert run_tasks(app) == 0
    assert len(list(db.scalars(select(Certificate)))) == 1
