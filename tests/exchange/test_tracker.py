"""The data tracker: a citizen sees every access to their own data (allowed or denied) and never
another's; exports as CSV and JSON; each row links to a ledger receipt only its subject may fetch."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange import service as exchange
from pracha.exchange.errors import ExchangeError
from pracha.ledger.deps import LEDGER
from pracha.ledger.keys import verifier_key
from pracha.ledger.receipts import verify_receipt
from pracha.services.catalog import Catalog
from tests.exchange.helpers import OFFICE, PERSONS, seed
from tests.factories import create_citizen, create_staff, sign_in


def _refused_call(db: Session, settings: Settings, national_id: str) -> str:
    with pytest.raises(ExchangeError) as refused:
        exchange.call(db, settings, client=OFFICE, service_id=PERSONS, path=f"{national_id}/address",
                      purpose="service-application", subject_national_id=national_id, user="officer:somsri")
    db.commit()
    assert refused.value.reference is not None
    return refused.value.reference


def test_each_citizen_sees_only_their_own_accesses(db: Session, settings: Settings, catalog: Catalog,
                                                   app: FastAPI, make_client: Any) -> None:
    seed(db, settings, catalog)
    me, other = create_citizen(db), create_citizen(db, first_name="สมหญิง")
    mine = _refused_call(db, settings, me.national_id)
    theirs = _refused_call(db, settings, other.national_id)
    client, other_client = make_client(), make_client()
    sign_in(db, client, me)
    sign_in(db, other_client, other)
    rows = client.get("/api/v1/me/data-tracker").json()["items"]
    assert [r["reference"] for r in rows] == [mine]
    row = rows[0]
    assert (row["decision"], row["status"], row["client"], row["purpose"]) == (
        "denied", 403, OFFICE, "service-application")
    assert row["user"] == "officer:somsri" and row["categories"] == ["ที่อยู่ตามทะเบียนบ้าน"]
    assert [r["reference"] for r in other_client.get("/api/v1/me/data-tracker").json()["items"]] == [theirs]
    assert other_client.get(f"/me/data-tracker/{mine}/receipt").status_code == 404
    receipt = client.get(row["receipt_url"])
    assert receipt.status_code == 200
    assert verify_receipt(receipt.json(), verifier_key(app.state.pracha.registry.get(LEDGER).signer)).ok
    assert receipt.json()["statement"]["kind"] == "exchange.denied"
    page = client.get("/me/data-tracker")
    assert page.status_code == 200 and "ใครเข้าถึงข้อมูลของฉัน" in page.text and "ปฏิเสธ" in page.text
    assert theirs not in page.text


def test_exports_csv_and_json(db: Session, settings: Settings, catalog: Catalog, make_client: Any) -> None:
    seed(db, settings, catalog)
    me = create_citizen(db)
    reference = _refused_call(db, settings, me.national_id)
    client = make_client()
    sign_in(db, client, me)
    exported = client.get("/api/v1/me/data-tracker?format=csv", headers={"Accept-Language": "en"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert [r["reference"] for r in table] == [reference]
    assert table[0]["decision"] == "denied" and table[0]["categories"] == "Registered address"
    as_json = client.get("/api/v1/me/data-tracker?format=json")
    assert as_json.status_code == 200 and "attachment" in as_json.headers["content-disposition"]
    assert as_json.json()[0]["reference"] == reference
    assert client.get("/api/v1/me/data-tracker?format=xml").status_code == 422


def test_staff_have_no_tracker(db: Session, make_client: Any) -> None:
    client = make_client()
    sign_in(db, client, create_staff(db, "auditor"))
    assert client.get("/api/v1/me/data-tracker").status_code == 403
    assert make_client().get("/api/v1/me/data-tracker").status_code == 401
