"""Fees, Thai QR payments, the bank's signed callbacks, receipts, refunds' rules, cash at the counter and
the finance officer's views, through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.automation.models import Certificate, Task
from pracha.config import Settings
from pracha.identity.principal import Principal
from pracha.ledger.models import LedgerEntry
from pracha.notices.models import InboxMessage
from pracha.payments import fees, service, thaiqr
from pracha.payments.models import Discrepancy, Payment, Receipt
from pracha.services.catalog import default_catalog_dir
from pracha.services.hooks import CATALOG
from pracha.web.app import create_app
from tests.automation.helpers import run_tasks
from tests.factories import create_staff, sign_in
from tests.payments.helpers import approved_commercial, callback_body, register_bank, signed_post

RESIDENCE_FORM = {
    "purpose": "job", "purpose_detail": "สมัครงานตำแหน่งครูผู้ช่วย โรงเรียนเทศบาลวัดเกต",
    "current_address": "45 หอพักสวนดอก ถนนสุเทพ ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่",
    "matches_house_registration": False, "living_since": "2020-06-01", "evidence_type": "lease",
    "copies": 1, "delivery": "pickup",
}


def _payment(db: Session, application_id: int) -> Payment:
    payment = service.latest_payment(db, application_id)
    assert payment is not None
    return payment


def test_building_permit_fee_is_computed_from_the_floor_area(app: FastAPI) -> None:
    spec = fees.specs(app.state.pracha.registry.get(CATALOG))["building-permit"]
    low = fees.quote(spec, {"storeys": 2, "height": 8, "floor_area": 120.5})
    assert (low.satang, [x.id for x in low.lines]) == (8025, ["permit", "plan-check"])
    assert "120.5 ตารางเมตร × 0.50 บาท" in low.lines[1].label_th
    assert fees.quote(spec, {"storeys": 2, "height": 13, "floor_area": 100}).satang == 22000  # height: tier 2
    assert fees.quote(spec, {"storeys": 4, "height": 14, "floor_area": 100}).satang == 42000  # storeys: tier 3
    unfinished = fees.quote(spec, {"storeys": 2})
    assert not unfinished.complete and unfinished.satang == 2000


def test_approval_makes_the_fee_due_and_holds_the_document(db: Session, app: FastAPI) -> None:
    application = approved_commercial(db, app)
    payment = _payment(db, application.id)
    assert (payment.status, payment.amount, payment.due_on) == ("due", 5000, "approve")
    parsed = thaiqr.parse(payment.payload)
    assert (parsed.biller_id, parsed.ref1, parsed.ref2, parsed.amount) == (
        payment.biller_id, application.reference, payment.public_id, Decimal("50.00"))
    assert payment.payload[-4:] == thaiqr.crc16(payment.payload[:-4].encode())
    # the certificate waits for the fee; the approval's message says so
    assert db.scalar(select(Task).where(Task.key == f"certificate:{application.id}")) is None
    approval = db.scalar(select(InboxMessage).where(InboxMessage.application_id == application.id,
                                                    InboxMessage.key == "application.approved"))
    assert approval is not None and "50.00 บาท" in approval.body


def test_callback_pays_issues_receipt_and_document_and_a_repeat_changes_nothing(
        db: Session, app: FastAPI, client: TestClient) -> None:
    application = approved_commercial(db, app)
    register_bank(db)
    payment = _payment(db, application.id)
    body = callback_body(application, payment, "TX0001")
    answer = signed_post(client, "/payments/callbacks/test-bank", body)
    assert answer.status_code == 200 and answer.json() == {"status": "accepted"}
    entries = db.scalar(select(func.count()).select_from(LedgerEntry))
    again = signed_post(client, "/payments/callbacks/test-bank", body)
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert db.scalar(select(func.count()).select_from(LedgerEntry)) == entries
    run_tasks(app)
    db.rollback()
    payment = _payment(db, application.id)
    assert (payment.status, payment.transaction_id, payment.paid_via) == ("paid", "TX0001", "callback")
    receipt = db.scalar(select(Receipt).where(Receipt.payment_id == payment.id))
    assert receipt is not None and receipt.number.startswith("ทพ.ชม. 1/")
    assert db.scalar(select(Certificate).where(Certificate.application_id == application.id)) is not None
    page = client.get(f"/verify/{receipt.id}")
    assert page.status_code == 200 and 'id="verdict"' in page.text and receipt.number in page.text


def test_forged_unsigned_and_mismatched_callbacks_change_nothing(
        db: Session, app: FastAPI, client: TestClient) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    application = approved_commercial(db, app)
    register_bank(db)
    payment = _payment(db, application.id)
    body = callback_body(application, payment, "TX0002")
    assert client.post("/payments/callbacks/test-bank", json=body).status_code == 401
    forged = signed_post(client, "/payments/callbacks/test-bank", body, key=Ed25519PrivateKey.generate())
    assert forged.status_code == 401 and forged.json()["error"] == "unauthorized"
    wrong = signed_post(client, "/payments/callbacks/test-bank", {**body, "amount": "5.00"})
    assert wrong.status_code == 422 and wrong.json()["error"] == "callback_mismatch"
    db.rollback()
    assert _payment(db, application.id).status == "due"
    flagged = db.scalar(select(Discrepancy).where(Discrepancy.transaction_id == "TX0002"))
    assert flagged is not None and flagged.kind == "amount_mismatch" and flagged.agency == application.agency


def test_bank_validation_answers_payable_then_paid(db: Session, app: FastAPI, client: TestClient) -> None:
    application = approved_commercial(db, app)
    register_bank(db)
    payment = _payment(db, application.id)
    ask = {"biller_id": payment.biller_id, "ref1": application.reference, "ref2": payment.public_id,
           "amount": "50.00"}
    assert signed_post(client, "/payments/validations/test-bank", ask).json() == {"payable": True}
    assert signed_post(client, "/payments/validations/test-bank", {**ask, "amount": "49.00"}).json() == {
        "payable": False, "reason": "amount"}
    assert client.post("/payments/validations/test-bank", json=ask).status_code == 401
    signed_post(client, "/payments/callbacks/test-bank", callback_body(application, payment, "TX0003"))
    assert signed_post(client, "/payments/validations/test-bank", ask).json() == {"payable": False, "reason": "paid"}


def test_citizen_api_and_expired_payment_is_made_again(db: Session, app: FastAPI, client: TestClient) -> None:
    application = approved_commercial(db, app)
    citizen = application.citizen
    client.headers["X-CSRF-Token"] = sign_in(db, client, citizen)
    mine = client.get("/api/v1/me/payments").json()["items"]
    assert len(mine) == 1 and mine[0]["status"] == "due" and mine[0]["amount"] == "50.00"
    assert mine[0]["promptpay_payload"].startswith("000201") and mine[0]["application"] == application.reference
    same = client.post(f"/api/v1/applications/{application.reference}/payments")
    assert same.status_code == 200 and same.json()["id"] == mine[0]["id"]
    payment = _payment(db, application.id)
    payment.expires_at = service.utcnow().replace(year=2020)
    db.commit()
    fresh = client.post(f"/api/v1/applications/{application.reference}/payments")
    assert fresh.status_code == 201 and fresh.json()["id"] != mine[0]["id"]
    states = {x["id"]: x["status"] for x in client.get("/api/v1/me/payments").json()["items"]}
    assert states == {mine[0]["id"]: "expired", fresh.json()["id"]: "due"}
    page = client.get(f"/applications/{application.reference}/pay")
    assert page.status_code == 200 and fresh.json()["id"] in page.text and "50.00" in page.text


def test_nothing_due_is_409(db: Session, app: FastAPI, client: TestClient) -> None:
    from tests.automation.helpers import submit
    from tests.factories import create_citizen

    application = submit(db, app, create_citizen(db))  # the elderly allowance: free
    client.headers["X-CSRF-Token"] = sign_in(db, client, application.citizen)
    answer = client.post(f"/api/v1/applications/{application.reference}/payments")
    assert answer.status_code == 409 and answer.json()["error"] == "nothing_due"


def test_cash_at_the_counter_gives_gap_free_receipts_and_finance_sees_only_its_agency(
        db: Session, app: FastAPI, make_client: type[TestClient]) -> None:
    first, second = approved_commercial(db, app), approved_commercial(db, app)
    finance = create_staff(db, "finance_officer", first.agency)
    client = make_client()
    csrf = sign_in(db, client, finance)
    for application in (first, second):
        done = client.post("/finance/cash", data={"reference": application.reference, "csrf_token": csrf},
                           follow_redirects=False)
        assert done.status_code == 303
    run_tasks(app)
    numbers = sorted(db.scalars(select(Receipt.sequence).where(Receipt.agency == first.agency)))
    assert numbers == list(range(numbers[0], numbers[0] + 2))
    listed = client.get("/api/v1/payments?status=paid").json()["items"]
    assert {x["application"] for x in listed} >= {first.reference, second.reference}
    assert all(x["agency"] == first.agency for x in listed)
    assert client.get("/api/v1/payments?agency=cm-building-control").status_code == 403
    other = make_client()
    sign_in(db, other, create_staff(db, "finance_officer", "cm-building-control"))
    assert client.get("/finance").status_code == 200
    cash = db.scalar(select(Payment).where(Payment.application_id == first.id))
    assert cash is not None and cash.method == "cash"
    assert other.post(f"/finance/payments/{cash.public_id}/refund",
                      data={"reason": "x", "csrf_token": csrf}).status_code in (403, 404)


def test_refund_of_cash_is_recorded_and_the_citizen_told(db: Session, app: FastAPI) -> None:
    from pracha.payments import refunds

    application = approved_commercial(db, app)
    catalog = app.state.pracha.registry.get(CATALOG)
    finance = create_staff(db, "finance_officer", application.agency)
    payment = service.record_cash(db, catalog, app.state.pracha.settings, application, officer_id=finance.id)
    db.commit()
    refunds.refund(db, app.state.pracha.settings, Principal(user=finance), payment, "ชำระซ้ำ")
    db.commit()
    assert payment.status == "refunded" and payment.refunds[0].reason == "ชำระซ้ำ"
    told = db.scalar(select(InboxMessage).where(InboxMessage.key == "payment.refunded"))
    assert told is not None and "ชำระซ้ำ" in told.body


def test_a_fee_due_on_submit_holds_the_bot_until_the_callback(
        make_settings: Callable[..., Settings], tmp_path: Path, make_client: type[TestClient]) -> None:
    """A service whose fee is due on submit: the bot waits; the bank's callback lets it go on."""
    from tests.automation.helpers import submit
    from tests.factories import create_citizen

    catalog_dir = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), catalog_dir)
    path = catalog_dir / "services" / "residence-certificate.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'fee:\n  amount: 0\n', 'fee:\n  amount: 20\n  due: submit\n  lines:\n'
        '    - id: copy\n      label: {th: "ค่าหนังสือรับรอง", en: "Certificate fee"}\n      amount: "20"\n'),
        encoding="utf-8")
    (catalog_dir / "billers.yaml").write_text(
        (catalog_dir / "billers.yaml").read_text(encoding="utf-8")
        + '- agency: cm-district-admin\n  biller_id: "099400016550103"\n  receipt_prefix: "ทร.ชม."\n',
        encoding="utf-8")
    app = create_app(make_settings(catalog_dir=catalog_dir))
    try:
        with app.state.pracha.db.sessions() as db:
            svc = app.state.pracha.registry.get(CATALOG).get("residence-certificate")
            assert svc is not None and svc.agency == "cm-district-admin"
            application = submit(db, app, create_citizen(db), "residence-certificate",
                                 RESIDENCE_FORM)
            bot = select(Task).where(Task.kind == "bot", Task.key.like(f"bot:{application.id}:%"))
            assert db.scalar(bot) is None  # held: the fee is not paid
            payment = _payment(db, application.id)
            assert (payment.status, payment.amount, payment.due_on) == ("due", 2000, "submit")
            told = db.scalar(select(InboxMessage).where(InboxMessage.key == "payment.due"))
            assert told is not None and "20.00 บาท" in told.body
            register_bank(db)
            client = TestClient(app)
            answer = signed_post(client, "/payments/callbacks/test-bank", callback_body(
                application, payment, "TX0101", "20.00"))
            assert answer.json() == {"status": "accepted"}
            run_tasks(app)  # the receipt's task lets the automation go on
            db.rollback()
            assert db.scalar(bot) is not None  # the automation goes on by itself
    finally:
        app.state.pracha.db.engine.dispose()


