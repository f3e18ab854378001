"""Automation wired into the portal: the hook that queues the bot on submit and the certificate on
approval, the task handlers, the officer's override, and what the pages show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.assistant.line_hooks import LINE_HANDLERS
from pracha.automation import bot, certificates, delivery, explain, line_link, precheck, schedules, tasks
from pracha.automation import registry as lookups
from pracha.automation.models import BotDecision, Certificate
from pracha.db import registry_of, utcnow
from pracha.errors import Forbidden, InvalidInput
from pracha.hooks import Hook, Registry
from pracha.identity.models import AGENCY_ADMIN, OFFICER
from pracha.identity.principal import Principal
from pracha.ledger import log as ledger
from pracha.ledger.keys import load_or_create_signer
from pracha.services import service as services
from pracha.services import status_notices, workflow
from pracha.services.catalog import Catalog
from pracha.services.hooks import AFTER_ACTION, CATALOG, ELIGIBILITY, PAGE_CONTEXT
from pracha.services.models import Application

# Packages above (payments) hold the work that follows an action: (session, application, action) → True
# while it must wait (a fee due on that step is not paid yet); they call `resume` when it may go on.
WAITS: Hook[Callable[[Session, Application, str], bool]] = Hook("automation_waits")


def install(registry: Registry, catalog: Catalog) -> None:
    """Register the automation's hooks on an app's registry (and check that every `auto` step and
    `document` block of the catalogue compiles: a broken rule fails at start, not at the first application)."""
    bot.rulesets(catalog)
    certificates.specs(catalog)

    def after_action(session: Session, application: Application, action: str) -> None:
        if any(wait(session, application, action) for wait in registry_of(session).each(WAITS)):
            return
        resume(session, catalog, application, action)

    registry.add(AFTER_ACTION, after_action)
    registry.add(PAGE_CONTEXT, page_context)
    registry.provide(ELIGIBILITY, precheck.check_rules)  # the citizen's pre-check before applying
    registry.add(LINE_HANDLERS, line_link.handle_line_event)  # link codes; first, before participation's


def page_context(session: Session, application: Application) -> dict[str, Any]:
    """What the application page shows of the bot: its decisions (newest first) and the certificate."""
    decisions = list(session.scalars(select(BotDecision).where(BotDecision.application_id == application.id)
                                     .order_by(BotDecision.id.desc())))
    catalog = registry_of(session).find(CATALOG)
    svc = catalog.get(application.service_id) if catalog is not None else None
    return {"bot_decisions": decisions, "certificate": certificate_for(session, application.id),
            "finding_because": (lambda found: explain.because(svc, found)) if svc is not None else None,
            "finding_field": explain.field_to_fix}


def resume(session: Session, catalog: Catalog, application: Application, action: str) -> None:
    """Queue what follows `action` when the service has it: the bot after a submit, the document after
    an approval."""
    if (application.service_id in bot.rulesets(catalog) and action in ("submit", "resubmit")) or (
            application.service_id in certificates.specs(catalog) and action == "approve"):
        queue_work(session, application, action)


def queue_work(session: Session, application: Application, action: str) -> None:
    """The bot on submit, the document on approval: queued in the transaction of the change."""
    if action in ("submit", "resubmit"):
        tasks.enqueue(session, "bot", f"bot:{application.id}:{application.version}",
                      {"application_id": application.id})
    elif action == "approve":
        tasks.enqueue(session, "certificate", f"certificate:{application.id}", {"application_id": application.id})


@tasks.preparer("bot")
def _prepare_bot(session: Session, context: tasks.Context, payload: dict[str, Any]) -> Any:
    """The registry lookups (checks and forwards, no writes), ahead of the bot's write transaction."""
    if context.extra.get("fetch") is not None:
        return None
    application = session.get(Application, int(payload["application_id"]))
    if application is None or application.status not in (workflow.SUBMITTED, workflow.RESUBMITTED):
        return None
    ruleset = bot.rulesets(context.catalog).get(application.service_id)
    if ruleset is None or not ruleset.facts:
        return None
    if any(d.application_version == application.version for d in bot.decisions_for(session, application.id)):
        return None
    prepared = lookups.prepare_lookups(session, context.settings, application, ruleset.facts,
                                       bot.base_facts(application))
    return (application.id, application.version, prepared)


def _prepared_fetch(prepared: Any) -> lookups.FactFetcher:
    application_id, version, prepared_lookups = prepared

    def fetch(session: Session, settings: Any, application: Application, specs: Any, base: Any) -> Any:
        if (application.id, application.version) != (application_id, version):  # changed meanwhile
            return lookups.fetch_facts(session, settings, application, specs, base)
        return lookups.record_lookups(session, prepared_lookups)

    return fetch


