"""The bank's store on both engines (`--database` takes any SQLAlchemy URL; the default is SQLite)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from pracha.bank.store import AlreadyPaid, AlreadyRefunded, Store, open_store

BILLER = "099400016550100"
NOON = dt.datetime(2026, 12, 5, 5, 0, tzinfo=dt.UTC)  # 12:00 in Bangkok


@pytest.fixture
def store(database_url: str) -> Store:
    return open_store(database_url)


def pay(store: Store, ref2: str, at: dt.datetime = NOON) -> object:
    return store.record_payment(BILLER, "CR69-STORE", ref2, Decimal("50.00"), at=at, payer_account="xxx-x-x0001-x",
                                callback="delivered")


def test_a_bill_is_paid_once_even_at_once(store: Store) -> None:
    def attempt(_: int) -> bool:
        try:
            pay(store, "PSAME")
        except AlreadyPaid:
            return False
        return True

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert sorted(pool.map(attempt, range(6))) == [False] * 5 + [True]
    assert store.find_paid(BILLER, "CR69-STORE", "PSAME") is not None and store.count() == 1


def test_one_refund_per_payment_and_the_statement_in_order(store: Store) -> None:
    payment = store.record_payment(BILLER, "CR69-STORE", "P1", Decimal("50.00"), at=NOON,
                                   payer_account="xxx-x-x0001-x", callback="delivered")
    refund = store.record_refund(payment, Decimal("20.00"), "ยกเลิก", at=NOON + dt.timedelta(microseconds=5))
    with pytest.raises(AlreadyRefunded):
        store.record_refund(payment, Decimal("1.00"), "again", at=NOON + dt.timedelta(seconds=1))
    late = pay(store, "P2", dt.datetime(2026, 12, 5, 16, 59, 59, tzinfo=dt.UTC))  # 23:59:59 in Bangkok
    pay(store, "P3", dt.datetime(2026, 12, 5, 17, 0, 0, tzinfo=dt.UTC))  # the next Bangkok day
    text = "".join(store.statement("2026-12-05", chunk_lines=2))
    assert text.splitlines() == [
        "transaction_id,paid_at,biller_id,ref1,ref2,amount,type",
        f"{payment.id},2026-12-05T05:00:00Z,{BILLER},CR69-STORE,P1,50.00,payment",
        f"{refund.id},2026-12-05T05:00:00Z,{BILLER},CR69-STORE,P1,-20.00,refund",
        f"{late.id},2026-12-05T16:59:59Z,{BILLER},CR69-STORE,P2,50.00,payment",  # type: ignore[attr-defined]
    ]
    assert store.refund_of(payment.id) == refund and store.find_payment(refund.id) is None


def test_test_lines(store: Store) -> None:
    assert store.add_test_lines(dt.date(2026, 12, 6), 1000) == 1000
    lines = "".join(store.statement("2026-12-06")).splitlines()
    assert len(lines) == 1001 and len({line.split(",")[0] for line in lines}) == 1001