def test_reconciliation_repairs_a_lost_callback_and_flags_what_does_not_match(db: Session, app: FastAPI) -> None:
    from pracha.payments import reconcile

    catalog = app.state.pracha.registry.get(CATALOG)
    lost, other = approved_commercial(db, app), approved_commercial(db, app)
    bank = register_bank(db)
    lost_payment, other_payment = _payment(db, lost.id), _payment(db, other.id)
    # the other was paid by callback today; the bank's statement lacks it
    service.mark_paid(db, catalog, other_payment, method="thai_qr", via="callback", bank=bank,
                      transaction_id="TX0202", paid_at=service.utcnow())
    db.commit()
    day = service.utcnow().astimezone(reconcile.BANGKOK).date()
    csv_text = "\n".join([
        ",".join(reconcile.HEADER),
        f"TX0201,{day.isoformat()}T03:00:00Z,{lost_payment.biller_id},{lost.reference},{lost_payment.public_id},"
        "50.00,payment",
        f"TX0203,{day.isoformat()}T04:00:00Z,{lost_payment.biller_id},XX69-NONE,PNOTOURS,99.00,payment",
    ])
    summary = reconcile.reconcile(db, catalog, bank, day, reconcile.read_statement(csv_text.splitlines()))
    db.commit()
    run_tasks(app)  # the receipt, and the citizen told
    db.rollback()
    assert (summary.lines, summary.repaired) == (2, 1)
    assert summary.flagged == {"unknown_payment": 1, "not_in_statement": 1}
    repaired = _payment(db, lost.id)
    assert (repaired.status, repaired.paid_via, repaired.transaction_id) == ("paid", "reconciliation", "TX0201")
    told = db.scalar(select(InboxMessage).where(InboxMessage.key == "payment.paid",
                                                InboxMessage.application_id == lost.id))
    assert told is not None
    again = reconcile.reconcile(db, catalog, bank, day, reconcile.read_statement(csv_text.splitlines()))
    assert again.repaired == 0 and again.matched == 1  # a second run changes nothing
    kinds = sorted(d.kind for d in db.scalars(select(Discrepancy)))
    assert kinds == ["missed_callback", "not_in_statement", "unknown_payment"]


