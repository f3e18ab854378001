"""Request ids and log lines: an id on every response and every line, JSON lines that parse, and never a
national ID (in any spelling), a password or a token in a line, while sign-in, submit, the automation,
the mediator and the assistant all run."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import traceback
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.automation import tasks
from pracha.config import Settings
from pracha.demo import SOMCHAI, SOMYING
from pracha.exchange.vocabulary import REGISTRIES
from pracha.http.logs import MASK, make_handler, redact
from pracha.identity import thai_id
from pracha.services.catalog import Catalog
from tests import servers
from tests.exchange.helpers import OFFICE, PERSONS, client_key, seed, signed_headers
from tests.factories import PASSWORD, create_citizen, csrf_token
from tests.servers import local_http_server
from tests.services.helpers import act, ready_application
from tests.web.logcapture import Captured, capture_json_logs

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_logs() -> Iterator[Captured]:
    with capture_json_logs() as captured:
        yield captured


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def spellings(national_id: str) -> list[str]:
    d = national_id
    return [d, f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}", f"{d[0]} {d[1:5]} {d[5:10]} {d[10:12]} {d[12]}",
            d.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))]


def leaked(text: str, national_ids: list[str]) -> list[str]:
    """The IDs found in `text` in any spelling: Thai or Arabic digits, with or without dashes or spaces."""
    squeezed = re.sub(r"(?<=\d)[\s\-]+(?=\d)", "", text.translate(_THAI_DIGITS))
    return [nid for nid in national_ids if nid in squeezed]


def test_the_request_id_is_echoed_validated_or_generated(client: TestClient) -> None:
    for sent in ("abc-123._X", "x" * 64, "6f1c0a"):
        assert client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent
    for bad in ("x" * 65, "has space", "semi;colon", "ไทย".encode(), ""):
        got = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert HEX32.fullmatch(got), bad
    first, second = (client.get("/nothing").headers["X-Request-ID"] for _ in range(2))
    assert HEX32.fullmatch(first) and first != second  # also on errors; one per request


def test_json_lines_parse_and_carry_the_request_id(client: TestClient, json_logs: Captured) -> None:
    assert client.get("/services", headers={"X-Request-ID": "req-42"}).status_code == 200
    assert client.get("/services?q=x", headers={"X-Request-ID": "bad id"}).status_code == 200
    lines = json_logs.json_lines()  # every line is a JSON object
    assert lines and all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines)
    access = [line for line in lines if line["logger"] == "pracha.access"]
    assert access[0]["request_id"] == "req-42"
    assert (access[0]["method"], access[0]["route"], access[0]["status"]) == ("GET", "/services", 200)
    assert isinstance(access[0]["duration_ms"], float) and access[0]["duration_ms"] >= 0
    assert HEX32.fullmatch(access[1]["request_id"]) and "q=x" not in json.dumps(access[1])


def test_text_lines_carry_the_request_id(client: TestClient) -> None:
    buffer = io.StringIO()
    handler = make_handler("text", buffer)
    logger = logging.getLogger("pracha.access")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        client.get("/services", headers={"X-Request-ID": "text-7"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert re.search(r" INFO pracha\.access \[text-7\] GET /services 200 \d+\.\d ms$", buffer.getvalue().strip())


def test_redaction_masks_every_spelling_of_a_national_id() -> None:
    nid = thai_id.make("110170020345")
    for spelled in spellings(nid):
        assert redact(f"task 3 failed: no person {spelled}.") == f"task 3 failed: no person {MASK}."
    assert redact("GET /services 200 12.3 ms, 3 of 20, 2026-12-04 18:15:37") == \
        "GET /services 200 12.3 ms, 3 of 20, 2026-12-04 18:15:37"


class _Unsigned(BaseHTTPRequestHandler):
    """A registry that answers every call, unsigned: the mediator forwards (httpx would log the URL,
    with the national ID in it) and then refuses the answer."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def registry_url() -> Iterator[str]:
    with local_http_server(_Unsigned) as url:
        yield url


