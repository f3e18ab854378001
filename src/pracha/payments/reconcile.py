"""Reconciliation: the bank's statement of a day against Pracha's payments.

Each statement line is matched by the bank's transaction id and the payment id (reference 2):
- matched: Pracha has it paid by that transaction, same amount: nothing to do;
- missed_callback: the payment is still due (or expired) here, the line matches it: recorded as paid now
  (`paid_via` reconciliation, the citizen is told) and listed, resolved, in the report;
- amount_mismatch / reference_mismatch / unknown_payment / paid_twice: flagged for the finance officer;
- not_in_statement: Pracha has a Thai QR payment paid that day through this bank that the statement lacks;
- refund lines must match a refund Pracha made (refund_unmatched otherwise).
The lookups are done in bulk (one query per thousand lines), so 100,000 lines take seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pracha.calendar import BANGKOK
from pracha.db import utcnow
from pracha.payments import fees
from pracha.payments.bundles import reference_1
from pracha.payments.models import DUE, EXPIRED, PAID, REFUNDED, THAI_QR, Bank, Discrepancy, Payment, Refund
from pracha.payments.service import RECONCILIATION, flag, mark_paid
from pracha.services.catalog import Catalog
from pracha.services.models import Application, Bundle

HEADER = ["transaction_id", "paid_at", "biller_id", "ref1", "ref2", "amount", "type"]
KINDS = ("missed_callback", "amount_mismatch", "reference_mismatch", "unknown_payment", "paid_twice",
         "not_in_statement", "refund_unmatched")
CHUNK = 900  # ids per IN (...): under SQLite's default limit of bound parameters


class StatementError(ValueError):
    pass


@dataclass(frozen=True)
class Line:
    transaction_id: str
    paid_at: dt.datetime
    biller_id: str
    ref1: str
    ref2: str
    satang: int
    type: str  # payment | refund


@dataclass
class Summary:
    bank: str
    day: dt.date
    lines: int = 0
    matched: int = 0
    repaired: int = 0
    flagged: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {"bank": self.bank, "day": self.day.isoformat(), "lines": self.lines, "matched": self.matched,
                "repaired": self.repaired, "flagged": dict(self.flagged)}


def read_statement(rows: Iterable[str]) -> Iterator[Line]:
    """Parse the bank's CSV (header first); StatementError names the first bad line."""
    reader = csv.reader(rows)
    header = next(reader, None)
    if header != HEADER:
        raise StatementError(f"unexpected header: {header!r}")
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        try:
            txn, paid_at, biller, ref1, ref2, amount, kind = row
            when = dt.datetime.fromisoformat(paid_at.replace("Z", "+00:00"))
            yield Line(txn, when if when.tzinfo else when.replace(tzinfo=dt.UTC), biller, ref1,
                       ref2.upper(), fees.to_satang(amount), kind)
        except ValueError as exc:
            raise StatementError(f"line {number}: {exc}") from None


def _known(session: Session, ids: list[str]) -> dict[str, tuple[int, str, int, str | None, str, str]]:
    """public id → (payment id, status, amount, transaction id, biller id, application reference)."""
    found: dict[str, Any] = {}
    for start in range(0, len(ids), CHUNK):
        query = (select(Payment.public_id, Payment.id, Payment.status, Payment.amount, Payment.transaction_id,
                        Payment.biller_id, reference_1())
                 .join(Application, Application.id == Payment.application_id)
                 .outerjoin(Bundle, Bundle.id == Payment.bundle_id)
                 .where(Payment.public_id.in_(ids[start:start + CHUNK])))
        for public_id, *rest in session.execute(query):
            found[public_id] = tuple(rest)
    return found


