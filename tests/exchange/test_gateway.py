"""The mediator over HTTP (the ASGI app, real signatures, real database): every refusal gets its status,
a row in the message log and a ledger entry; the answer is signed by the mediator. The allowed path,
with real registries in their own processes, is in test_cross_process.py."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange import httpsig
from pracha.exchange.models import AccessRight, MessageLog
from pracha.ledger.models import LedgerEntry
from pracha.services.catalog import Catalog
from tests.exchange.helpers import (
    ALLOWANCES,
    OFFICE,
    PERSONS,
    client_key,
    log_of,
    mediator_public,
    seed,
    signed_headers,
)
from tests.factories import create_citizen

BASE = "http://testserver/exchange/r1"


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers: a registry that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def _get(client: TestClient, path: str, key: Ed25519PrivateKey, **options: str) -> tuple[object, str]:
    url = f"{BASE}/{path}"
    headers = signed_headers(url, key=key, **options)
    return client.get(url, headers=headers), headers["X-Road-Id"]


def _denied(db: Session, message_id: str, status: int, reason: str, *, replayed: bool = False) -> MessageLog:
    rows = [r for r in log_of(db, message_id) if r.reason == reason]
    holds = reason not in ("replayed", "bad_signature", "bad_exchange_request")
    assert all(r.holds_id == holds for r in rows)
    assert len(rows) == 1
    row = rows[0]
    assert (row.decision, row.status, row.reason) == ("denied", status, reason)
    entry = db.get(LedgerEntry, row.ledger_entry_id)
    assert entry is not None and entry.kind == "exchange.denied"
    return row


@pytest.fixture
def world(db: Session, settings: Settings, catalog: Catalog, closed_port: int) -> dict[str, object]:
    seed(db, settings, catalog, {"civil": f"http://127.0.0.1:{closed_port}",
                                 "welfare": f"http://127.0.0.1:{closed_port}"})
    citizen = create_citizen(db)
    return {"nid": citizen.national_id, "user_id": citizen.id, "key": client_key(settings, OFFICE)}


def test_forged_signature_is_401_and_logged(client: TestClient, db: Session, world: dict[str, object]) -> None:
    forger = Ed25519PrivateKey.generate()
    response, mid = _get(client, f"{PERSONS}/{world['nid']}", forger)
    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"
    row = _denied(db, mid, 401, "bad_signature")
    assert row.subject_user_id == world["user_id"]  # the citizen sees the attempt in the tracker


def test_tampered_header_and_wrong_key_id_are_401(client: TestClient, db: Session, world: dict[str, object],
                                                  settings: Settings) -> None:
    url = f"{BASE}/{PERSONS}/{world['nid']}"
    headers = signed_headers(url, key=world["key"])  # type: ignore[arg-type]
    headers["X-Road-Purpose"] = "service-application"
    assert client.get(url, headers=headers).status_code == 401
    other = signed_headers(url, key=client_key(settings, "TH/GOV/PRACHA/portal"), key_id="TH/GOV/PRACHA/portal")
    assert client.get(url, headers=other).status_code == 401  # signed by the portal, claims to be the office
    _denied(db, other["X-Road-Id"], 401, "bad_signature")


def test_missing_access_right_is_403(client: TestClient, db: Session, world: dict[str, object]) -> None:
    for right in db.query(AccessRight).filter(AccessRight.client_id == OFFICE, AccessRight.service_id == PERSONS):
        right.revoked_at = right.granted_at
    db.commit()
    response, mid = _get(client, f"{PERSONS}/{world['nid']}", world["key"])  # type: ignore[arg-type]
    assert response.status_code == 403 and response.json()["error"] == "no_access_right"
    _denied(db, mid, 403, "no_access_right")


def test_wrong_purpose_is_403(client: TestClient, db: Session, world: dict[str, object]) -> None:
    response, mid = _get(client, f"{PERSONS}/{world['nid']}", world["key"],  # type: ignore[arg-type]
                         purpose="service-application")
    assert response.status_code == 403 and response.json()["error"] == "wrong_purpose"
    _denied(db, mid, 403, "wrong_purpose")
    response, mid = _get(client, f"{PERSONS}/{world['nid']}", world["key"], purpose="marketing")  # type: ignore[arg-type]
    assert response.status_code == 403
    _denied(db, mid, 403, "wrong_purpose")


def test_replayed_id_is_409_and_both_are_logged(client: TestClient, db: Session, world: dict[str, object]) -> None:
    url = f"{BASE}/{PERSONS}/{world['nid']}"
    headers = signed_headers(url, key=world["key"])  # type: ignore[arg-type]
    first = client.get(url, headers=headers)
    assert first.status_code == 502  # the registry is down in this world; the id is now used
    again = client.get(url, headers=headers)
    assert again.status_code == 409 and again.json()["error"] == "replayed"
    _denied(db, headers["X-Road-Id"], 409, "replayed", replayed=True)
    assert len(log_of(db, headers["X-Road-Id"])) == 2


def test_provider_down_is_502(client: TestClient, db: Session, world: dict[str, object]) -> None:
    response, mid = _get(client, f"{ALLOWANCES}/{world['nid']}/allowances", world["key"])  # type: ignore[arg-type]
    assert response.status_code == 502 and response.json()["error"] == "provider_unavailable"
    row = _denied(db, mid, 502, "provider_unavailable")
    assert row.legal_basis == "legal-duty" and row.categories == ["welfare"]


def test_provider_slow_is_504_within_the_timeout(make_settings: object, db: Session, catalog: Catalog,
                                                 silent_server: str) -> None:
    from pracha.web.app import create_app

    # No index warm-up: its build in a thread starves the event loop, whose timers then fire late
    settings = make_settings(exchange_timeout_seconds=0.5, warm_up=False)  # type: ignore[operator]
    seed(db, settings, catalog, {"civil": silent_server})
    nid = create_citizen(db).national_id
    app = create_app(settings)
    with TestClient(app) as client:
        started = time.monotonic()
        response, mid = _get(client, f"{PERSONS}/{nid}", client_key(settings, OFFICE))
        elapsed = time.monotonic() - started
    app.state.pracha.db.engine.dispose()
    assert response.status_code == 504 and response.json()["error"] == "provider_timeout"  # type: ignore[attr-defined]
    assert elapsed < 3
    _denied(db, mid, 504, "provider_timeout")


def test_rate_limit_is_429(make_settings: object, db: Session, catalog: Catalog) -> None:
    from pracha.web.app import create_app

    settings = make_settings(exchange_rate_limit_per_minute=2)  # type: ignore[operator]
    seed(db, settings, catalog)
    nid = create_citizen(db).national_id
    app = create_app(settings)
    key = client_key(settings, OFFICE)
    with TestClient(app) as client:
        statuses = [_get(client, f"{PERSONS}/{nid}", key)[0].status_code for _ in range(3)]  # type: ignore[attr-defined]
        response, mid = _get(client, f"{PERSONS}/{nid}", key)
    app.state.pracha.db.engine.dispose()
    assert statuses[:2] == [502, 502] and statuses[2] == 429  # (no registry runs: allowed calls fail upstream)
    assert response.status_code == 429 and response.headers["retry-after"] == "60"  # type: ignore[attr-defined]
    _denied(db, mid, 429, "rate_limited")


def test_refusals_are_signed_by_the_mediator(client: TestClient, settings: Settings, world: dict[str, object]) -> None:
    url = f"{BASE}/{PERSONS}/{world['nid']}"
    headers = signed_headers(url, key=world["key"], purpose="marketing")  # type: ignore[arg-type]
    response = client.get(url, headers=headers)
    mediator = mediator_public(settings)
    keyid = httpsig.verify_response(response.status_code, response.headers, response.content, request_headers=headers,
                                    resolve_key=lambda k: mediator if k == "TH/GOV/PRACHA/mediator" else None)
    assert keyid == "TH/GOV/PRACHA/mediator"


def test_malformed_requests_are_400_not_500(client: TestClient, world: dict[str, object]) -> None:
    assert client.get(f"{BASE}/TH/GOV/DOPA/civil-registry").status_code == 400
    response, _ = _get(client, f"{PERSONS}/not-an-id", world["key"])  # type: ignore[arg-type]
    assert response.status_code == 400  # type: ignore[attr-defined]
    response, _ = _get(client, f"TH/GOV/XX/nothing/here/{world['nid']}", world["key"])  # type: ignore[arg-type]
    assert response.status_code == 404  # type: ignore[attr-defined]


def test_a_forger_cannot_use_up_a_clients_ids(client: TestClient, db: Session, world: dict[str, object]) -> None:
    url = f"{BASE}/{ALLOWANCES}/{world['nid']}/allowances"
    forged = signed_headers(url, key=Ed25519PrivateKey.generate())
    assert client.get(url, headers=forged).status_code == 401
    real = signed_headers(url, key=world["key"], message_id=forged["X-Road-Id"])  # type: ignore[arg-type]
    assert client.get(url, headers=real).status_code == 502  # checked and forwarded (the registry is down here)
    assert [r.holds_id for r in log_of(db, forged["X-Road-Id"])] == [False, True]
