"""The demo bank's own database (SQLAlchemy Core; by default the SQLite file var/bank/demo-bank.db in WAL
mode): one `bank_transactions` table of payments and refunds, amounts in satang (refunds negative).

    open_store(url) -> Store
    Store.record_payment(paid) / record_refund(...) / find_payment(id) / find_paid(biller, ref1, ref2)
    Store.set_callback(id, state, attempts) / pending_callbacks()
    Store.statement(day) -> iterator of CSV text chunks (Bangkok day of paid_at, sorted by paid_at)
    Store.add_test_lines(day, n) -> int    n synthetic paid lines, for load tests and benchmarks

A payment is unique by (biller id, ref1, ref2): the same Thai QR payload cannot be paid twice here, even
by two requests at once (the unique index decides). A payment has at most one refund.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from pracha.calendar import BANGKOK
from pracha.db import WRITE, make_engine

metadata = MetaData()
transactions = Table(
    "bank_transactions", metadata,
    Column("id", String(16), primary_key=True),
    Column("type", String(8), nullable=False),  # payment | refund
    Column("biller_id", String(15), nullable=False),
    Column("ref1", String(20), nullable=False),
    Column("ref2", String(20), nullable=False),
    Column("amount", Integer, nullable=False),  # satang; negative for a refund
    Column("paid_at", String(20), nullable=False),  # UTC, 2026-12-05T09:14:03Z (sorts as text)
    Column("day", String(10), nullable=False),  # the Bangkok date of paid_at
    Column("at", BigInteger, nullable=False),  # microseconds since 1970: orders a refund after its payment
    Column("bill", String(60), unique=True),  # biller|ref1|ref2 of a payment; NULL for a refund
    Column("refund_of", String(16), unique=True),  # the payment a refund returns
    Column("payer_account", String(20)),
    Column("reason", Text),
    Column("callback", String(10)),  # delivered | failed | skipped | pending (payments only)
    Column("callback_attempts", Integer, nullable=False, default=0),
    Index("ix_bank_transactions_day", "day", "at"),
)
HEADER = "transaction_id,paid_at,biller_id,ref1,ref2,amount,type\n"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ID_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_ID_TABLE = bytes(ord(_ID_ALPHABET[b % len(_ID_ALPHABET)]) for b in range(256))


class AlreadyPaid(Exception):
    """This bill (biller id, ref1, ref2) has been paid at this bank."""


class AlreadyRefunded(Exception):
    """This payment has been refunded."""


@dataclass(frozen=True)
class Transaction:
    id: str
    type: str
    biller_id: str
    ref1: str
    ref2: str
    amount: Decimal
    paid_at: str
    payer_account: str | None = None
    callback: str | None = None
    callback_attempts: int = 0


def new_transaction_id() -> str:
    """"DB" and 14 random digits or capitals (a byte table: fast enough to make 100,000 at once)."""
    return "DB" + secrets.token_bytes(14).translate(_ID_TABLE).decode("ascii")


def timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def micros(at: dt.datetime) -> int:
    return (at - _EPOCH) // dt.timedelta(microseconds=1)


def bangkok_day(at: dt.datetime) -> str:
    return at.astimezone(BANGKOK).date().isoformat()


def satang(amount: Decimal) -> int:
    return int(amount * 100)


def baht(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record_payment(self, biller_id: str, ref1: str, ref2: str, amount: Decimal, *, at: dt.datetime,
                       payer_account: str, callback: str) -> Transaction:
        row = {"id": new_transaction_id(), "type": "payment", "biller_id": biller_id, "ref1": ref1, "ref2": ref2,
               "amount": satang(amount), "paid_at": timestamp(at), "day": bangkok_day(at),
               "at": micros(at), "bill": f"{biller_id}|{ref1}|{ref2}", "payer_account": payer_account,
               "callback": callback, "callback_attempts": 0}
        try:
            with self.engine.execution_options(**WRITE).begin() as conn:
                conn.execute(insert(transactions), row)
        except IntegrityError as exc:  # the bill's unique index: paid meanwhile (a 14-character id never clashes)
            raise AlreadyPaid from exc
        return _transaction(row)

    def record_refund(self, payment: Transaction, amount: Decimal, reason: str, *, at: dt.datetime) -> Transaction:
        row = {"id": new_transaction_id(), "type": "refund", "biller_id": payment.biller_id, "ref1": payment.ref1,
               "ref2": payment.ref2, "amount": -satang(amount), "paid_at": timestamp(at), "day": bangkok_day(at),
               "at": micros(at), "refund_of": payment.id, "reason": reason, "callback_attempts": 0}
        try:
            with self.engine.execution_options(**WRITE).begin() as conn:
                conn.execute(insert(transactions), row)
        except IntegrityError as exc:
            raise AlreadyRefunded from exc
        return _transaction(row)

    def find_payment(self, transaction_id: str) -> Transaction | None:
        return self._one(select(transactions).where(transactions.c.id == transaction_id,
                                                    transactions.c.type == "payment"))

    def find_paid(self, biller_id: str, ref1: str, ref2: str) -> Transaction | None:
        return self._one(select(transactions).where(transactions.c.bill == f"{biller_id}|{ref1}|{ref2}"))

    def refund_of(self, transaction_id: str) -> Transaction | None:
        return self._one(select(transactions).where(transactions.c.refund_of == transaction_id))

    def set_callback(self, transaction_id: str, state: str, attempts: int) -> None:
        with self.engine.execution_options(**WRITE).begin() as conn:
            conn.execute(update(transactions).where(transactions.c.id == transaction_id)
                         .values(callback=state, callback_attempts=attempts))

    def pending_callbacks(self) -> list[Transaction]:
        """Payments whose callback has not been delivered yet (to retry after a restart)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(transactions).where(transactions.c.callback.in_(("failed", "pending")))
                                .order_by(transactions.c.at)).mappings().all()
        return [_transaction(dict(row)) for row in rows]

    def statement(self, day: str, chunk_lines: int = 2000) -> Iterator[str]:
        """The day's CSV, header first, in chunks of lines: it streams, whatever the day's size."""
        yield HEADER
        query = (select(transactions.c.id, transactions.c.paid_at, transactions.c.biller_id, transactions.c.ref1,
                        transactions.c.ref2, transactions.c.amount, transactions.c.type)
                 .where(transactions.c.day == day).order_by(transactions.c.at, transactions.c.id))
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=chunk_lines).execute(query)
            for rows in result.partitions():
                yield "".join(f"{r[0]},{r[1]},{r[2]},{r[3]},{r[4]},{_amount_text(r[5])},{r[6]}\n" for r in rows)

    def add_test_lines(self, day: dt.date, lines: int, *, biller_id: str = "099400016550100") -> int:
        """`lines` synthetic paid payments spread over `day` (Bangkok), callbacks marked delivered."""
        start = dt.datetime.combine(day, dt.time(), BANGKOK)
        rows, batch = [], secrets.token_hex(4).upper()  # refs unique across calls
        for n in range(lines):
            at = start + dt.timedelta(seconds=n * 86400 // max(lines, 1))
            ref1, ref2 = f"T{batch}{n:08d}", f"P{batch}{n:08d}"
            rows.append({"id": new_transaction_id(), "type": "payment", "biller_id": biller_id, "ref1": ref1,
                         "ref2": ref2, "amount": 100 * (1 + n % 500), "paid_at": timestamp(at),
                         "day": day.isoformat(), "at": micros(at), "bill": f"{biller_id}|{ref1}|{ref2}",
                         "payer_account": "xxx-x-x0000-x", "callback": "delivered", "callback_attempts": 1})
        with self.engine.execution_options(**WRITE).begin() as conn:
            for first in range(0, len(rows), 10_000):
                conn.execute(insert(transactions), rows[first:first + 10_000])
        return len(rows)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(transactions)) or 0)

    def _one(self, query: Any) -> Transaction | None:
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _transaction(dict(row))


def open_store(url: str) -> Store:
    engine = make_engine(url)
    metadata.create_all(engine)
    return Store(engine)


def _amount_text(value: int) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"


def _transaction(row: dict[str, Any]) -> Transaction:
    return Transaction(id=row["id"], type=row["type"], biller_id=row["biller_id"], ref1=row["ref1"],
                       ref2=row["ref2"], amount=baht(row["amount"]), paid_at=row["paid_at"],
                       payer_account=row.get("payer_account"), callback=row.get("callback"),
                       callback_attempts=row.get("callback_attempts") or 0)
