"""A bundle's fees paid together: one Thai QR for the fees of all its parts.

The QR is one payment (the *cover*: `bundle_id` set, `covered_by` empty) to the platform's collecting
biller (`pracha-bundles` in catalog/billers.yaml), reference 1 the bundle's reference. Each part that
charges a fee gets its own payment too, `covered_by` the cover, not payable by itself. When the cover
is paid, its receipt task marks every covered payment paid instead of issuing a receipt of its own:
each agency then issues its own numbered e-receipt and its part goes on, as if paid alone.
Every part's fee is asked for when the bundle is submitted, whatever step it is due on alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ColumnElement, case, select, update
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.db import utcnow
from pracha.ledger import log as ledger
from pracha.payments import fees, thaiqr
from pracha.payments.errors import NothingDue
from pracha.payments.models import CANCELLED, DUE, PAID, Payment
from pracha.payments.service import billers, expire_if_due, mark_paid, new_public_id, paid_payment, quote_for
from pracha.services.catalog import Catalog
from pracha.services.models import Application, Bundle

COLLECTOR = "pracha-bundles"  # the billers.yaml entry of the platform's collecting account
BUNDLE = "bundle"  # how a covered payment was paid (`paid_via`)


def is_cover(payment: Payment) -> bool:
    return payment.bundle_id is not None and payment.covered_by is None


def reference_1() -> ColumnElement[str]:
    """A payment's QR reference 1 in a query (outer-joined to `Bundle` on `Payment.bundle_id`): the
    bundle's reference for a bundle's one QR, else the application's."""
    return case((Payment.covered_by.is_(None) & Bundle.id.is_not(None), Bundle.reference),
                else_=Application.reference)


def _owing(session: Session, catalog: Catalog, bundle: Bundle) -> list[tuple[Application, fees.Quote]]:
    owing = []
    for part in bundle.parts:
        quote = quote_for(catalog, part)
        if quote is not None and quote.complete and quote.satang > 0 and paid_payment(session, part.id) is None:
            owing.append((part, quote))
    return owing


def current_cover(session: Session, bundle: Bundle, now: dt.datetime | None = None) -> Payment | None:
    """The bundle's QR that can be paid now, if there is one."""
    cover = session.scalar(select(Payment).where(Payment.bundle_id == bundle.id, Payment.covered_by.is_(None))
                           .order_by(Payment.id.desc()).limit(1))
    if cover is None or expire_if_due(cover, now or utcnow()).status not in (DUE, PAID):
        return None
    return cover


def open_bundle_payment(session: Session, settings: Settings, catalog: Catalog, bundle: Bundle, *,
                        now: dt.datetime | None = None) -> Payment:
    """The bundle's one QR for every part's unpaid fee (the due one, or a new one); NothingDue (409)
    when no part owes anything or the platform has no collecting biller."""
    now = now or utcnow()
    current = current_cover(session, bundle, now)
    if current is not None and current.status == DUE:
        return current
    owing = _owing(session, catalog, bundle)
    collector = billers(settings.catalog_dir).get(COLLECTOR)
    parts_billers = billers(settings.catalog_dir)
    owing = [(part, quote) for part, quote in owing if part.agency in parts_billers]
    if not owing or collector is None:
        raise NothingDue()
    total = sum(quote.satang for _, quote in owing)
    expires_at = now + dt.timedelta(hours=settings.payment_expiry_hours)
    public_id = new_public_id()
    lines = [{**line.as_json(), "part": part.reference, "agency": part.agency}
             for part, quote in owing for line in quote.lines]
    lead = owing[0][0]
    cover = Payment(public_id=public_id, application=lead, citizen_id=bundle.citizen_id,
                    organisation_id=bundle.organisation_id, bundle_id=bundle.id, agency=COLLECTOR,
                    service_id=bundle.kind, due_on=fees.SUBMIT, amount=total, lines=lines, status=DUE,
                    biller_id=collector.biller_id, created_at=now, expires_at=expires_at,
                    payload=thaiqr.bill_payment(collector.biller_id, bundle.reference, public_id,
                                                Decimal(fees.baht(total))))
    session.add(cover)
    session.flush()
    # a part's own QR, made when its step came before the bundle's, can no longer be paid: paying both
    # would charge the fee twice
    session.execute(update(Payment).where(Payment.application_id.in_([part.id for part, _ in owing]),
                                          Payment.status == DUE, Payment.covered_by.is_(None),
                                          Payment.id != cover.id).values(status=CANCELLED))
    for part, quote in owing:
        session.add(Payment(public_id=new_public_id(), application=part, citizen_id=bundle.citizen_id,
                            organisation_id=part.organisation_id, bundle_id=bundle.id, covered_by=cover.id,
                            agency=part.agency, service_id=part.service_id, due_on=quote.due, amount=quote.satang,
                            lines=[line.as_json() for line in quote.lines], status=DUE,
                            biller_id=parts_billers[part.agency].biller_id, created_at=now, expires_at=expires_at,
                            payload=""))
    cover.ledger_entry = ledger.record(
        session, "payment.due", actor="bot:pracha", obj=f"payment:{public_id}",
        record={"bundle": bundle.reference, "parts": [part.reference for part, _ in owing],
                **({"organisation": bundle.organisation_id} if bundle.organisation_id else {}),
                "amount": fees.baht(total), "biller": collector.biller_id,
                "expires_at": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")})
    session.flush()
    return cover


def settle_cover(session: Session, catalog: Catalog, cover: Payment) -> list[Payment]:
    """The cover was paid: every payment it covers is paid too (each queues its own receipt)."""
    covered = list(session.scalars(select(Payment).where(Payment.covered_by == cover.id,
                                                         Payment.status != PAID).order_by(Payment.id)))
    assert cover.paid_at is not None and cover.method is not None
    for payment in covered:
        mark_paid(session, catalog, payment, method=cover.method, via=BUNDLE, paid_at=cover.paid_at,
                  bank=cover.bank, officer_id=cover.received_by)
    return covered


def covering(session: Session, payment: Payment) -> Payment | None:
    """The bundle's QR that pays this part's fee, if it is covered."""
    return session.get(Payment, payment.covered_by) if payment.covered_by is not None else None