def test_no_national_id_password_or_token_in_any_log_line(client: TestClient, db: Session, app: FastAPI,
                                                           settings: Settings, catalog: Catalog, registry_url: str,
                                                           json_logs: Captured) -> None:
    seed(db, settings, catalog, dict.fromkeys(REGISTRIES, registry_url))
    existing = create_citizen(db)
    new_id = thai_id.make("310170099887")
    national_ids = [SOMCHAI[2], SOMYING[2], existing.national_id, new_id]
    csrf = {"X-CSRF-Token": csrf_token(client)}
    # sign-up and sign-in, each ID spelled differently; wrong passwords, an unknown (demo) ID, then right
    dashed, thai = spellings(new_id)[1], spellings(existing.national_id)[3]
    assert client.post("/api/v1/citizens", headers=csrf, json={
        "national_id": dashed, "first_name": "สมศรี", "last_name": "มีสุข", "birth_date": "1950-01-02",
        "password": PASSWORD}).status_code == 201
    client.cookies.clear()  # signed up is signed in: start over as a visitor
    csrf = {"X-CSRF-Token": csrf_token(client)}
    for nid in (thai, SOMCHAI[2], spellings(SOMYING[2])[1], spellings(SOMCHAI[2])[2]):
        assert client.post("/api/v1/session", headers=csrf, json={"national_id": nid, "password": "wrong!"}
                           ).status_code == 401
    assert client.post("/signin", data={"national_id": thai, "password": "wrong!", "csrf_token": csrf_token(client)}
                       ).status_code in (401, 200)
    assert client.post("/api/v1/session", headers=csrf, json={"national_id": thai, "password": PASSWORD}
                       ).status_code == 200
    session_token = client.cookies.get("pracha_session")
    csrf = {"X-CSRF-Token": csrf_token(client)}
    # submit an application; its bots then ask the registries through the mediator
    reference = ready_application(client, csrf["X-CSRF-Token"])
    assert act(client, csrf["X-CSRF-Token"], reference, "submit").status_code == 200
    tasks.run_until_idle(app.state.pracha.db.sessions, tasks.Context(catalog, settings))
    # the mediator over HTTP: forwarded (the registry's unsigned answer refused), and refused outright
    key = client_key(settings, OFFICE)
    for nid, purpose, status in ((existing.national_id, "eligibility-check", 502), (SOMCHAI[2], "marketing", 403)):
        url = f"http://testserver/exchange/r1/{PERSONS}/{nid}"
        assert client.get(url, headers=signed_headers(url, key=key, purpose=purpose)).status_code == status
    # the assistant, told an ID; a path and a query string holding one
    assert client.post("/api/v1/assistant/messages", headers=csrf,
                       json={"text": f"สถานะคำขอของ {spellings(SOMYING[2])[1]} เป็นอย่างไร"}).status_code == 200
    assert client.get(f"/nothing/{SOMCHAI[2]}?national_id={new_id}").status_code == 404
    assert client.get(f"/applications/{reference}?nid={existing.national_id}").status_code == 200

    lines = json_logs.lines()
    routes = {entry["route"] for entry in json_logs.json_lines() if entry["logger"] == "pracha.access"}
    assert {"/api/v1/session", "/api/v1/applications/{reference}/actions", "/exchange/r1/{path}",
            "/api/v1/assistant/messages", "unmatched"} <= routes
    secrets_sent = [PASSWORD, "wrong!", session_token or "-", csrf["X-CSRF-Token"], reference]
    for line in lines:
        assert leaked(line, national_ids) == [], line
        assert not any(secret in line for secret in secrets_sent), line
    # and not because the formatter masked it: what the code logged holds none either
    for record in json_logs.records:
        raw = repr(vars(record)) + ("".join(traceback.format_exception(*record.exc_info)) if record.exc_info else "")
        assert leaked(raw, national_ids) == [], raw
        assert not any(secret in raw for secret in secrets_sent), raw


def test_pracha_serve_writes_json_lines_with_request_ids(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "pracha.db")
    with servers.mediator(f"sqlite:///{tmp_path / 'pracha.db'}", tmp_path / "var", tmp_path,
                          log_format="json", registry_autostart="0") as url:
        request = urllib.request.Request(f"{url}/services", headers={"X-Request-ID": "from-outside"})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            assert response.headers["X-Request-ID"] == "from-outside"
    lines = [line for line in (tmp_path / "mediator.log").read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # uvicorn's own lines too
    assert any(p["logger"].startswith("uvicorn") for p in parsed)
    access = [p for p in parsed if p["logger"] == "pracha.access" and p["request_id"] == "from-outside"]
    assert len(access) == 1 and access[0]["route"] == "/services" and access[0]["status"] == 200


def test_an_unexpected_error_keeps_its_request_id(app: FastAPI, make_client: Any, json_logs: Captured) -> None:
    def boom(reference: str) -> None:
        raise RuntimeError("the bug")

    app.add_api_route("/boom/{reference}", boom)  # this app only (not in `routers()`)
    client = make_client(raise_server_exceptions=False)
    response = client.get("/boom/1101700203451", headers={"X-Request-ID": "oops-1", "Accept": "application/json"})
    assert response.status_code == 500 and response.json()["error"] == "internal_error"
    assert response.headers["X-Request-ID"] == "oops-1"
    mine = [line for line in json_logs.json_lines() if line["request_id"] == "oops-1"]
    assert {(line["logger"], line["level"]) for line in mine} == {("pracha.access", "INFO"), ("pracha", "ERROR")}
    error = next(line for line in mine if line["logger"] == "pracha")
    assert error["message"] == "unhandled error on GET /boom/{reference}" and "the bug" in error["exception"]
    assert "1101700203451" not in json.dumps(mine)