def test_an_agency_token_with_payments_read_lists_its_agency(db: Session, app: FastAPI, client: TestClient) -> None:
    from pracha.identity import service as identity

    application = approved_commercial(db, app)
    admin = create_staff(db, "agency_admin", application.agency)
    _, raw = identity.create_api_token(db, admin, name="finance", agency=application.agency, scopes=["payments:read"],
                                       agencies=app.state.pracha.registry.get(CATALOG).agencies)
    db.commit()
    listed = client.get("/api/v1/payments?status=due", headers={"Authorization": f"Bearer {raw}"})
    assert listed.status_code == 200
    assert [x["application"] for x in listed.json()["items"]] == [application.reference]


def test_an_expired_qr_paid_late_is_accepted_and_the_new_one_cancelled(
        db: Session, app: FastAPI, client: TestClient) -> None:
    application = approved_commercial(db, app)
    register_bank(db)
    old = _payment(db, application.id)
    old.expires_at = service.utcnow().replace(year=2020)
    db.commit()
    new = service.open_payment(db, app.state.pracha.settings, app.state.pracha.registry.get(CATALOG), application)
    db.commit()
    assert new.id != old.id
    answer = signed_post(client, "/payments/callbacks/test-bank", callback_body(application, old, "TX0301"))
    assert answer.json() == {"status": "accepted"}  # the bank took the money: it is the citizen's payment
    with app.state.pracha.db.sessions() as fresh:
        assert {p.public_id: p.status for p in fresh.scalars(select(Payment).where(
            Payment.application_id == application.id))} == {old.public_id: "paid", new.public_id: "cancelled"}
    ask = {"biller_id": new.biller_id, "ref1": application.reference, "ref2": new.public_id, "amount": "50.00"}
    assert signed_post(client, "/payments/validations/test-bank", ask).json() == {"payable": False, "reason": "paid"}
