"""The bot of a service's `auto` step: on submit it fetches the facts, evaluates the rules, checks the
documents, computes the fee and decides — approve (eligible and complete), hand to an officer with the
findings (a bot never rejects), or ask the citizen for what is missing. Every decision keeps each
rule's outcome with the values it read and their sources, and goes to the ledger."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation.evaluate import MISSING, PASS, Fact, Outcome, compute, evaluate
from pracha.automation.explain import APPROVED as APPROVED
from pracha.automation.explain import NEEDS_INFO as NEEDS_INFO
from pracha.automation.explain import OFFICER as OFFICER
from pracha.automation.explain import explain
from pracha.automation.models import BotDecision
from pracha.automation.registry import LOOKUPS, FactFetcher, fetch_facts
from pracha.automation.ruleset import RuleSet, compile_step
from pracha.calendar import BANGKOK
from pracha.config import Settings
from pracha.db import utcnow
from pracha.identity.principal import Principal
from pracha.ledger import log as ledger
from pracha.services import service as services
from pracha.services import workflow
from pracha.services.catalog import Catalog, Service
from pracha.services.models import Application

ALLOWED_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


@lru_cache(maxsize=8)
def rulesets(catalog: Catalog) -> dict[str, RuleSet]:
    """The compiled `auto` step of every service that has one (raises RuleSetError on a bad one)."""
    found: dict[str, RuleSet] = {}
    for service in catalog.services.values():
        for step in service.steps:
            if step.auto is not None and service.id not in found:
                try:
                    found[service.id] = compile_step(step.id, step.auto, frozenset(LOOKUPS))
                except ValueError as exc:
                    raise ValueError(f"{service.id}: {exc}") from None
    return found


def finding(rule_id: str, th: str, en: str, source: str, outcome: Outcome) -> dict[str, Any]:
    return {
        "id": rule_id, "th": th, "en": en, "when": source, "outcome": outcome.outcome,
        "values": [{"path": p, "value": v, "source": s} for p, (v, s) in sorted(outcome.reads.items())],
        "missing": {"path": outcome.missing[0], "source": outcome.missing[1], "problem": outcome.problem,
                    "registry": outcome.registry, "typed": outcome.typed} if outcome.missing else None,
        "error": outcome.error,
    }


def check_documents(service: Service, application: Application) -> dict[str, Any]:
    have = {d.requirement for d in application.documents}
    missing = [d.id for d in service.documents if d.required and d.id not in have]
    bad = [d.requirement for d in application.documents if d.content_type not in ALLOWED_TYPES or d.size <= 0]
    return {"missing": missing, "unusable": bad, "count": len(application.documents)}


def decide(findings: list[dict[str, Any]], documents: Mapping[str, Any], fee: Outcome) -> str:
    """needs_info when the citizen must add something; approved when everything passed; else officer."""
    citizen_missing = any(f["outcome"] == MISSING and f["missing"]["source"] == "form" for f in findings)
    if citizen_missing or documents["missing"] or documents["unusable"] or (
            fee.outcome == MISSING and fee.missing is not None and fee.missing[1] == "form"):
        return NEEDS_INFO
    if all(f["outcome"] == PASS for f in findings) and fee.outcome == PASS:
        return APPROVED
    return OFFICER


def base_facts(application: Application) -> dict[str, Fact]:
    submitted = application.submitted_at or utcnow()
    return {
        "form": Fact(application.data, "form"),
        "app": Fact({"submitted_on": submitted.astimezone(BANGKOK).date(), "reference": application.reference,
                     "service_id": application.service_id, "organisation_id": application.organisation_id},
                    f"application:{application.reference}"),
    }


def run_bot(session: Session, catalog: Catalog, settings: Settings, application_id: int, *,
            fetch: FactFetcher = fetch_facts) -> BotDecision | None:
    """Process one submitted application; None when there is nothing (more) for the bot to do."""
    query = select(Application).where(Application.id == application_id)
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(of=Application)
    application = session.scalar(query)
    if application is None or application.status not in (workflow.SUBMITTED, workflow.RESUBMITTED):
        return None
    ruleset = rulesets(catalog).get(application.service_id)
    if ruleset is None:
        return None
    done = session.scalar(select(BotDecision).where(BotDecision.application_id == application.id,
                                                    BotDecision.application_version == application.version))
    if done is not None:
        return done
    service = services.get_service(catalog, application.service_id)
    facts = base_facts(application)
    facts.update(fetch(session, settings, application, ruleset.facts, facts))
    findings = [finding(r.id, r.text_th, r.text_en, r.source, evaluate(r.node, facts)) for r in ruleset.rules]
    documents = check_documents(service, application)
    fee = compute(ruleset.fee, facts)
    outcome = decide(findings, documents, fee)
    started = application.submitted_at if application.status == workflow.SUBMITTED else application.updated_at
    decision = BotDecision(
        application=application, application_version=application.version, service_id=application.service_id,
        agency=application.agency, outcome=outcome, findings=findings, documents=documents,
        fee={"expression": ruleset.fee_source, "outcome": fee.outcome, "baht": fee.value},
        seconds=max(0.0, (utcnow() - (started or utcnow())).total_seconds()))
    session.add(decision)
    citizen = application.citizen
    decision.ledger_entry = ledger.record(
        session, "automation.decision", actor=f"bot:{application.agency}", obj=f"application:{application.reference}",
        record={"outcome": outcome, "version": application.version, "findings": findings, "documents": documents,
                "fee": decision.fee}, subject=f"user:{citizen.id}", subject_secret=citizen.national_id)
    bot = Principal(system_agency=application.agency)
    message = explain(service, outcome, findings, documents)  # both languages: each reader sees their own
    if application.status == workflow.SUBMITTED:
        services.act(session, catalog, bot, application, "review",
                     message if outcome == OFFICER else None)
    if outcome == APPROVED:
        services.act(session, catalog, bot, application, "approve", message)
    elif outcome == NEEDS_INFO:
        services.act(session, catalog, bot, application, "request_info", message)
    session.flush()
    return decision


def decisions_for(session: Session, application_id: int) -> list[BotDecision]:
    query = select(BotDecision).where(BotDecision.application_id == application_id).order_by(BotDecision.id)
    return list(session.scalars(query))
