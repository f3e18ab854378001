"""Issue 13's findings 2, 6, 8, 9 and 10, each with the test that failed on the old code, and the
invariants that keep routes added later covered (bounded integer ids, no-store, security headers)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange.models import Consent
from pracha.http.downloads import content_disposition
from pracha.http.logs import JsonFormatter
from pracha.http.openapi import api_routes
from pracha.http.params import MAX_INT
from pracha.nationalids import find_national_ids, mask_national_ids
from pracha.services.models import Application
from pracha.web.app import create_app
from tests.factories import create_citizen, csrf_token, sign_in
from tests.services.helpers import ELDERLY_FORM, upload

ID = "1101700230705"  # check digit valid
SPELLINGS = [
    "1101700230705", "1-1017-00230-70-5", "1 1017 00230 70 5", "1.1017.00230.70.5", "1/1017/00230/70/5",
    "1_1017_00230_70_5", "1 - 1017 - 00230 - 70 - 5", "๑๑๐๑๗๐๐๒๓๐๗๐๕", "๑-๑๐๑๗-๐๐๒๓๐-๗๐-๕",
    "１１０１７００２３０７０５", "１－１０１７－００２３０－７０－５", "1 1 0 1 7 0 0 2 3 0 7 0 5",
    "1\u00a01017\u00a000230\u00a070\u00a05",
    "1101700230704",  # a typo in the check digit still identifies the person
]


# --- finding 2: national IDs in any spelling --------------------------------------------------------


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_finding_2_every_spelling_of_a_national_id_is_found_and_masked(spelling: str) -> None:
    text = f"เลขบัตรของฉันคือ {spelling} ค่ะ"
    found = find_national_ids(text)
    assert len(found) == 1 and found[0].digits[:12] == ID[:12]
    masked = mask_national_ids(text)
    assert masked == "เลขบัตรของฉันคือ [national-id] ค่ะ"


def test_finding_2_neighbours_survive_and_nothing_of_the_id_is_left() -> None:
    text = "โทร 081-234-5678 เลข 1-1017-00230-70-5 ปี 2567 2568 2569 2570"
    masked = mask_national_ids(text)
    assert "081-234-5678" in masked and "2567 2568 2569 2570" in masked
    assert "00230" not in masked and masked.count("[national-id]") == 1


def test_finding_2_json_log_lines_mask_every_spelling() -> None:
    formatter = JsonFormatter()
    for spelling in SPELLINGS:
        record = logging.LogRecord("pracha", logging.ERROR, __file__, 1, "lookup failed for %s", (spelling,), None)
        line = json.loads(formatter.format(record))
        assert line["message"] == "lookup failed for [national-id]", spelling


def test_finding_2_assistant_log_keeps_no_id_in_any_spelling(client: TestClient, db: Session) -> None:
    from pracha.assistant.models import Message

    for spelling in SPELLINGS[:12]:
        response = client.post("/api/v1/assistant/messages", json={"text": f"เช็คสถานะเลข {spelling} หน่อย"})
        assert response.status_code == 200, response.text
    stored = " ".join(db.scalars(select(Message.text)))
    digits = "".join(c for c in stored if c.isdecimal())
    assert "10170023070" not in digits and "๑๐๑๗" not in stored and "１０１７" not in stored


# --- finding 6: NaN and invalid text ------------------------------------------------------------------


def _citizen(db: Session, client: TestClient) -> str:
    return sign_in(db, client, create_citizen(db))


def test_finding_6_nan_in_a_number_field_is_refused_at_parse(db: Session, client: TestClient) -> None:
    csrf = _citizen(db, client)
    for raw in ('NaN', 'Infinity', '-Infinity', '1e999'):
        body = '{"service_id": "elderly-allowance", "data": {"monthly_income": ' + raw + "}}"
        response = client.post("/api/v1/applications", content=body,
                               headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
        assert response.status_code == 422, (raw, response.text)
        assert response.json()["error"] == "invalid_number"
    # the HTML form: "NaN" typed into the number field names the field, and nothing is stored
    form = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in ELDERLY_FORM.items() if v is not False}
    page = client.post("/services/elderly-allowance/apply", data={**form, "monthly_income": "NaN", "csrf_token": csrf})
    assert page.status_code == 422 and 'id="field-monthly_income"' in page.text
    assert db.scalar(select(func.count(Application.id))) == 0


@pytest.mark.parametrize("bad", ["\\ud800", "a\\u0000b", "\\uffff", "\\udbff\\udfff\\ud800", "x\\u0007"])
def test_finding_6_invalid_text_in_json_is_422_and_nothing_is_stored(db: Session, client: TestClient,
                                                                     bad: str) -> None:
    csrf = _citizen(db, client)
    body = '{"service_id": "elderly-allowance", "data": {"bank_account": "' + bad + '"}}'
    response = client.post("/api/v1/applications", content=body,
                           headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["error"] == "invalid_text"
    assert db.scalar(select(func.count(Application.id))) == 0


def test_finding_6_invalid_text_in_forms_and_queries_is_422(db: Session, client: TestClient) -> None:
    csrf = _citizen(db, client)
    for encoded in ("%00", "%ED%A0%80", "%EF%BF%BF", "%FF"):
        response = client.post("/services/elderly-allowance/apply", content=f"csrf_token={csrf}&phone=08{encoded}",
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code == 422, encoded
        assert client.get(f"/api/v1/services?q=a{encoded}").status_code == 422, encoded
    assert client.get("/api/v1/applications/AB69-%00").status_code == 422
    assert db.scalar(select(func.count(Application.id))) == 0


# --- finding 8: ids, nesting, Content-Disposition -----------------------------------------------------


def test_finding_8_ids_beyond_64_bits_are_422(db: Session, client: TestClient) -> None:
    _citizen(db, client)
    huge = 2**64 + 1
    for path in (f"/me/consents/{huge}", f"/api/v1/me/consents/{huge}/receipt", f"/api/v1/ledger/entries/{huge}",
                 f"/api/v1/ledger/proof/inclusion?index={huge}&tree_size=1",
                 f"/api/v1/ledger/proof/consistency?first=1&second={huge}",
                 f"/applications/AB69-XXXXXX/receipts/{huge}", f"/applications/AB69-XXXXXX/documents/{huge}"):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 422, path


def test_every_integer_parameter_is_bounded(app: FastAPI) -> None:
    """Routes added later: an int in a path or query must say its range (`pracha.http.params`)."""
    unbounded, seen = [], 0
    for path, _, route in api_routes(app.routes):
        seen += 1
        stack, fields = [route.dependant], []
        while stack:
            dependant = stack.pop()
            fields += dependant.path_params + dependant.query_params
            stack.extend(dependant.dependencies)
        for field in fields:
            if field.field_info.annotation is not int:
                continue
            bounds = [getattr(m, "le", None) or getattr(m, "lt", None) for m in field.field_info.metadata]
            extra = field.field_info.json_schema_extra
            if not any(b is not None and b <= MAX_INT for b in bounds) and not (
                    isinstance(extra, dict) and "maximum" in extra):
                unbounded.append(f"{path} {field.name}")
    assert seen > 100 and unbounded == []


def test_finding_8_a_receipt_nested_100000_deep_is_422(client: TestClient) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/ledger/verify", data={"receipt": deep, "csrf_token": csrf_token(client)},
                           headers={"Accept": "application/json"})
    assert response.status_code == 422 and response.json()["error"] == "too_deep"
    body = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/assistant/messages", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["error"] == "too_deep"


def test_finding_8_content_disposition_survives_any_name() -> None:
    for name in ("receipt-AB69-X\r\nSet-Cookie: a=b.json", 'a"b\\c.pdf', "../../etc/passwd", "\x00", "บัตร ประชาชน.pdf"):
        value = content_disposition(name)
        assert all(32 <= ord(c) < 127 for c in value), value
        fallback = value.split('filename="')[1].split('"')[0]
        assert '"' not in fallback and "\\" not in fallback and "/" not in fallback
    assert content_disposition("บัตร.pdf").endswith("filename*=UTF-8''%E0%B8%9A%E0%B8%B1%E0%B8%95%E0%B8%A3.pdf")
    assert content_disposition("receipt-1.json") == 'attachment; filename="receipt-1.json"'


def test_finding_8_uploaded_file_name_with_controls_downloads_cleanly(db: Session, client: TestClient) -> None:
    csrf = _citizen(db, client)
    reference = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                            json={"service_id": "elderly-allowance", "data": ELDERLY_FORM}).json()["reference"]
    document = upload(client, csrf, reference, "id-card", name="id\x7f card\u202e.pdf").json()
    response = client.get(f"/applications/{reference}/documents/{document['id']}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="id card.pdf"'


# --- finding 9: caching, headers on every response, chunked bodies, GET without effects, consent, quotas --


SECURITY = ("x-content-type-options", "x-frame-options", "content-security-policy", "referrer-policy")


def test_finding_9_personal_responses_are_no_store(db: Session, client: TestClient) -> None:
    csrf = _citizen(db, client)
    reference = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                            json={"service_id": "elderly-allowance", "data": ELDERLY_FORM}).json()["reference"]
    for path in (f"/api/v1/applications/{reference}", "/api/v1/me/inbox", "/api/v1/me/data-tracker?format=csv",
                 "/api/v1/me/consents", "/me"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    assert client.get("/static/assistant.css").headers["cache-control"].startswith("public")
    tile_or_checkpoint = client.get("/ledger/checkpoint")
    assert tile_or_checkpoint.headers["cache-control"] == "no-cache"


def test_finding_9_security_headers_on_errors_and_500s(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("boom 1-1017-00230-70-5")

    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            answers = {
                500: client.get("/boom"),
                404: client.get("/no/such/page"),
                405: client.delete("/services"),
                413: client.post("/api/v1/assistant/messages", content=b"x" * (settings.max_upload_bytes + 300_000),
                                 headers={"Content-Type": "application/json"}),
                422: client.get("/api/v1/ledger/entries/x"),
            }
            for status, response in answers.items():
                assert response.status_code == status
                for header in SECURITY:
                    assert header in response.headers, (status, header)
                assert response.headers["cache-control"] == "no-store", status
    finally:
        app.state.pracha.db.engine.dispose()


def test_finding_9_chunked_body_over_the_limit_is_413(client: TestClient, settings: Settings) -> None:
    def chunks() -> Any:
        piece = b'{"text": "' + b"a" * 65536
        for _ in range(settings.max_upload_bytes // 65536 + 8):
            yield piece

    response = client.post("/api/v1/assistant/messages", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    csrf = csrf_token(client)
    form = client.post("/me/consents", content=(b"csrf_token=" + csrf.encode() + b"&x=" + b"a" * 65536
                                                for _ in range(settings.max_upload_bytes // 65536 + 8)),
                       headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    assert form.status_code == 413


def test_finding_9_empty_consent_categories_are_refused(db: Session, client: TestClient) -> None:
    from pracha.exchange.vocabulary import PORTAL

    csrf = _citizen(db, client)
    response = client.post("/api/v1/me/consents", headers={"X-CSRF-Token": csrf},
                           json={"recipient_id": PORTAL, "purpose": "service-application", "categories": []})
    assert response.status_code == 422 and response.json()["error"] == "no_categories"
    page = client.post("/me/consents", data={"csrf_token": csrf, "recipient_id": PORTAL,
                                             "purpose": "service-application"})
    assert page.status_code == 422
    assert db.scalar(select(func.count(Consent.id))) == 0


def test_finding_9_quota_on_open_drafts(db: Session, make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(quota_open_drafts=2, quota_documents_per_application=1))
    try:
        with TestClient(app) as client:
            csrf = sign_in(db, client, create_citizen(db))

            def draft(service_id: str, data: dict[str, Any]) -> Any:
                return client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                                   json={"service_id": service_id, "data": data})

            # three services (one open application per service): the third draft is over the quota
            first = draft("elderly-allowance", ELDERLY_FORM)
            draft("residence-certificate", {"purpose": "job"})
            third = draft("disability-allowance", {"phone": "0812345678"})
            assert third.status_code == 409
            assert third.json()["error"] == "quota_exceeded" and third.json()["quota"] == "open_drafts"
            reference = first.json()["reference"]
            assert upload(client, csrf, reference, "id-card").status_code == 201
            second = upload(client, csrf, reference, "house-registration")
            assert second.status_code == 409 and second.json()["quota"] == "documents_per_application"
    finally:
        app.state.pracha.db.engine.dispose()


def test_finding_9_quota_on_upload_bytes(db: Session, make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(quota_upload_bytes_per_citizen=300))
    try:
        with TestClient(app) as client:
            csrf = sign_in(db, client, create_citizen(db))
            reference = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                                    json={"service_id": "elderly-allowance", "data": ELDERLY_FORM}).json()["reference"]
            assert upload(client, csrf, reference, "id-card").status_code == 201  # 160 bytes
            refused = upload(client, csrf, reference, "house-registration", content=b"%PDF-1.4\n" + b"0" * 200)
            assert refused.status_code == 409 and refused.json()["quota"] == "upload_bytes"
    finally:
        app.state.pracha.db.engine.dispose()


# --- finding 10: CSRF only where ambient credentials exist --------------------------------------------


def test_finding_10_a_plain_api_client_needs_no_csrf_token(app: FastAPI) -> None:
    with TestClient(app, cookies=None) as plain:
        response = plain.post("/api/v1/assistant/messages", json={"text": "แจ้งเกิดต้องใช้อะไร"})
        assert response.status_code == 200, response.text
        plain.cookies.clear()
        # a form post without cookies is still checked: a forged sign-in would plant a session
        signin = plain.post("/signin", data={"national_id": "1101700230705", "password": "x"})
        assert signin.status_code == 403


def test_finding_10_a_session_cookie_without_token_is_refused(db: Session, client: TestClient) -> None:
    _citizen(db, client)
    response = client.post("/api/v1/assistant/messages", json={"text": "แจ้งเกิดต้องใช้อะไร"})
    assert response.status_code == 403 and response.json()["error"] == "csrf_failed"
    ok = client.post("/api/v1/assistant/messages", json={"text": "แจ้งเกิดต้องใช้อะไร"},
                     headers={"X-CSRF-Token": csrf_token(client)})
    assert ok.status_code == 200


# --- OpenAPI: every status with its error schema ------------------------------------------------------


def test_openapi_documents_the_error_statuses(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(document)
    create = document["paths"]["/api/v1/applications"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "413", "422", "500"} <= create.keys()
    assert create["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    entry = document["paths"]["/api/v1/ledger/entries/{index}"]["get"]["responses"]
    assert {"200", "404", "422"} <= entry.keys()
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]


def test_error_log_line_masks_the_id_of_an_exception(settings: Settings) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("pracha").addHandler(handler)
    try:
        app = create_app(settings)

        @app.get("/boom", include_in_schema=False)
        def boom() -> None:
            raise RuntimeError("no person ๑-๑๐๑๗-๐๐๒๓๐-๗๐-๕")

        client = TestClient(app, raise_server_exceptions=False)  # no lifespan: only the request matters
        assert client.get("/boom").status_code == 500
        app.state.pracha.db.engine.dispose()
    finally:
        logging.getLogger("pracha").removeHandler(handler)
    assert "๐๒๓๐" not in stream.getvalue() and "[national-id]" in stream.getvalue()
