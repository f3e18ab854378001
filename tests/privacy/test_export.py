"""Access and portability (PDPA ss. 30–31): one JSON document of everything Pracha holds about the
signed-in citizen, with a documented schema, that is itself in the citizen's data tracker."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.privacy.export import SCHEMA_VERSION
from pracha.services.catalog import Catalog
from tests.exchange.helpers import exchange_world
from tests.factories import create_citizen, sign_in
from tests.privacy.helpers import citizen_with_application


def test_export_holds_everything_and_is_in_the_tracker(db: Session, settings: Settings, catalog: Catalog,
                                                        make_client: Any) -> None:
    citizen, client, csrf, reference = citizen_with_application(db, make_client)
    consent_id, _, message_reference = exchange_world(db, settings, catalog, citizen)
    client.post("/api/v1/assistant/messages", headers={"X-CSRF-Token": csrf}, json={"text": "เบี้ยคนแก่ต้องใช้อะไร"})
    other = create_citizen(db, first_name="คนอื่น")
    sign_in(db, make_client(), other)

    response = client.get("/api/v1/me/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith('attachment; filename="pracha-export-')
    body = response.json()
    assert body["schema_version"] == SCHEMA_VERSION and body["generated_at"]
    assert body["profile"]["national_id"] == citizen.national_id and body["profile"]["phone"] == "0812345678"
    [application] = body["applications"]
    assert application["reference"] == reference and application["status"] == "submitted"
    assert application["data"] and [e["action"] for e in application["events"]][-1] == "submit"
    assert {d["requirement"] for d in application["documents"]} == {"id-card", "house-registration"}
    assert all(d["download_url"].startswith(f"/applications/{reference}/documents/") for d in application["documents"])
    assert [c["id"] for c in body["consents"]] == [consent_id]
    assert [c["messages"][0]["text"] for c in body["assistant_conversations"]] == ["เบี้ยคนแก่ต้องใช้อะไร"]
    [web_session] = body["sessions"]
    assert web_session["this_device"] is True and len(web_session["id"]) == 16
    assert client.cookies.get("pracha_session") not in response.text  # never a token value
    tracker_refs = [row["reference"] for row in body["data_tracker"]]
    assert message_reference in tracker_refs
    export_rows = [row for row in body["data_tracker"] if row["purpose"] == "pdpa-s30"]
    assert len(export_rows) == 1 and export_rows[0]["client"] == "TH/GOV/PRACHA/privacy"
    assert other.national_id not in response.text

    # The export is in the data tracker (API and page), newest first, with its ledger entry.
    rows = client.get("/api/v1/me/data-tracker").json()["items"]
    assert rows[0]["purpose"] == "pdpa-s30" and rows[0]["service"] == "privacy/export"
    page = client.get("/me/data-tracker")
    assert page.status_code == 200 and "สำเนาข้อมูลส่วนบุคคลของท่าน" in page.text


def test_tracker_pages_merge_sources_in_order(db: Session, settings: Settings, catalog: Catalog,
                                              make_client: Any) -> None:
    citizen = create_citizen(db)
    client = make_client()
    sign_in(db, client, citizen)
    exchange_world(db, settings, catalog, citizen)
    for _ in range(3):
        assert client.get("/api/v1/me/export").status_code == 200
    whole = client.get("/api/v1/me/data-tracker?limit=200").json()["items"]
    assert len(whole) == 4
    walked, cursor = [], None
    while True:
        response = client.get("/api/v1/me/data-tracker", params={"limit": 1, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        walked += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert [r["reference"] for r in walked] == [r["reference"] for r in whole]
    assert [r["time"] for r in whole] == sorted((r["time"] for r in whole), reverse=True)


def test_export_schema_is_documented_and_html_copy_renders(app: FastAPI, db: Session, make_client: Any) -> None:
    schema = app.openapi()
    assert "PrivacyExport" in schema["components"]["schemas"]
    assert {"schema_version", "generated_at", "profile", "applications", "data_tracker", "sessions"} <= set(
        schema["components"]["schemas"]["PrivacyExport"]["properties"])
    citizen = create_citizen(db, email="somchai@example.org")
    client = make_client()
    sign_in(db, client, citizen)
    page = client.get("/me/privacy/export")
    assert page.status_code == 200
    assert citizen.national_id in page.text and "somchai@example.org" in page.text
    assert client.get("/me/privacy").status_code == 200
    assert make_client().get("/api/v1/me/export").status_code == 401
