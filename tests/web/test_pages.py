"""The portal as a visitor sees it: language, Buddhist-Era dates, catalogue browsing and search,
security headers, and errors that are pages (or JSON), never stack traces."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.services.catalog import Catalog
from tests.factories import create_citizen, sign_in
from tests.services.helpers import act, ready_application


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_thai_by_default_and_english_on_request(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and '<html lang="th">' in home.text
    assert "ข้ามไปยังเนื้อหาหลัก" in home.text and 'href="/?lang=en"' in home.text
    english = client.get("/?lang=en")
    assert '<html lang="en">' in english.text and "Skip to main content" in english.text
    assert "pracha_lang=en" in english.headers["set-cookie"]
    assert '<html lang="en">' in client.get("/services").text  # the choice sticks
    assert '<html lang="th">' in client.get("/services?lang=th").text


def test_browser_language_is_honoured_when_no_choice_was_made(client: TestClient) -> None:
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert '<html lang="th">' in client.get("/", headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"}).text


def test_catalogue_browsing_and_thai_search(client: TestClient, catalog: Catalog) -> None:
    page = client.get("/services")
    for service in catalog.services.values():
        assert service.name.th in page.text
    moved = client.get("/services?q=ย้ายบ้าน")
    assert "ผลการค้นหา “ย้ายบ้าน”" in moved.text  # one message with a placeholder, in Thai word order
    english = client.get("/services", params={"q": "<b>", "lang": "en"}).text
    assert "Results for “&lt;b&gt;”" in english  # the query is escaped inside the message
    assert moved.text.index(catalog.services["change-of-address"].name.th) < moved.text.index("</main>")
    api = client.get("/api/v1/services", params={"q": "ย้ายบ้าน"}).json()
    assert api[0]["id"] == "change-of-address"
    by_event = client.get("/api/v1/services", params={"life_event": "growing-older"}).json()
    assert "elderly-allowance" in [s["id"] for s in by_event]
    by_agency = client.get("/api/v1/services", params={"agency": "cm-building-control"}).json()
    assert [s["id"] for s in by_agency] == ["building-permit"]
    assert client.get("/services?agency=cm-building-control").status_code == 200
    detail = client.get("/api/v1/services/elderly-allowance").json()
    assert detail["form_schema"]["type"] == "object" and detail["sla_days"] > 0 and detail["documents"]
    assert client.get("/services?q=xyzzy").status_code == 200


def test_service_page_shows_what_a_citizen_needs(client: TestClient, catalog: Catalog) -> None:
    service = catalog.services["building-permit"]
    page = client.get("/services/building-permit")
    assert service.name.th in page.text and service.documents[0].name.th in page.text
    assert f"{service.sla_days} วันทำการ" in page.text
    assert "/signin?next=/services/building-permit/apply" in page.text


def test_dates_in_buddhist_era(db: Session, client: TestClient) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = ready_application(client, csrf)
    act(client, csrf, reference, "submit")
    page = client.get(f"/applications/{reference}")
    be_year = str(dt.datetime.now(dt.UTC).year + 543)
    assert be_year in page.text
    english = client.get(f"/applications/{reference}?lang=en")
    assert str(dt.datetime.now(dt.UTC).year) in english.text and be_year not in english.text


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    csrf_cookie = next(c for c in headers.get_list("set-cookie") if c.startswith("pracha_csrf="))
    assert "HttpOnly" in csrf_cookie


def test_errors_are_pages_or_json_in_the_users_language(client: TestClient) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "ไม่พบหน้าที่ท่านต้องการ" in page.text and "<html" in page.text
    assert "<title>ข้อผิดพลาด 404" in page.text
    api = client.get("/api/v1/no/such/thing", headers={"Accept-Language": "en"})
    assert api.status_code == 404 and api.json()["message"] == "The page you asked for does not exist."
    assert client.get("/me").status_code == 401
    assert "กรุณาเข้าสู่ระบบก่อน" in client.get("/me").text
    assert client.put("/healthz").status_code == 405
    bad_param = client.get("/api/v1/ledger/proof/inclusion?index=abc")
    assert bad_param.status_code == 422
    assert bad_param.json()["fields"] == {"index": "ต้องเป็นตัวเลข", "tree_size": "กรุณาระบุข้อมูลนี้"}
    english = client.get("/api/v1/ledger/proof/inclusion?index=abc", headers={"Accept-Language": "en"})
    assert english.json()["fields"]["tree_size"] == "Field required"


def test_a_body_too_large_is_refused_before_reading(client: TestClient) -> None:
    too_large = client.app.state.pracha.settings.max_upload_bytes + 1024 * 1024  # type: ignore[attr-defined]
    response = client.post("/signup", content=b"x" * too_large,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/services", "/api/v1/applications", "/api/v1/applications/{reference}/actions",
                 "/api/v1/applications/{reference}/status", "/api/v1/session", "/api/v1/tokens", "/healthz"):
        assert path in spec["paths"], path
    assert "/signup" not in spec["paths"]  # pages are not API