def reconcile(session: Session, catalog: Catalog, bank: Bank, day: dt.date, lines: Iterable[Line]) -> Summary:
    summary = Summary(bank.id, day)
    payments: list[Line] = []
    refunds: list[Line] = []
    for line in lines:
        (refunds if line.type == "refund" else payments).append(line)
    summary.lines = len(payments) + len(refunds)
    known = _known(session, sorted({line.ref2 for line in payments}))
    seen: set[str] = set()
    for line in payments:
        seen.add(line.transaction_id)
        row = known.get(line.ref2)
        details = {"ref1": line.ref1, "ref2": line.ref2, "amount": fees.baht(line.satang)}
        if row is None:
            flag(session, kind="unknown_payment", bank_id=bank.id, transaction_id=line.transaction_id, day=day,
                 details=details)
            summary.flagged["unknown_payment"] += 1
            continue
        payment_id, status, amount, transaction_id, biller_id, reference = row
        if status in (PAID, REFUNDED) and transaction_id == line.transaction_id:
            if amount == line.satang:
                summary.matched += 1
                continue
        kind = ("reference_mismatch" if (biller_id, reference) != (line.biller_id, line.ref1)
                else "amount_mismatch" if amount != line.satang
                else "missed_callback" if status in (DUE, EXPIRED) else "paid_twice")
        payment = session.get(Payment, payment_id)
        if kind == "missed_callback":
            assert payment is not None
            mark_paid(session, catalog, payment, method=THAI_QR, via=RECONCILIATION, paid_at=line.paid_at, bank=bank,
                      transaction_id=line.transaction_id)
            flag(session, kind=kind, bank_id=bank.id, transaction_id=line.transaction_id, day=day, payment=payment,
                 details=details).resolved_at = utcnow()
            summary.repaired += 1
            continue
        flag(session, kind=kind, bank_id=bank.id, transaction_id=line.transaction_id, day=day, payment=payment,
             details={**details, "expected": fees.baht(amount)})
        summary.flagged[kind] += 1
    _missing_from_statement(session, bank, day, seen, summary)
    _refunds(session, bank, day, refunds, summary)
    return summary


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=BANGKOK).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=1)


def _missing_from_statement(session: Session, bank: Bank, day: dt.date, seen: set[str], summary: Summary) -> None:
    start, end = _bounds(day)
    query = select(Payment).where(Payment.bank_id == bank.id, Payment.method == THAI_QR, Payment.covered_by.is_(None),
                                  Payment.paid_at >= start, Payment.paid_at < end)
    for payment in session.scalars(query):
        if payment.transaction_id not in seen:
            flag(session, kind="not_in_statement", bank_id=bank.id, transaction_id=payment.transaction_id or "",
                 day=day, payment=payment, details={"ref2": payment.public_id, "amount": fees.baht(payment.amount)})
            summary.flagged["not_in_statement"] += 1


def _refunds(session: Session, bank: Bank, day: dt.date, lines: list[Line], summary: Summary) -> None:
    ids = {line.transaction_id for line in lines}
    known = set(session.scalars(select(Refund.bank_refund_id).where(Refund.bank_refund_id.in_(ids)))) if ids else set()
    for line in lines:
        if line.transaction_id in known:
            summary.matched += 1
        else:
            flag(session, kind="refund_unmatched", bank_id=bank.id, transaction_id=line.transaction_id, day=day,
                 details={"ref2": line.ref2, "amount": fees.baht(line.satang)})
            summary.flagged["refund_unmatched"] += 1


def report(session: Session, agency: str | None, day: dt.date) -> dict[str, Any]:
    """The finance officer's day: payments received (by method), refunds, and what to look at."""
    start, end = _bounds(day)
    query = select(Payment).where(Payment.paid_at >= start, Payment.paid_at < end).options(
        selectinload(Payment.application), selectinload(Payment.receipt))
    if agency:
        query = query.where(Payment.agency == agency)
    paid = list(session.scalars(query.order_by(Payment.paid_at)))
    problems = select(Discrepancy).where(Discrepancy.day == day)
    if agency:
        problems = problems.where(Discrepancy.agency == agency)
    return {"day": day, "agency": agency, "payments": paid,
            "total": sum(p.amount for p in paid if p.status in (PAID, REFUNDED)),
            "by_method": Counter(p.method for p in paid),
            "discrepancies": list(session.scalars(problems.order_by(Discrepancy.id)))}
