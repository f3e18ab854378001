"""A bundle's fees paid with one Thai QR: the bank is paid once, each part's agency receipts its share
and each part goes on (the real app, both engines)."""

from __future__ import annotations

from decimal import Decimal

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation.models import Certificate
from pracha.identity.principal import Principal
from pracha.payments import bundles, service, thaiqr
from pracha.payments.models import Payment, Receipt
from pracha.payments.reconcile import Line, reconcile
from pracha.services import service as services
from pracha.services.hooks import CATALOG
from pracha.services.models import Bundle
from tests.automation.helpers import run_tasks, submit
from tests.factories import create_staff, sign_in
from tests.payments.helpers import COMMERCIAL_FORM, approved_commercial, register_bank, signed_post


def _bundle_of_two(db: Session, app: FastAPI) -> Bundle:
    catalog = app.state.pracha.registry.get(CATALOG)
    first = approved_commercial(db, app)
    second = submit(db, app, first.citizen, "commercial-registration", COMMERCIAL_FORM | {"trade_name": "ร้านสาขาสอง"})
    officer = Principal(user=create_staff(db, "officer", second.agency))
    services.act(db, catalog, officer, second, "review")
    services.act(db, catalog, officer, second, "approve")
    bundle = Bundle(reference="SB69-TEST22", kind="start-a-business", citizen_id=first.citizen_id,
                    status="submitted", answers={})
    db.add(bundle)
    db.flush()
    first.bundle_id = second.bundle_id = bundle.id
    db.commit()
    db.refresh(bundle)
    return bundle


def test_one_qr_pays_every_part_and_each_agency_receipts_its_share(db: Session, app: FastAPI,
                                                                    client: TestClient) -> None:
    bundle = _bundle_of_two(db, app)
    catalog, settings = app.state.pracha.registry.get(CATALOG), app.state.pracha.settings
    cover = bundles.open_bundle_payment(db, settings, catalog, bundle)
    db.commit()
    parsed = thaiqr.parse(cover.payload)
    assert (parsed.ref1, parsed.ref2, parsed.amount) == ("SB69-TEST22", cover.public_id, Decimal("100.00"))
    assert bundles.open_bundle_payment(db, settings, catalog, bundle).id == cover.id  # the same QR until it expires
    for part in bundle.parts:  # a part's own pay page shows the bundle's QR
        assert service.open_payment(db, settings, catalog, part).id == cover.id
    sign_in(db, client, bundle.parts[1].citizen)
    page = client.get(f"/applications/{bundle.parts[1].reference}/pay")
    assert page.status_code == 200 and 'id="bundle-fees"' in page.text and cover.public_id in page.text
    assert "SB69-TEST22" in page.text and bundle.parts[0].reference in page.text
    slip = client.get(f"/payments/{cover.public_id}/slip.pdf")
    assert slip.status_code == 200 and slip.headers["content-type"] == "application/pdf"
    client.cookies.clear()
    assert service.validate_bill(db, {"biller_id": cover.biller_id, "ref1": "SB69-TEST22", "ref2": cover.public_id,
                                      "amount": "100.00"}) == {"payable": True}
    register_bank(db)
    body = {"transaction_id": "TXB001", "biller_id": cover.biller_id, "ref1": "SB69-TEST22", "ref2": cover.public_id,
            "amount": "100.00", "paid_at": "2026-12-05T03:14:03Z", "payer_account": "xxx-x-x1234-x",
            "channel": "thai_qr"}
    assert signed_post(client, "/payments/callbacks/test-bank", body).json() == {"status": "accepted"}
    run_tasks(app)
    db.rollback()
    covered = list(db.scalars(select(Payment).where(Payment.covered_by == cover.id)))
    assert sorted(p.status for p in covered) == ["paid", "paid"] and {p.paid_via for p in covered} == {"bundle"}
    receipts = list(db.scalars(select(Receipt).where(Receipt.payment_id.in_([p.id for p in covered]))))
    assert len(receipts) == 2 and all(r.agency == "cm-commercial-registry" for r in receipts)
    assert db.scalar(select(Receipt).where(Receipt.payment_id == cover.id)) is None  # the platform only collects
    for part in bundle.parts:  # each part went on: its document is issued; its own earlier QR is cancelled
        assert db.scalar(select(Certificate).where(Certificate.application_id == part.id)) is not None
        assert db.scalar(select(Payment).where(Payment.application_id == part.id, Payment.covered_by.is_(None),
                                               Payment.bundle_id.is_(None), Payment.status == "due")) is None
    bank = register_bank(db)
    paid = db.scalar(select(Payment).where(Payment.id == cover.id).execution_options(populate_existing=True))
    assert paid is not None and paid.status == "paid" and paid.paid_at is not None, (paid.status, paid.paid_at)
    line = Line("TXB001", paid.paid_at, paid.biller_id, "SB69-TEST22", paid.public_id, 10000, "payment")
    summary = reconcile(db, catalog, bank, paid.paid_at.date(), [line])
    assert summary.matched == 1 and not any(summary.flagged.values())


def test_finding_1_the_bundle_qr_cancels_each_parts_own_qr(db: Session, app: FastAPI) -> None:
    """A part whose fee fell due before the bundle's QR was opened (the signboard tax is due on submit)
    had its own payable QR too: paying both charged the fee twice."""
    bundle = _bundle_of_two(db, app)
    catalog, settings = app.state.pracha.registry.get(CATALOG), app.state.pracha.settings
    own = [service.latest_payment(db, part.id) for part in bundle.parts]
    assert all(p is not None and p.status == "due" and p.covered_by is None for p in own)
    cover = bundles.open_bundle_payment(db, settings, catalog, bundle)
    db.commit()
    db.expire_all()
    assert [p.status for p in own if p is not None] == ["cancelled", "cancelled"]
    payable = db.scalars(select(Payment).where(Payment.application_id.in_([p.id for p in bundle.parts]),
                                               Payment.status == "due", Payment.covered_by.is_(None),
                                               Payment.id != cover.id)).all()
    assert payable == []
    assert cover.status == "due" and {p.status for p in db.scalars(
        select(Payment).where(Payment.covered_by == cover.id))} == {"due"}
