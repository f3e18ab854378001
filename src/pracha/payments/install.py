"""What the payments package adds to an app's (or a worker's) registry: the fee that holds the
automation until paid, what the application pages show, receipts in the wallet and on /verify, and the
daily reconciliation and hourly expiry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pracha.automation import schedules, tasks
from pracha.automation import service as automation
from pracha.automation.wallet import MORE, VERIFY_MORE, WalletDocument
from pracha.config import Settings
from pracha.db import registry_of, utcnow
from pracha.hooks import Registry
from pracha.identity.principal import Principal
from pracha.payments import bankapi, fees, receipts, reconcile, service, verify  # noqa: F401 -- receipts: its task
from pracha.payments.errors import NothingDue
from pracha.payments.models import DUE, EXPIRED, PAID, REFUNDED, Bank, Payment, Receipt
from pracha.services.catalog import Catalog, Text
from pracha.services.hooks import AFTER_ACTION, CATALOG, PAGE_CONTEXT, QUEUE_NOTES
from pracha.services.models import Application


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    fees.specs(catalog)  # a broken fee block fails at start, not at the first payment

    def waits(session: Session, application: Application, action: str) -> bool:
        return service.owes(session, catalog, application, action)

    def after_action(session: Session, application: Application, action: str) -> None:
        """A fee due on this step: make its payment now and tell the citizen."""
        if not service.owes(session, catalog, application, action):
            return
        try:
            payment = service.open_payment(session, settings, catalog, application)
        except NothingDue:
            return
        service.tell_due(session, catalog, application, payment)

    registry.add(automation.WAITS, waits)
    registry.add(AFTER_ACTION, after_action)
    registry.add(PAGE_CONTEXT, page_context)
    registry.add(QUEUE_NOTES, queue_notes)
    registry.add(MORE, wallet_receipts)
    registry.add(VERIFY_MORE, verify.receipt_page)
    registry.add(schedules.DAILY, reconcile_yesterday)
    registry.add(schedules.HOURLY, expire_payments)


def page_context(session: Session, application: Application) -> dict[str, Any]:
    """The application and check-your-answers pages: the fee, how it is computed, and the payment."""
    catalog = registry_of(session).get(CATALOG)
    quote = service.quote_for(catalog, application)
    if quote is None:
        return {}
    payment = service.latest_payment(session, application.id)
    if payment is not None:
        service.expire_if_due(payment, utcnow())
    return {"fee_quote": quote, "payment": payment, "fee_step_reached": service.step_reached(
        quote.due, application.status)}


QUEUE_TEXT = {DUE: {"th": "รอชำระค่าธรรมเนียม", "en": "Awaiting the fee"},
              PAID: {"th": "ชำระค่าธรรมเนียมแล้ว", "en": "Fee paid"},
              EXPIRED: {"th": "รอชำระค่าธรรมเนียม (คิวอาร์หมดอายุ)", "en": "Awaiting the fee (QR expired)"},
              REFUNDED: {"th": "คืนค่าธรรมเนียมแล้ว", "en": "Fee refunded"}}


def queue_notes(session: Session, applications: Sequence[Application]) -> dict[int, dict[str, str]]:
    """The officer's queue: where each application's fee stands (its latest payment)."""
    ids = [a.id for a in applications]
    if not ids:
        return {}
    latest: dict[int, str] = {}
    for application_id, status in session.execute(select(Payment.application_id, Payment.status)
                                                  .where(Payment.application_id.in_(ids)).order_by(Payment.id)):
        latest[application_id] = status
    return {k: QUEUE_TEXT[v] for k, v in latest.items() if v in QUEUE_TEXT}


def wallet_receipts(session: Session, catalog: Catalog, principal: Principal) -> list[WalletDocument]:
    found = []
    for r in session.scalars(select(Receipt).where(Receipt.citizen_id == principal.user_id)):
        agency = catalog.agencies.get(r.agency)
        service_ = catalog.get(r.payment.service_id)
        title = Text(f"ใบเสร็จรับเงิน {service_.name.th if service_ else ''}".strip(),
                     f"Receipt: {service_.name.en if service_ else ''}".strip())
        found.append(WalletDocument(r.id, "receipt", r.number, r.payment.service_id, r.payment.application.reference,
                                    title, agency.name if agency else Text(r.agency, r.agency), r.issued_at, None,
                                    "refunded" if r.payment.status == REFUNDED else "valid", f"/receipts/{r.id}.pdf"))
    return found


def reconcile_yesterday(session: Session, settings: Settings, today: dt.date) -> None:
    """The automation's daily job: one reconciliation task per bank for yesterday's statement."""
    day = (today - dt.timedelta(days=1)).isoformat()
    for bank_id in session.scalars(select(Bank.id)):
        tasks.enqueue(session, "reconcile", f"reconcile:{bank_id}:{day}", {"bank": bank_id, "day": day})


def expire_payments(session: Session, settings: Settings, at: dt.datetime) -> None:
    session.execute(update(Payment).where(Payment.status == DUE, Payment.expires_at <= at).values(status=EXPIRED))


@tasks.preparer("reconcile")
def _fetch_statement(session: Session, context: tasks.Context, payload: dict[str, Any]) -> Any:
    """The statement, fetched ahead of the write transaction (it may be long)."""
    bank = session.get(Bank, payload["bank"])
    if bank is None:
        return None
    return list(reconcile.read_statement(bankapi.statement_lines(context.settings, bank, payload["day"])))


@tasks.handler("reconcile")
def _reconcile(session: Session, context: tasks.Context, payload: dict[str, Any]) -> None:
    bank = session.get(Bank, payload["bank"])
    if bank is None:
        return
    lines = payload.get("prepared")
    if lines is None:
        lines = list(reconcile.read_statement(bankapi.statement_lines(context.settings, bank, payload["day"])))
    reconcile.reconcile(session, context.catalog, bank, dt.date.fromisoformat(payload["day"]), lines)

