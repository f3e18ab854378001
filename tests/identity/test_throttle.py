"""Finding 5: a sign-in lock must not deny the real owner, and one client spraying many IDs is
limited. Failures count per (client, identifier) and per client; rows hold only keyed hashes."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.identity.models import SigninProbe, SigninThrottle
from tests.factories import PASSWORD, create_citizen, create_staff, csrf_token, new_national_id, totp_code


def sign_in(client: TestClient, password: str, *, national_id: str = "", username: str = "") -> int:
    body = {"national_id": national_id, "username": username, "password": password}
    response = client.post("/api/v1/session", headers={"X-CSRF-Token": csrf_token(client)}, json=body)
    return response.status_code


def fast_lock(app: FastAPI, **more: int) -> None:
    """No slow-down (it would only add waits): lock after 5 failures, for 15 minutes."""
    app.state.pracha.settings = app.state.pracha.settings.model_copy(
        update={"signin_slowdown_after": 100, "signin_lock_after": 5, **more})


def test_finding_5_attacker_locks_an_id_from_client_a_owner_signs_in_from_client_b(
        app: FastAPI, db: Session, make_client: Callable[..., TestClient]) -> None:
    fast_lock(app)
    citizen = create_citizen(db)
    nid = citizen.national_id or ""
    attacker, owner = make_client(client=("203.0.113.7", 4000)), make_client(client=("198.51.100.20", 5000))
    assert [sign_in(attacker, "guess", national_id=nid) for _ in range(5)] == [401] * 5
    locked = attacker.post("/api/v1/session", headers={"X-CSRF-Token": csrf_token(attacker)},
                           json={"national_id": nid, "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["reason"] == "locked"  # even the right password
    assert 800 < int(locked.headers["retry-after"]) <= 901
    assert sign_in(owner, PASSWORD, national_id=nid) == 200  # the owner, elsewhere, is not denied
    assert sign_in(attacker, PASSWORD, national_id=nid) == 429  # the owner's success frees no one else


def test_finding_5_staff_owner_signs_in_elsewhere_with_the_second_factor(
        app: FastAPI, db: Session, make_client: Callable[..., TestClient]) -> None:
    fast_lock(app)
    officer = create_staff(db, "officer", "cm-elderly-welfare")
    attacker, owner = make_client(client=("203.0.113.8", 4000)), make_client(client=("198.51.100.21", 5000))
    assert [sign_in(attacker, "guess", username=officer.username or "") for _ in range(6)] == [401] * 5 + [429]
    assert sign_in(owner, PASSWORD, username=officer.username or "") == 200
    factor = owner.post("/api/v1/session/factor", json={"code": totp_code(officer.username or "")},
                        headers={"X-CSRF-Token": csrf_token(owner)})
    assert factor.status_code == 200 and factor.json()["user"]["role"] == "officer"


def test_finding_5_one_client_spraying_many_ids_is_limited(
        app: FastAPI, db: Session, make_client: Callable[..., TestClient]) -> None:
    fast_lock(app, signin_client_identifiers=20)
    citizen = create_citizen(db)
    sprayer, elsewhere = make_client(client=("203.0.113.9", 4000)), make_client(client=("192.0.2.1", 6000))
    ids = [new_national_id() for _ in range(20)]
    assert {sign_in(sprayer, "123456", national_id=nid) for nid in ids} == {401}
    refused = sprayer.post("/api/v1/session", headers={"X-CSRF-Token": csrf_token(sprayer)},
                           json={"national_id": citizen.national_id, "password": "123456"})
    assert refused.status_code == 429 and refused.json()["reason"] == "sprayed"
    assert 800 < int(refused.headers["retry-after"]) <= 901
    assert sign_in(sprayer, "123456", national_id=ids[0]) == 401  # an ID it tried: its own counter applies
    assert sign_in(elsewhere, PASSWORD, national_id=citizen.national_id or "") == 200


def test_finding_9_throttles_store_no_national_id_nor_address(
        app: FastAPI, db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = create_citizen(db)
    client = make_client(client=("203.0.113.10", 4000))
    assert sign_in(client, "wrong", national_id=citizen.national_id or "") == 401
    rows = [*db.scalars(select(SigninThrottle)), *db.scalars(select(SigninProbe))]
    stored = " ".join(f"{r.key}" if isinstance(r, SigninThrottle) else f"{r.client} {r.identifier}" for r in rows)
    assert len(rows) == 2 and citizen.national_id not in stored and "203.0.113.10" not in stored
    assert all(len(part) == 64 for part in stored.split())