@tasks.handler("bot")
def _run_bot(session: Session, context: tasks.Context, payload: dict[str, Any]) -> None:
    fetch = context.extra.get("fetch")
    if fetch is None and payload.get("prepared") is not None:
        fetch = _prepared_fetch(payload["prepared"])
    if fetch is not None:
        bot.run_bot(session, context.catalog, context.settings, int(payload["application_id"]), fetch=fetch)
    else:
        bot.run_bot(session, context.catalog, context.settings, int(payload["application_id"]))


@tasks.preparer("certificate")
def _prepare_certificate(session: Session, context: tasks.Context, payload: dict[str, Any]) -> Any:
    """The PDF, rendered and signed ahead of the certificate's write transaction."""
    application = session.get(Application, int(payload["application_id"]))
    if application is None or application.status != workflow.APPROVED:
        return None
    if application.service_id not in certificates.specs(context.catalog) or certificate_for(
            session, application.id) is not None:
        return None
    settings = context.settings
    return certificates.prepare(session, context.catalog, application,
                                signer=load_or_create_signer(settings.var_dir, settings.ledger_origin),
                                base_url=settings.public_base_url)


@tasks.handler("certificate")
def _issue_certificate(session: Session, context: tasks.Context, payload: dict[str, Any]) -> None:
    query = select(Application).where(Application.id == int(payload["application_id"]))
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(of=Application)
    application = session.scalar(query)
    if application is None or application.status != workflow.APPROVED:
        return
    if application.service_id not in certificates.specs(context.catalog):
        return
    if session.scalar(select(Certificate.id).where(Certificate.application_id == application.id)):
        return  # issued by an earlier run of this task that committed
    settings = context.settings
    signer = load_or_create_signer(settings.var_dir, settings.ledger_origin)
    certificate = certificates.issue(session, context.catalog, application, signer=signer,
                                     base_url=settings.public_base_url, prepared=payload.get("prepared"))
    # the decision's message gains its document: one message per decision, not a second one
    status_notices.add_document(session, application, {"th": certificate.title_th, "en": certificate.title_en})


@tasks.handler("deliver")
def _deliver(session: Session, context: tasks.Context, payload: dict[str, Any]) -> None:
    senders = context.extra.get("senders") or delivery.senders_from(context.settings)
    delivery.deliver_due(session, senders, max_attempts=context.settings.notice_max_attempts)


@tasks.handler("daily")
def _daily(session: Session, context: tasks.Context, payload: dict[str, Any]) -> None:
    schedules.run_daily(session, context.catalog, context.settings, payload["day"])


@tasks.handler("hourly")
def _hourly(session: Session, context: tasks.Context, payload: dict[str, Any]) -> None:
    schedules.run_hourly(session, context.settings, payload["at"])


# --- officers ----------------------------------------------------------------------------------------


def latest_decision(session: Session, application_id: int) -> BotDecision | None:
    return session.scalar(select(BotDecision).where(BotDecision.application_id == application_id)
                          .order_by(BotDecision.id.desc()).limit(1))


def certificate_for(session: Session, application_id: int) -> Certificate | None:
    return session.scalar(select(Certificate).where(Certificate.application_id == application_id))


def override(session: Session, catalog: Catalog, principal: Principal, application: Application, *,
             decision: str, reason: str) -> Application:
    """An officer overrides the bot's finding: approve or reject with a reason (kept and in the ledger)."""
    if principal.role not in (OFFICER, AGENCY_ADMIN) or principal.agency != application.agency:
        raise Forbidden()
    reason = reason.strip()
    if not reason or len(reason) > 4000:
        problem = {"th": "กรุณาระบุเหตุผล (ไม่เกิน 4000 ตัวอักษร)", "en": "Give a reason (at most 4000 characters)."}
        raise InvalidInput(problem["th"], problem["en"], fields={"reason": problem})
    if decision not in ("approve", "reject"):
        raise InvalidInput("เลือกอนุมัติหรือไม่อนุมัติ", "Choose approve or reject.")
    found = latest_decision(session, application.id)
    if found is None:
        raise InvalidInput("คำขอนี้ยังไม่ได้ผ่านการตรวจอัตโนมัติ", "The bot has not checked this application.")
    if application.status == workflow.SUBMITTED:
        services.act(session, catalog, principal, application, "review")
    services.act(session, catalog, principal, application, decision, reason)
    found.override_by, found.override_reason, found.override_at = principal.user_id, reason, utcnow()
    citizen = application.citizen
    ledger.record(session, "automation.override", actor=services.actor_reference(principal),
                  obj=f"application:{application.reference}",
                  record={"decision": decision, "reason": reason, "bot_outcome": found.outcome},
                  subject=f"user:{citizen.id}", subject_secret=citizen.national_id)
    return application
