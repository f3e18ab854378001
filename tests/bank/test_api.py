"""The demo bank's API through its ASGI app, with a real (uvicorn) stand-in for Pracha's signed side."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from pracha.bank.app import create_bank_app
from pracha.payments import thaiqr
from tests.bank.conftest import BILLER, Receiver, bank_settings, pracha_get, pracha_post, signed_by_pracha, wait_for

TRANSACTION_ID = re.compile(r"DB[0-9A-Z]{14}")


def today() -> str:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date().isoformat()


def statement(bank: TestClient, receiver: Receiver, day: str | None = None) -> list[dict[str, str]]:
    response = pracha_get(bank, receiver.var_dir, f"/statements/{day or today()}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_healthz(bank: TestClient) -> None:
    assert bank.get("/healthz").json() == {"status": "ok", "bank": "demo-bank"}


def test_pay_asks_pracha_records_and_calls_back_signed(bank: TestClient, receiver: Receiver) -> None:
    payload = receiver.payable("CR69-K7M2QX", "PK7M2QXW9A3B")
    response = bank.post("/pay", json={"payload": payload, "amount": "50"})
    assert response.status_code == 201, response.text
    paid = response.json()
    assert TRANSACTION_ID.fullmatch(paid["transaction_id"])
    assert paid | {"transaction_id": "", "paid_at": ""} == {
        "transaction_id": "", "amount": "50.00", "ref1": "CR69-K7M2QX", "ref2": "PK7M2QXW9A3B",
        "biller_id": BILLER, "paid_at": "", "status": "paid", "callback": "delivered"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", paid["paid_at"])
    assert receiver.validations == [{"biller_id": BILLER, "ref1": "CR69-K7M2QX", "ref2": "PK7M2QXW9A3B",
                                     "amount": "50.00"}]
    [callback] = receiver.callbacks
    assert re.fullmatch(r"xxx-x-x\d{4}-x", callback.pop("payer_account"))
    assert callback == {"transaction_id": paid["transaction_id"], "biller_id": BILLER, "ref1": "CR69-K7M2QX",
                        "ref2": "PK7M2QXW9A3B", "amount": "50.00", "paid_at": paid["paid_at"],
                        "channel": "thai_qr"}
    assert receiver.refused == []
    [line] = statement(bank, receiver)
    assert line == {"transaction_id": paid["transaction_id"], "paid_at": paid["paid_at"], "biller_id": BILLER,
                    "ref1": "CR69-K7M2QX", "ref2": "PK7M2QXW9A3B", "amount": "50.00", "type": "payment"}


def test_a_payload_is_paid_once(bank: TestClient, receiver: Receiver) -> None:
    payload = receiver.payable("CR69-AAAAAA", "P1")
    assert bank.post("/pay", json={"payload": payload}).status_code == 201
    again = bank.post("/pay", json={"payload": payload})
    assert again.status_code == 409 and again.json()["error"] == "already_paid"
    assert len(receiver.validations) == 1 and len(receiver.callbacks) == 1  # Pracha not even asked


@pytest.mark.parametrize(("payload", "reason"), [
    ("", "missing_tag"),
    ("hello", "bad_tlv"),
    (thaiqr.bill_payment(BILLER, "A", "B", Decimal("50"))[:-4] + "0000", "bad_crc"),
    ("00020101021229370016A0000006770101110113006680111111153037645802TH540520.15630442BE", "not_bill_payment"),
])
def test_a_bad_payload_is_refused_before_anything(bank: TestClient, receiver: Receiver, payload: str,
                                                  reason: str) -> None:
    response = bank.post("/pay", json={"payload": payload})
    assert (response.status_code, response.json()) == (422, {"error": "bad_payload", "reason": reason})
    assert receiver.validations == []


@pytest.mark.parametrize("typed", ["49.99", "500", "fifty", "50.001", "-50", "NaN", "Infinity", "1e999999", "5e1x"])
def test_a_wrong_typed_amount_is_refused(bank: TestClient, receiver: Receiver, typed: str) -> None:
    payload = receiver.payable("CR69-TYPED", "P2")
    response = bank.post("/pay", json={"payload": payload, "amount": typed})
    assert response.status_code == 422 and response.json()["error"] == "wrong_amount"
    assert receiver.validations == [] and statement(bank, receiver) == []


@pytest.mark.parametrize(("reason", "status", "error"), [
    ("expired", 410, "expired"), ("paid", 409, "already_paid"), ("amount", 422, "wrong_amount"),
    ("unknown", 404, "unknown_bill"), ("something-new", 404, "unknown_bill"),
])
def test_pracha_refusals_pay_nothing(bank: TestClient, receiver: Receiver, reason: str, status: int,
                                     error: str) -> None:
    payload = receiver.payable("CR69-REFUSE", "P3", {"payable": False, "reason": reason})
    response = bank.post("/pay", json={"payload": payload})
    assert (response.status_code, response.json()) == (status, {"error": error, "reason": reason})
    assert receiver.callbacks == [] and statement(bank, receiver) == []


@pytest.mark.parametrize("status", [500, 401, 404])
def test_an_unusable_answer_from_pracha_pays_nothing(bank: TestClient, receiver: Receiver, status: int) -> None:
    receiver.validation_status = status
    response = bank.post("/pay", json={"payload": receiver.payable("CR69-DOWN", "P4")})
    assert (response.status_code, response.json()["error"]) == (503, "biller_unavailable")
    assert statement(bank, receiver) == []


def test_pracha_unreachable_pays_nothing(bank: TestClient, receiver: Receiver) -> None:
    bank.app.state.bank.biller.base_url = "http://127.0.0.1:9"  # type: ignore[attr-defined] # nothing listens
    response = bank.post("/pay", json={"payload": receiver.payable("CR69-GONE", "P5")})
    assert (response.status_code, response.json()["error"]) == (503, "biller_unavailable")
    assert statement(bank, receiver) == []


def test_a_lost_callback_is_simulated(bank: TestClient, receiver: Receiver) -> None:
    response = bank.post("/pay", json={"payload": receiver.payable("CR69-LOST", "P6"), "notify": False})
    assert response.status_code == 201 and response.json()["callback"] == "skipped"
    assert receiver.callbacks == []
    assert [line["ref1"] for line in statement(bank, receiver)] == ["CR69-LOST"]
    assert bank.app.state.bank.store.pending_callbacks() == []  # type: ignore[attr-defined] # never retried


def test_a_failed_callback_is_retried_until_pracha_takes_it(bank: TestClient, receiver: Receiver) -> None:
    receiver.callback_status = 503
    response = bank.post("/pay", json={"payload": receiver.payable("CR69-RETRY", "P7")})
    assert response.status_code == 201
    assert response.json() | {"transaction_id": "x", "paid_at": "x"} == {
        "transaction_id": "x", "paid_at": "x", "amount": "50.00", "ref1": "CR69-RETRY", "ref2": "P7",
        "biller_id": BILLER, "status": "paid", "callback": "failed"}
    store = bank.app.state.bank.store  # type: ignore[attr-defined]
    wait_for(lambda: store.find_payment(response.json()["transaction_id"]).callback_attempts >= 2,
             what="a retry")
    receiver.callback_status = 200
    wait_for(lambda: receiver.callbacks, what="the retried callback")
    assert receiver.callbacks[0]["transaction_id"] == response.json()["transaction_id"]
    wait_for(lambda: store.find_payment(response.json()["transaction_id"]).callback == "delivered",
             what="the callback to be marked delivered")


@pytest.mark.parametrize("path", ["/statements/2026-12-05"])
def test_statements_and_refunds_need_pracha_signature(bank: TestClient, receiver: Receiver, path: str) -> None:
    stranger = Ed25519PrivateKey.generate()
    unsigned = bank.get(path)
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "unauthorized")
    forged = bank.get(path, headers=signed_by_pracha(receiver.var_dir, "GET", f"http://bank.test{path}",
                                                     key=stranger))
    assert forged.status_code == 401 and forged.json()["reason"] == "signature does not match"
    other_day = bank.get(path, headers=signed_by_pracha(receiver.var_dir, "GET",
                                                        "http://bank.test/statements/2026-12-06"))
    assert other_day.status_code == 401
    unknown_key = bank.get(path, headers=signed_by_pracha(receiver.var_dir, "GET", f"http://bank.test{path}",
                                                          key_id="demo-bank"))
    assert unknown_key.status_code == 401 and unknown_key.json()["reason"] == "unknown key demo-bank"
    refund = bank.post("/refunds", json={"transaction_id": "DB1", "amount": "1.00", "reason": "x"})
    assert refund.status_code == 401
    body = b'{"transaction_id": "DB1", "amount": "1.00", "reason": "x"}'
    headers = signed_by_pracha(receiver.var_dir, "POST", "http://bank.test/refunds", body)
    tampered = bank.post("/refunds", content=body.replace(b"1.00", b"9.00"), headers=headers)
    assert tampered.status_code == 401 and tampered.json()["reason"] == "body does not match Content-Digest"


@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "2026-2-1"])
def test_a_statement_of_no_day_is_422(bank: TestClient, receiver: Receiver, day: str) -> None:
    response = pracha_get(bank, receiver.var_dir, f"/statements/{day}")
    assert (response.status_code, response.json()["error"]) == (422, "invalid_request")


def test_refunds(bank: TestClient, receiver: Receiver) -> None:
    paid = bank.post("/pay", json={"payload": receiver.payable("CR69-REFUND", "P8")}).json()
    refund = {"transaction_id": paid["transaction_id"], "amount": "50.00", "reason": "ยกเลิกคำขอ"}
    unknown = pracha_post(bank, receiver.var_dir, "/refunds", refund | {"transaction_id": "DB00000000000000"})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_transaction")
    too_much = pracha_post(bank, receiver.var_dir, "/refunds", refund | {"amount": "50.01"})
    assert (too_much.status_code, too_much.json()["error"]) == (422, "wrong_amount")
    for nothing in ("0", "1e999999", "x"):
        refused = pracha_post(bank, receiver.var_dir, "/refunds", refund | {"amount": nothing})
        assert (refused.status_code, refused.json()["error"]) == (422, "wrong_amount")
    done = pracha_post(bank, receiver.var_dir, "/refunds", refund)
    assert done.status_code == 201, done.text
    body = done.json()
    assert TRANSACTION_ID.fullmatch(body["refund_id"]) and body["refund_id"] != paid["transaction_id"]
    assert body | {"refund_id": "", "refunded_at": ""} == {
        "refund_id": "", "transaction_id": paid["transaction_id"], "amount": "50.00", "status": "refunded",
        "refunded_at": ""}
    again = pracha_post(bank, receiver.var_dir, "/refunds", refund | {"amount": "1.00"})
    assert (again.status_code, again.json()["error"]) == (409, "already_refunded")
    lines = statement(bank, receiver)
    assert [(line["transaction_id"], line["amount"], line["type"], line["ref2"]) for line in lines] == [
        (paid["transaction_id"], "50.00", "payment", "P8"), (body["refund_id"], "-50.00", "refund", "P8")]
    assert lines[1]["paid_at"] == body["refunded_at"] >= lines[0]["paid_at"]


def test_a_statement_is_the_bangkok_day_sorted_by_time(bank: TestClient, receiver: Receiver) -> None:
    store = bank.app.state.bank.store  # type: ignore[attr-defined]
    assert store.add_test_lines(dt.date(2026, 12, 5), 50) == 50
    lines = statement(bank, receiver, "2026-12-05")
    assert len(lines) == 50
    assert [line["paid_at"] for line in lines] == sorted(line["paid_at"] for line in lines)
    assert lines[0]["paid_at"] == "2026-12-04T17:00:00Z"  # 00:00 in Bangkok
    assert statement(bank, receiver, "2026-12-04") == [] and statement(bank, receiver, "2026-12-06") == []
    for line in lines:
        assert thaiqr.parse(thaiqr.bill_payment(line["biller_id"], line["ref1"], line["ref2"],
                                                Decimal(line["amount"]))).amount == Decimal(line["amount"])


def test_invalid_json_is_a_clear_422(bank: TestClient) -> None:
    for body in ({}, {"payload": 5}, {"payload": "x", "notify": "perhaps"}):
        response = bank.post("/pay", json=body)
        assert (response.status_code, response.json()["error"]) == (422, "invalid_request")


def test_undelivered_callbacks_are_retried_after_a_restart(receiver: Receiver, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'restart.db'}"
    settings = bank_settings(receiver.var_dir, receiver.url)
    receiver.callback_status = 500
    with TestClient(create_bank_app(settings, database, retry_delays=(600.0,))) as first:
        paid = first.post("/pay", json={"payload": receiver.payable("CR69-RESTART", "P9")}).json()
        assert paid["callback"] == "failed"
    receiver.callback_status = 200  # the bank stopped before its retry; Pracha is back
    with TestClient(create_bank_app(settings, database, retry_delays=(0.01,))):
        wait_for(lambda: receiver.callbacks, what="the callback after the restart")
    assert [c["transaction_id"] for c in receiver.callbacks] == [paid["transaction_id"]]
