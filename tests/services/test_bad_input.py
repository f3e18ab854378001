"""What real people and real attackers send: oversized and mislabelled files, script tags, SQL
metacharacters, double submits. Each gets a clear 4xx or is harmless; never a 500, nothing half-written."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.services.models import Application, Document
from tests.factories import create_citizen, create_staff, sign_in
from tests.services.helpers import ELDERLY_FORM, PDF, PNG, act, upload


def draft(client: TestClient, csrf: str, data: dict[str, object] | None = None) -> str:
    response = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                           json={"service_id": "elderly-allowance", "data": data or ELDERLY_FORM})
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def test_oversized_upload_is_413_and_stores_nothing(db: Session, make_client: Callable[..., TestClient],
                                                    make_settings: Callable[..., Settings]) -> None:
    client = make_client()
    csrf = sign_in(db, client, create_citizen(db))
    reference = draft(client, csrf)
    big = PDF + b"0" * make_settings().max_upload_bytes
    response = upload(client, csrf, reference, "id-card", content=big)
    assert response.status_code == 413
    assert response.json()["message"]
    assert db.scalar(select(func.count(Document.id))) == 0
    uploads = make_settings().upload_dir
    assert not uploads.exists() or not [p for p in uploads.rglob("*") if p.is_file()]


def test_mislabelled_uploads_are_415(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = draft(client, csrf)
    cases = [
        ("photo.pdf", PNG, "application/pdf"),  # PNG bytes called a PDF
        ("doc.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),  # an executable
        ("doc.png", PDF, "image/png"),  # label says PNG, bytes say PDF
        ("doc.exe", PDF, "application/pdf"),  # right bytes, wrong extension
        ("empty.pdf", b"", "application/pdf"),
    ]
    for name, content, content_type in cases:
        response = upload(client, csrf, reference, "id-card", name=name, content=content, content_type=content_type)
        assert response.status_code == 415, name
        assert response.json()["error"] == "unsupported_upload"
    assert db.scalar(select(func.count(Document.id))) == 0
    ok = upload(client, csrf, reference, "id-card", name="ID Card.PDF")
    assert ok.status_code == 201 and ok.json()["content_type"] == "application/pdf"


def test_upload_needs_a_known_requirement(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = draft(client, csrf)
    response = upload(client, csrf, reference, "passport")
    assert response.status_code == 422 and "requirement" in response.json()["fields"]


def test_script_tags_are_shown_escaped(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen, officer = make_client(), make_client()
    csrf = sign_in(db, citizen, create_citizen(db, first_name="<script>alert(1)</script>"))
    officer_csrf = sign_in(db, officer, create_staff(db, "officer", "cm-elderly-welfare"))
    reference = draft(citizen, csrf)
    for requirement in ("id-card", "house-registration"):
        upload(citizen, csrf, reference, requirement, name="<img src=x onerror=alert(1)>.pdf")
    act(citizen, csrf, reference, "submit")
    act(officer, officer_csrf, reference, "review")
    act(officer, officer_csrf, reference, "request_info", "<script>document.cookie</script>")
    for client, path in ((citizen, f"/applications/{reference}"), (officer, "/officer/queue"),
                         (officer, f"/applications/{reference}"), (citizen, "/inbox")):
        page = client.get(path)
        assert page.status_code == 200
        assert "<script>" not in page.text and "<img src=x" not in page.text, path
    assert "&lt;script&gt;document.cookie&lt;/script&gt;" in citizen.get(f"/applications/{reference}").text
    assert "script-src 'self'" in citizen.get("/").headers["content-security-policy"]


def test_sql_metacharacters_are_just_text(db: Session, client: TestClient) -> None:
    nasty = "'; DROP TABLE applications; --"
    for path in (f"/services?q={nasty}", f"/api/v1/services?q={nasty}", f"/applications/{nasty}",
                 f"/api/v1/applications/{nasty}"):
        assert client.get(path).status_code in (200, 401, 404)
    csrf = sign_in(db, client, create_citizen(db, first_name=nasty))
    refused = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                          json={"service_id": "elderly-allowance", "data": {**ELDERLY_FORM, "phone": nasty}})
    assert refused.status_code == 422 and "phone" in refused.json()["fields"]
    reference = draft(client, csrf)
    assert client.get(f"/api/v1/applications/{nasty}").status_code == 404
    assert client.get(f"/api/v1/applications/{reference}").status_code == 200
    assert "&#39;; DROP TABLE applications; --" in client.get("/me").text  # the name, escaped, as text
    assert db.scalar(select(func.count(Application.id))) == 1


def test_html_form_errors_sit_beside_the_field(db: Session, client: TestClient) -> None:
    sign_in(db, client, create_citizen(db))
    page = client.get("/services/elderly-allowance/apply")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    client_token = re.search(r'name="client_token" value="([^"]+)"', page.text)
    assert token and client_token
    bad = {"csrf_token": token.group(1), "client_token": client_token.group(1), "phone": "12",
           "monthly_income": "สองพัน", "payment_method": "gold"}
    response = client.post("/services/elderly-allowance/apply", data=bad)
    assert response.status_code == 422
    assert 'id="error-phone"' in response.text and 'id="error-monthly_income"' in response.text
    assert "กรุณากรอกเป็นตัวเลข" in response.text and "กรุณาเลือกจากตัวเลือกที่มีให้" in response.text
    assert 'value="สองพัน"' in response.text  # what the person typed is kept
    assert db.scalar(select(func.count(Application.id))) == 0


def test_double_submit_of_the_apply_form_makes_one_draft(db: Session, client: TestClient) -> None:
    sign_in(db, client, create_citizen(db))
    page = client.get("/services/residence-certificate/apply")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    client_token = re.search(r'name="client_token" value="([^"]+)"', page.text)
    assert token and client_token
    form = {"csrf_token": token.group(1), "client_token": client_token.group(1), "purpose": "job"}
    first = client.post("/services/residence-certificate/apply", data=form)
    second = client.post("/services/residence-certificate/apply", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert db.scalar(select(func.count(Application.id))) == 1


def test_unknown_service_and_bad_json(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    unknown = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                          json={"service_id": "time-machine", "data": {}})
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_service"
    broken = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
                         content=b"{not json")
    assert broken.status_code == 422 and broken.json()["error"] == "invalid_input"
    assert client.get("/services/time-machine").status_code == 404
