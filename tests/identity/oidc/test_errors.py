"""Every bad input the issue names, each refused with the error code its RFC names: unknown client
and mismatched redirect URI (an error page, never a redirect), bad authorization requests (sent back
as ?error=), reused or expired codes, a wrong PKCE verifier, a replayed refresh token (the family is
revoked), tampered tokens, and failed client authentication."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from pracha.identity.oidc.models import OidcCode
from tests.factories import create_citizen, sign_in
from tests.identity.oidc.helpers import authorize_code, exchange, query, register, start


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_unknown_client_is_an_error_page_not_a_redirect(db: Session, client: TestClient) -> None:
    reg = register(db)
    flow = start(client, reg)
    for bad in ({"client_id": "c_nobody"}, {"redirect_uri": "https://evil.example/cb"},
                {"redirect_uri": reg.client.redirect_uris[0] + "/"}, {"redirect_uri": ""}):
        response = client.get("/oidc/authorize", params={**flow.params, **bad})
        assert response.status_code == 400
        assert "location" not in response.headers
        assert "ที่อยู่สำหรับส่งกลับไม่ตรงกับที่ลงทะเบียน" in response.text


@pytest.mark.parametrize(("change", "error"), [
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"scope": "profile"}, "invalid_scope"),
    ({"scope": "openid address"}, "invalid_scope"),
    ({"code_challenge": ""}, "invalid_request"),
    ({"code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge_method": ""}, "invalid_request"),
    ({"code_challenge": "short"}, "invalid_request"),
    ({"prompt": "none login"}, "invalid_request"),
    ({"max_age": "soon"}, "invalid_request"),
    ({"claims": "{not json"}, "invalid_request"),
    ({"request": "eyJ..."}, "request_not_supported"),
    ({"prompt": "none"}, "login_required"),
    ({"nonce": ""}, "invalid_request"),
])
def test_bad_authorization_requests_go_back_with_the_rfc_code(db: Session, client: TestClient,
                                                              change: dict[str, str], error: str) -> None:
    reg = register(db)
    flow = start(client, reg)
    response = client.get("/oidc/authorize", params={**flow.params, **change})
    assert response.status_code == 302
    assert response.headers["location"].startswith(reg.client.redirect_uris[0] + "?")
    got = query(response.headers["location"])
    assert got["error"] == error and got["state"] == flow.params["state"]


def test_prompt_none_without_consent_and_a_denial(db: Session, client: TestClient) -> None:
    reg = register(db)
    csrf = sign_in(db, client, create_citizen(db))
    flow = start(client, reg)
    response = client.get("/oidc/authorize", params={**flow.params, "prompt": "none"})
    assert query(response.headers["location"])["error"] == "consent_required"
    denied = client.post("/oidc/authorize", data={**flow.params, "action": "deny", "csrf_token": csrf})
    assert denied.status_code == 303 and query(denied.headers["location"])["error"] == "access_denied"
    forged = client.post("/oidc/authorize", data={**flow.params, "action": "allow", "csrf_token": "forged"})
    assert forged.status_code == 403 and "location" not in forged.headers


def test_reused_code_is_invalid_grant_and_revokes_what_it_gave(db: Session, client: TestClient) -> None:
    reg = register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    first = exchange(client, reg, code, flow.verifier).json()
    again = exchange(client, reg, code, flow.verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert client.get("/oidc/userinfo", headers=bearer(first["access_token"])).status_code == 401
    refreshed = client.post("/oidc/token", auth=reg.auth,
                            data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert refreshed.json()["error"] == "invalid_grant"


def test_expired_code_wrong_verifier_and_wrong_redirect(db: Session, client: TestClient) -> None:
    reg = register(db)
    user = create_citizen(db)
    code, flow = authorize_code(db, client, reg, user)
    wrong = exchange(client, reg, code, flow.verifier[:-2] + "xx")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    missing = exchange(client, reg, code, "")
    assert missing.json()["error"] == "invalid_request"
    moved = exchange(client, reg, code, flow.verifier, redirect_uri="https://rp.example.go.th/other")
    assert moved.json()["error"] == "invalid_grant"
    db.execute(update(OidcCode).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    db.commit()
    expired = exchange(client, reg, code, flow.verifier)
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"
    assert "expired" in expired.json()["error_description"]
    unknown = exchange(client, reg, "no-such-code", flow.verifier)
    assert unknown.json()["error"] == "invalid_grant"


def test_code_of_another_client_is_invalid_grant(db: Session, client: TestClient) -> None:
    reg, other = register(db), register(db, redirect="https://rp.example.go.th/callback")
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    response = client.post("/oidc/token", auth=other.auth, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": reg.client.redirect_uris[0],
        "code_verifier": flow.verifier})
    assert response.json()["error"] == "invalid_grant"


def test_replayed_refresh_token_revokes_the_family(db: Session, client: TestClient) -> None:
    reg = register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    first = exchange(client, reg, code, flow.verifier).json()

    def use(refresh: str) -> dict[str, str]:
        response = client.post("/oidc/token", auth=reg.auth, data={"grant_type": "refresh_token",
                                                                   "refresh_token": refresh})
        return dict(response.json())

    second = use(first["refresh_token"])
    assert "access_token" in second
    replay = use(first["refresh_token"])
    assert replay["error"] == "invalid_grant" and "family" in replay["error_description"]
    assert use(second["refresh_token"])["error"] == "invalid_grant"  # the thief's copy and ours both end
    assert client.get("/oidc/userinfo", headers=bearer(second["access_token"])).status_code == 401
    assert use(first["refresh_token"] + "x")["error"] == "invalid_grant"  # tampered
    wider = use("")
    assert wider["error"] == "invalid_request"


def test_refresh_cannot_widen_scope(db: Session, client: TestClient) -> None:
    reg = register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db), scope="openid profile")
    first = exchange(client, reg, code, flow.verifier).json()
    response = client.post("/oidc/token", auth=reg.auth, data={
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"], "scope": "openid birthdate"})
    assert response.json()["error"] == "invalid_scope"


def test_tampered_or_missing_access_token_is_invalid_token(db: Session, client: TestClient) -> None:
    reg = register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    access = exchange(client, reg, code, flow.verifier).json()["access_token"]
    tampered = client.get("/oidc/userinfo", headers=bearer(access[:-1] + ("A" if access[-1] != "A" else "B")))
    assert tampered.status_code == 401 and tampered.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in tampered.headers["www-authenticate"]
    none = client.get("/oidc/userinfo")
    assert none.status_code == 401 and none.json()["error"] == "invalid_request"


def test_client_authentication_failures_are_invalid_client(db: Session, client: TestClient) -> None:
    reg = register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": reg.client.redirect_uris[0],
            "code_verifier": flow.verifier}
    bad_secret = client.post("/oidc/token", data=data, auth=(reg.id, "wrong"))
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    assert bad_secret.headers["www-authenticate"].startswith("Basic")
    assert client.post("/oidc/token", data=data, auth=("c_nobody", "x")).json()["error"] == "invalid_client"
    no_auth = client.post("/oidc/token", data={**data, "client_id": reg.id})
    assert no_auth.json()["error"] == "invalid_client"
    post_secret = client.post("/oidc/token", data={**data, "client_id": reg.id, "client_secret": reg.secret})
    assert post_secret.json()["error"] == "invalid_client"
    grant = client.post("/oidc/token", data={**data, "grant_type": "password"}, auth=reg.auth)
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    as_json = client.post("/oidc/token", json=data, auth=reg.auth)
    assert as_json.json()["error"] == "invalid_request"
    assert exchange(client, reg, code, flow.verifier).status_code == 200  # the code survived the failures


def test_revocation_endpoint(db: Session, client: TestClient) -> None:
    reg = register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    tokens = exchange(client, reg, code, flow.verifier).json()
    assert client.post("/oidc/revoke", data={"token": "unknown"}, auth=reg.auth).status_code == 200
    assert client.post("/oidc/revoke", data={"token": tokens["refresh_token"]},
                       auth=(reg.id, "wrong")).json()["error"] == "invalid_client"
    assert client.post("/oidc/revoke", data={}, auth=reg.auth).json()["error"] == "invalid_request"
    assert client.post("/oidc/revoke", data={"token": tokens["refresh_token"]}, auth=reg.auth).status_code == 200
    assert client.get("/oidc/userinfo", headers=bearer(tokens["access_token"])).status_code == 401
    refreshed = client.post("/oidc/token", auth=reg.auth,
                            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.json()["error"] == "invalid_grant"


def test_a_code_exchanged_twice_at_once_succeeds_once(db: Session, make_client: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    reg = register(db)
    browser = make_client()
    code, flow = authorize_code(db, browser, reg, create_citizen(db))
    clients = [make_client() for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda c: exchange(c, reg, code, flow.verifier), clients))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 400, 400, 400]
    assert {r.json()["error"] for r in results if r.status_code == 400} == {"invalid_grant"}


def test_one_authentication_method_and_a_matching_client_id(db: Session, client: TestClient) -> None:
    reg, other = register(db), register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": reg.client.redirect_uris[0],
            "code_verifier": flow.verifier}
    two = client.post("/oidc/token", data={**data, "client_secret": reg.secret}, auth=reg.auth)
    assert two.status_code == 400 and two.json()["error"] == "invalid_request"
    foreign = client.post("/oidc/token", data={**data, "client_id": other.id}, auth=reg.auth)
    assert foreign.json()["error"] == "invalid_client"
    tokens = exchange(client, reg, code, flow.verifier).json()
    stolen = client.post("/oidc/revoke", data={"token": tokens["refresh_token"]}, auth=other.auth)
    assert stolen.json()["error"] == "invalid_grant"  # RFC 7009 §2.1: not the token's client
    assert client.get("/oidc/userinfo", headers=bearer(tokens["access_token"])).status_code == 200
